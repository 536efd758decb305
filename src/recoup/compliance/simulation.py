"""A simulated dialer: automated contact attempts on accounts for N days, every one through the gate.

For proving the gate on a real portfolio: proposals at random times of day and night, outcomes drawn
like a collections floor's (most calls go unanswered), now and then a debtor who calls in. Everything
is written to the contact ledger as in production, and `checker.check_ledger` re-reads it afterwards.
Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from recoup.accounts.models import Account, AccountDebtor
from recoup.compliance.deadlines import record_notice
from recoup.compliance.models import Notice
from recoup.compliance.services import authorise_contact, record_contact, record_inbound_contact
from recoup.core.compliance import Channel, Outcome
from recoup.parties.models import Debtor

OUTCOMES = [
    (Outcome.NO_ANSWER, 45),
    (Outcome.VOICEMAIL, 25),
    (Outcome.NOT_CONNECTED, 15),
    (Outcome.CONNECTED_CONVERSATION, 15),
]
CHANNELS = [(Channel.CALL, 80), (Channel.SMS, 12), (Channel.EMAIL, 8)]


@dataclass
class SimulationResult:
    proposed: int = 0
    allowed: int = 0
    contacts: int = 0
    inbound: int = 0
    notices: int = 0  # validation notices the simulated agency sent (US-11)
    blocked_by: Counter[str] = field(default_factory=Counter)


def simulate(
    *, accounts: list[Account], start: datetime, days: int, proposals_per_day: int, seed: int
) -> SimulationResult:
    """Propose `proposals_per_day` contacts a day on each account for `days` days, in time order."""
    rng = random.Random(seed)
    result = SimulationResult()
    debtors = {
        role.account_id: role.debtor
        for role in AccountDebtor.objects.filter(account__in=accounts, role=AccountDebtor.Role.PRIMARY).select_related(
            "debtor"
        )
    }
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
    for at, account, channel in proposals:
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
        record_contact(token=str(decision.token), outcome=outcome, at=at, now=at, actor=None)
        result.contacts += 1
        if outcome in (Outcome.CONNECTED_CONVERSATION, Outcome.DELIVERED) and _owes_validation_notice(account, debtor):
            # The agency's letter run sends the validation notice the same day (US-11 allows 5).
            record_notice(account=account, kind=Notice.Kind.VALIDATION, sent_on=at.date(), now=at, actor=None)
            result.notices += 1
    return result


def _owes_validation_notice(account: Account, debtor: Debtor) -> bool:
    third_party = account.creditor.collector_type == account.creditor.CollectorType.THIRD_PARTY
    return (
        third_party
        and debtor.country == "US"
        and not Notice.objects.filter(account=account, kind=Notice.Kind.VALIDATION).exists()
    )
