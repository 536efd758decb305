"""A simulated dialer: automated contact attempts on accounts for N days, every one through the gate.

For proving the gate on a real portfolio: proposals at random times of day and night, outcomes drawn
like a collections floor's (most calls go unanswered), now and then a debtor who calls in. Everything
is written to the contact ledger as in production, and `checker.check_ledger` re-reads it afterwards.
Deterministic for a seed.

Two options widen it (both off by default, so the plain run draws the same numbers as before):

- `also_about_share`: a person who owes several of the debts simulated is called about all of them.
  That share of the calls the gate allows names the person's other debts as `also_about`, as a dialer
  working the person rather than the account would; each is named only where the gate allows the same
  call about it at that moment (else the rule that refused it is counted in `also_about_refused`).
  The call then counts toward each debt (US-08 counts calls per person per debt).
- `holds`: holds placed partway through (a UK breathing space, on the person; a US cease-communication
  request, on the debt). From then on the gate refuses the collection calls. With a `messenger` (the
  communications layer's, `communications.simulation.OutboxMessenger`, which this layer may not
  import), the held accounts are also sent messages every few days before and after their hold:
  collection messages, which the hold must stop, and the statements and notices it must let through.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from recoup.accounts.models import Account, AccountDebtor
from recoup.compliance.deadlines import record_notice
from recoup.compliance.models import Hold, Notice
from recoup.compliance.services import (
    authorise_contact,
    evaluate,
    place_hold,
    record_contact,
    record_inbound_contact,
)
from recoup.core.compliance import Channel, Outcome
from recoup.parties.models import Debtor

OUTCOMES = [
    (Outcome.NO_ANSWER, 45),
    (Outcome.VOICEMAIL, 25),
    (Outcome.NOT_CONNECTED, 15),
    (Outcome.CONNECTED_CONVERSATION, 15),
]
CHANNELS = [(Channel.CALL, 80), (Channel.SMS, 12), (Channel.EMAIL, 8)]
HOLD_REASONS: dict[str, str] = {
    Hold.Kind.BREATHING_SPACE: "Insolvency Service notification of a standard breathing space (simulated)",
    Hold.Kind.BREATHING_SPACE_MHC: "Insolvency Service notification of a mental health crisis breathing space "
    "(simulated)",
    Hold.Kind.CEASE_COMMUNICATION: "letter asking us to stop contacting them about this debt (simulated)",
}
ON_THE_PERSON = (Hold.Kind.BREATHING_SPACE, Hold.Kind.BREATHING_SPACE_MHC)  # it covers every debt they owe
MESSAGE_EVERY_DAYS = 4
"""A held account is sent messages every 4 days, from the first day (with a messenger)."""


@dataclass(frozen=True)
class PlannedHold:
    """A hold the simulation places at noon UTC on `day` (0 is the first day). A breathing space is
    placed on the person (it covers every debt they owe, UK-07); any other kind on the account only."""

    account: Account
    kind: str
    day: int


class Messenger(Protocol):
    """Sends the simulation's messages through the product's outbox (implemented above this layer)."""

    def attempt(self, *, account: Account, at: datetime, hold: PlannedHold | None) -> None:
        """Try the messages an account is sent today; `hold` is the simulation's hold in force on it."""

    def deliver(self, *, at: datetime) -> None:
        """Send what is due in the outbox, each message through the gate at the moment of sending."""

    def tally(self) -> MessageTally:
        """What became of every message attempted, and the rules that held back those tried during a hold."""


@dataclass(frozen=True)
class MessageTally:
    outcomes: Counter[tuple[str, str, str]]
    """("before hold" or "during hold", purpose, what became of it: sent, deferred, blocked, refused ...)."""
    blocked_by: Counter[str]
    """The rules that refused or held back a message tried during a hold."""


@dataclass
class SimulationResult:
    proposed: int = 0
    allowed: int = 0
    contacts: int = 0
    inbound: int = 0
    notices: int = 0  # validation notices the simulated agency sent (US-11)
    blocked_by: Counter[str] = field(default_factory=Counter)
    people_with_several_debts: int = 0  # among the accounts simulated
    calls_about_several: int = 0  # calls recorded as about more than one debt
    also_about: int = 0  # other debts named by those calls (each counted toward them)
    also_about_refused: Counter[str] = field(default_factory=Counter)  # why a debt was not named
    holds_placed: Counter[str] = field(default_factory=Counter)
    messages: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # see MessageTally.outcomes
    messages_blocked_by: Counter[str] = field(default_factory=Counter)  # see MessageTally.blocked_by


def simulate(
    *,
    accounts: list[Account],
    start: datetime,
    days: int,
    proposals_per_day: int,
    seed: int,
    also_about_share: float = 0.0,
    holds: Sequence[PlannedHold] = (),
    messenger: Messenger | None = None,
) -> SimulationResult:
    """Propose `proposals_per_day` contacts a day on each account for `days` days, in time order
    (with the holds placed and the messages sent in their turn; see the module's description)."""
    rng = random.Random(seed)
    result = SimulationResult()
    debtors = {
        role.account_id: role.debtor
        for role in AccountDebtor.objects.filter(account__in=accounts, role=AccountDebtor.Role.PRIMARY).select_related(
            "debtor"
        )
    }
    debts: dict[int, list[Account]] = defaultdict(list)  # each person's debts among those simulated
    for account in accounts:
        if account.pk in debtors:
            debts[debtors[account.pk].pk].append(account)
    result.people_with_several_debts = sum(1 for owed in debts.values() if len(owed) > 1)
    proposals: list[tuple[datetime, Account, Channel]] = []
    for account in accounts:
        if account.pk not in debtors:
            continue
        for day in range(days):
            for _ in range(proposals_per_day):
                at = start + timedelta(days=day, minutes=rng.randrange(24 * 60))
                channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
                proposals.append((at, account, channel))
    proposals.sort(key=lambda p: (p[0], p[1].pk))
    naming = random.Random(f"{seed}:also-about")  # its own numbers: the proposals stay those of the seed
    for at, event in _timeline(proposals, holds, start, days, seed, messages=messenger is not None):
        if isinstance(event, _PlaceHold):
            _place(event.plan, debtors[event.plan.account.pk], at)
            result.holds_placed[event.plan.kind] += 1
            continue
        if isinstance(event, _Deliver | _Messages):
            if messenger is None:
                continue
            if isinstance(event, _Deliver):
                messenger.deliver(at=at)
            else:
                placed = start + timedelta(days=event.plan.day, hours=12)
                held = 0 <= event.plan.day < days and at >= placed
                messenger.attempt(account=event.plan.account, at=at, hold=event.plan if held else None)
            continue
        account, channel = event.account, event.channel
        debtor = debtors[account.pk]
        if rng.random() < 0.01:  # the debtor rings us: it counts, and a conversation starts a wait
            record_inbound_contact(
                account=account,
                debtor=debtor,
                channel=Channel.CALL,
                outcome=Outcome.CONNECTED_CONVERSATION,
                at=at,
                now=at,
                actor=None,
            )
            result.inbound += 1
            if _owes_validation_notice(account, debtor):
                record_notice(account=account, kind=Notice.Kind.VALIDATION, sent_on=at.date(), now=at, actor=None)
                result.notices += 1
            continue
        result.proposed += 1
        decision = authorise_contact(account=account, debtor=debtor, channel=channel, at=at, now=at, actor=None)
        if not decision.allowed:
            result.blocked_by.update({reason["rule"] for reason in decision.reasons})
            continue
        result.allowed += 1
        if channel is Channel.CALL:
            outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        else:
            outcome = Outcome.DELIVERED
        others = [other for other in debts[debtor.pk] if other.pk != account.pk]
        named: list[Account] = []
        if channel is Channel.CALL and others and also_about_share > 0 and naming.random() < also_about_share:
            named = _debts_the_call_may_be_about(others, debtor, at, result)
        record_contact(token=str(decision.token), outcome=outcome, at=at, now=at, actor=None, also_about=named)
        result.contacts += 1
        if named:
            result.calls_about_several += 1
            result.also_about += len(named)
        if outcome in (Outcome.CONNECTED_CONVERSATION, Outcome.DELIVERED):
            for about in (account, *named):
                if _owes_validation_notice(about, debtor):
                    # The agency's letter run sends the validation notice the same day (US-11 allows 5).
                    record_notice(account=about, kind=Notice.Kind.VALIDATION, sent_on=at.date(), now=at, actor=None)
                    result.notices += 1
    if messenger is not None:
        tally = messenger.tally()
        result.messages, result.messages_blocked_by = tally.outcomes, tally.blocked_by
    return result


@dataclass(frozen=True)
class _PlaceHold:
    plan: PlannedHold


@dataclass(frozen=True)
class _Messages:
    plan: PlannedHold


@dataclass(frozen=True)
class _Deliver:
    pass


@dataclass(frozen=True)
class _Proposal:
    account: Account
    channel: Channel


def _timeline(
    proposals: list[tuple[datetime, Account, Channel]],
    holds: Sequence[PlannedHold],
    start: datetime,
    days: int,
    seed: int,
    *,
    messages: bool,
) -> list[tuple[datetime, _PlaceHold | _Messages | _Deliver | _Proposal]]:
    """Every event in time order: the holds placed, the messages tried and the outbox delivered (each
    hour), and the proposals (in the order they had before there were other events)."""
    draw = random.Random(f"{seed}:messages")
    events: list[tuple[datetime, int, int, _PlaceHold | _Messages | _Deliver | _Proposal]] = []
    for plan in holds:
        if 0 <= plan.day < days:
            events.append((start + timedelta(days=plan.day, hours=12), 0, len(events), _PlaceHold(plan)))
    if messages:
        for plan in holds:
            for day in range(0, days, MESSAGE_EVERY_DAYS):
                at = start + timedelta(days=day, minutes=draw.randrange(24 * 60))
                events.append((at, 1, len(events), _Messages(plan)))
        for hour in range(days * 24):
            events.append((start + timedelta(hours=hour), 2, len(events), _Deliver()))
    for at, account, channel in proposals:
        events.append((at, 3, len(events), _Proposal(account, channel)))
    events.sort(key=lambda event: (event[0], event[1], event[2]))
    return [(at, event) for at, _order, _seq, event in events]


def _place(plan: PlannedHold, debtor: Debtor, at: datetime) -> Hold:
    return place_hold(
        kind=plan.kind,
        reason=HOLD_REASONS.get(plan.kind, f"{plan.kind.replace('_', ' ')} (simulated)"),
        starts_at=at,
        now=at,
        actor=None,
        account=plan.account,
        debtor=debtor if plan.kind in ON_THE_PERSON else None,
    )


def _debts_the_call_may_be_about(
    others: list[Account], debtor: Debtor, at: datetime, result: SimulationResult
) -> list[Account]:
    """The person's other debts the dialer names on the call: each one the gate allows the same call
    about at that moment (the rest are left out, counted by the rule that refused them)."""
    named = []
    for other in others:
        answer = evaluate(account=other, debtor=debtor, channel=Channel.CALL, at=at).decision
        if answer.allowed:
            named.append(other)
        else:
            result.also_about_refused.update({reason.rule for reason in answer.reasons})
    return named


def _owes_validation_notice(account: Account, debtor: Debtor) -> bool:
    third_party = account.creditor.collector_type == account.creditor.CollectorType.THIRD_PARTY
    return (
        third_party
        and debtor.country == "US"
        and not Notice.objects.filter(account=account, kind=Notice.Kind.VALIDATION).exists()
    )
