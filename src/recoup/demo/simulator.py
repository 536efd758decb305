"""A portfolio simulator: the business date moves on day by day, the daily run works the portfolio, and
simulated debtors answer calls, read messages, pay, promise, break promises, dispute and ask us to stop.

It is how a manager tries a strategy before using it, how a demo shows a living portfolio, and how tests
check a month of automation against the law. Everything goes through the same services as production:
the daily run, the outbox's delivery (to an in-memory inbox and phone, since the debtors are simulated),
the gate before every call, payment posting, promises, holds. Deterministic for a seed.

The behaviour model (docs/strategies.md, "The simulator"):
- every debtor has a hidden propensity to pay p, drawn from Beta(2, 5) (mean 0.29), fixed for the run;
- a call connects with probability 0.12 + 0.3 p; on a conversation the debtor pays in full (0.25 p),
  promises (0.15 + 0.5 p), disputes (2%), asks us to stop (1%), or refuses;
- a delivered email is read with probability 0.25, a text with 0.5; a reader pays part (0.2 p) or
  promises (0.15 p) within two hours;
- a promise is kept with probability 0.35 + 0.6 p, on its date;
- accounts also cure by themselves: each day, 1.8% x (0.5 + p) of those up to 30 days past due pay,
  0.35% x (0.5 + p) at 31-90 days and 0.08% x (0.5 + p) beyond, calibrated so that about half of early
  delinquencies cure within a month (docs/demo-data.md: 55%, published 40-60%);
- letters wait for the print batch (not run here: rendering every letter of two months is slow) and
  draw no response.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from recoup.accounts.models import Account, AccountDebtor
from recoup.accounts.services import UnableToPostTransaction, record_payment
from recoup.arrangements.models import Arrangement, Due
from recoup.arrangements.services import UnableToArrange, create_promise
from recoup.communications.models import Message
from recoup.communications.services import deliver_due
from recoup.compliance.checker import check_ledger
from recoup.compliance.services import UnableToContact, authorise_contact, place_hold, record_contact
from recoup.core.compliance import Channel, Outcome
from recoup.core.money import Money
from recoup.parties.models import Debtor
from recoup.strategies.models import Action
from recoup.strategies.services import run_daily

RUN_AT = time(6, 0)  # the daily run, in UTC
OPEN = ("active", "in_arrangement")


@dataclass
class DayFigures:
    day: date
    actions: int = 0
    messages_sent: int = 0
    calls: int = 0
    calls_blocked: int = 0
    conversations: int = 0
    payments: int = 0
    collected_minor: Counter[str] = field(default_factory=Counter)
    promises: int = 0
    promises_kept: int = 0
    disputes: int = 0
    stops: int = 0


@dataclass
class SimulationReport:
    seed: int
    days: list[DayFigures] = field(default_factory=list)
    violations: list[Any] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(int(getattr(day, name)) for day in self.days)

    def collected(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for day in self.days:
            found.update(day.collected_minor)
        return found


class _Inbox:
    """Where simulated debtors receive email (an SMTP connection's one method) and texts (a provider)."""

    name = "simulated-phone"

    def __init__(self) -> None:
        self.delivered: list[str] = []  # delivery keys, in order

    def send_messages(self, messages: list[Any]) -> int:
        for message in messages:
            self.delivered.append(str(message.extra_headers["Message-ID"]).strip("<>").removesuffix("@recoup"))
        return len(messages)

    def send(self, *, to: str, body: str, key: str) -> str:
        self.delivered.append(key)
        return f"simulated-{key}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_in_window(local_time: time, zone: str, start: datetime, end: datetime) -> datetime:
    """The first moment at `local_time` in the debtor's zone inside [start, end) (or just before end)."""
    tz = _zone(zone)
    for offset in (0, 1, -1):
        day = (start + timedelta(days=offset)).astimezone(tz).date()
        moment = datetime.combine(day, local_time, tzinfo=tz).astimezone(UTC)
        if start <= moment < end:
            return moment
    return end - timedelta(minutes=5)


class _Portfolio:
    """What the simulator keeps about the people: who owes on which account, and their hidden propensity."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.primary: dict[int, Debtor] = {}
        for role in AccountDebtor.objects.filter(role=AccountDebtor.Role.PRIMARY).select_related("debtor"):
            self.primary[role.account_id] = role.debtor
        self._propensity: dict[int, float] = {}

    def propensity(self, debtor_id: int) -> float:
        if debtor_id not in self._propensity:
            self._propensity[debtor_id] = random.Random(self.seed * 1_000_003 + debtor_id).betavariate(2, 5)
        return self._propensity[debtor_id]


def simulate_portfolio(
    *, days: int, seed: int, start: date, progress: Callable[[int, int, DayFigures], None] | None = None
) -> SimulationReport:
    """Simulate `days` business days from `start`; returns the figures per day and the independent
    compliance check of everything contacted (`violations` is empty when no rule was broken)."""
    rng = random.Random(seed)
    people = _Portfolio(seed)
    report = SimulationReport(seed=seed)
    for number in range(days):
        day = start + timedelta(days=number)
        figures = DayFigures(day)
        run_now = datetime.combine(day, RUN_AT, tzinfo=UTC)
        window_end = run_now + timedelta(days=1)
        run = run_daily(as_of=day, now=run_now, trigger="simulator")
        figures.actions = sum(int(v) for s in run.stages if s["name"] == "actions" for v in s["counts"].values())
        events: list[tuple[datetime, int, str, Any]] = []
        events += [
            (run_now + timedelta(hours=9), 0, "deliver", None),
            (run_now + timedelta(hours=17), 0, "deliver", None),
        ]
        calls = (
            Action.objects.filter(kind="call", state=Action.State.QUEUED, run__run_date__gte=day - timedelta(days=6))
            .order_by("-priority", "id")
            .values_list("id", "account_id")
        )
        for action_id, account_id in calls:
            debtor = people.primary.get(account_id)
            if debtor is not None:
                at = _local_in_window(
                    time(11, rng.randrange(0, 50)), debtor.time_zone, run_now + timedelta(minutes=30), window_end
                )
                events.append((at, account_id, "call", action_id))
        for account_id, minor, currency in (
            Due.objects.filter(arrangement__state="active", status__in=["pending", "due"], due_date=day)
            .order_by("id")
            .values_list("arrangement__account_id", "amount_minor", "arrangement__currency")
        ):
            debtor = people.primary.get(account_id)
            if debtor is not None:
                at = _local_in_window(time(12, 0), debtor.time_zone, run_now + timedelta(minutes=30), window_end)
                events.append((at, account_id, "promise-due", (minor, currency)))
        events.append((run_now + timedelta(hours=12), 0, "cures", None))
        inbox = _Inbox()
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        while events:
            at, account_id, kind, payload = events.pop(0)
            if kind == "deliver":
                seen = len(inbox.delivered)
                result = deliver_due(now=at, limit=100_000, mail=inbox, sms=inbox)
                figures.messages_sent += result.sent
                for reply in _replies(inbox.delivered[seen:], at, window_end, people, rng):
                    events.append(reply)
                events.sort(key=lambda e: (e[0], e[1], e[2]))
            elif kind == "call":
                _call(account_id, payload, at, people, rng, figures)
            elif kind == "promise-due":
                debtor = people.primary[account_id]
                if rng.random() < 0.35 + 0.6 * people.propensity(debtor.pk):
                    minor, currency = payload
                    if _pay(account_id, minor, currency, at, "promise", figures):
                        figures.promises_kept += 1
            elif kind == "reply":
                _reply(account_id, payload, at, people, rng, figures)
            elif kind == "cures":
                _cures(at, day, people, rng, figures)
        report.days.append(figures)
        if progress:
            progress(number + 1, days, figures)
    report.violations = check_ledger()
    return report


def _replies(
    keys: list[str], at: datetime, end: datetime, people: _Portfolio, rng: random.Random
) -> list[tuple[datetime, int, str, Any]]:
    found = []
    for key, account_id, channel in (
        Message.objects.filter(delivery_key__in=keys)
        .order_by("id")
        .values_list("delivery_key", "account_id", "channel")
    ):
        debtor = people.primary.get(account_id)
        if debtor is None or rng.random() >= (0.5 if channel == "sms" else 0.25):
            continue
        reply_at = min(at + timedelta(hours=2), end - timedelta(minutes=1))
        found.append((reply_at, account_id, "reply", (key, channel)))
    return found


def _owed(account: Account) -> int:
    return account.principal_minor + account.interest_minor + account.fees_minor + account.costs_minor


def _pay(account_id: int, minor: int, currency: str, at: datetime, why: str, figures: DayFigures) -> bool:
    account = Account.objects.select_related("creditor").get(pk=account_id)
    minor = min(minor, _owed(account))
    if minor <= 0 or account.status not in (*OPEN, "on_hold", "disputed"):
        return False
    try:
        record_payment(
            account=account,
            amount=Money.from_minor(minor, account.currency),
            received_at=at,
            method="card",
            now=at,
            actor=None,
            external_reference=f"simulated {why}",
            idempotency_key=f"simulated-{account_id}-{at.isoformat()}-{why}",
        )
    except UnableToPostTransaction:
        return False
    figures.payments += 1
    figures.collected_minor[account.currency] += minor
    return True


def _promise(account_id: int, at: datetime, share: float, channel: str, by: str, figures: DayFigures) -> None:
    account = Account.objects.select_related("creditor").get(pk=account_id)
    owed = _owed(account)
    if owed <= 0 or account.status not in OPEN:
        return
    if Arrangement.objects.filter(account=account, state__in=["active", "pending_approval"]).exists():
        return
    amount = Money.from_minor(max(int(owed * share), 1), account.currency)
    amount = Money.rounded(amount.amount, account.currency, rounding=ROUND_HALF_UP)
    try:
        create_promise(
            account=account,
            amounts=[(at.date() + timedelta(days=7), amount)],
            now=at,
            actor=None,
            channel=channel,
            taken_by=by,
        )
    except UnableToArrange:
        return
    figures.promises += 1


def _call(
    account_id: int, action_id: int, at: datetime, people: _Portfolio, rng: random.Random, figures: DayFigures
) -> None:
    debtor = people.primary[account_id]
    account = Account.objects.select_related("creditor").get(pk=account_id)
    if account.status not in OPEN:
        return
    try:
        decision = authorise_contact(account=account, debtor=debtor, channel=Channel.CALL, at=at, now=at, actor=None)
    except UnableToContact:
        return
    if not decision.usable:
        figures.calls_blocked += 1
        return  # the action stays queued: the officer tries again another day, when the gate allows
    p = people.propensity(debtor.pk)
    connected = rng.random() < 0.12 + 0.3 * p
    outcome = (
        Outcome.CONNECTED_CONVERSATION
        if connected
        else rng.choice([Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED])
    )
    record_contact(token=str(decision.token), outcome=outcome, at=at, now=at, actor=None, note="simulated call")
    Action.objects.filter(pk=action_id).update(state=Action.State.DONE, decided_at=at)
    figures.calls += 1
    if not connected:
        return
    figures.conversations += 1
    draw = rng.random()
    if draw < 0.02:
        place_hold(
            kind="dispute",
            reason="disputed the debt on the phone (simulated)",
            starts_at=at,
            now=at,
            actor=None,
            account=account,
        )
        figures.disputes += 1
    elif draw < 0.03:
        place_hold(
            kind="cease_communication",
            reason="asked us to stop contacting them (simulated)",
            starts_at=at,
            now=at,
            actor=None,
            account=account,
            debtor=debtor,
        )
        figures.stops += 1
    elif draw < 0.03 + 0.25 * p:
        _pay(account_id, _owed(account), account.currency, at, "call", figures)
    elif draw < 0.03 + 0.25 * p + 0.15 + 0.5 * p:
        _promise(account_id, at, 1.0 if p > 0.4 else 0.5, "call", Arrangement.TakenBy.OFFICER, figures)


def _reply(
    account_id: int, payload: tuple[str, str], at: datetime, people: _Portfolio, rng: random.Random, figures: DayFigures
) -> None:
    _key, channel = payload
    debtor = people.primary[account_id]
    p = people.propensity(debtor.pk)
    draw = rng.random()
    if draw < 0.2 * p:
        account = Account.objects.get(pk=account_id)
        _pay(account_id, _owed(account) // 2, account.currency, at, f"reply to {channel}", figures)
    elif draw < 0.35 * p:
        _promise(account_id, at, 0.5, channel, Arrangement.TakenBy.DEBTOR, figures)


def _cures(at: datetime, day: date, people: _Portfolio, rng: random.Random, figures: DayFigures) -> None:
    rows = (
        Account.objects.filter(status__in=OPEN, oldest_unpaid_due_date__isnull=False)
        .order_by("id")
        .values_list(
            "id", "oldest_unpaid_due_date", "currency", "principal_minor", "interest_minor", "fees_minor", "costs_minor"
        )
    )
    for account_id, oldest, currency, *parts in rows:
        debtor = people.primary.get(account_id)
        if debtor is None:
            continue
        dpd = (day - oldest).days if oldest else 0
        hazard = 0.018 if dpd <= 30 else 0.0035 if dpd <= 90 else 0.0008
        if rng.random() < hazard * (0.5 + people.propensity(debtor.pk)):
            _pay(account_id, sum(parts), currency, at, "cure", figures)


def describe(report: SimulationReport) -> list[str]:
    """The simulation's totals as lines for the command line."""
    collected = ", ".join(f"{Money.from_minor(v, c)}" for c, v in sorted(report.collected().items())) or "nothing"
    lines = [
        f"{len(report.days)} days simulated (seed {report.seed}).",
        f"Actions {report.total('actions'):,}; messages sent {report.total('messages_sent'):,}; calls made "
        f"{report.total('calls'):,} ({report.total('conversations'):,} conversations, "
        f"{report.total('calls_blocked'):,} not allowed at the time and left for another day).",
        f"Payments {report.total('payments'):,}: {collected}.",
        f"Promises {report.total('promises'):,} made; "
        f"{report.total('promises_kept'):,} promised payments kept on their day; "
        f"disputes {report.total('disputes'):,}; asked to stop {report.total('stops'):,}.",
        f"Compliance check of every contact: {len(report.violations)} violation(s).",
    ]
    for breach in report.violations[:10]:
        lines.append(f"  {breach}")
    return lines
