"""An officer's work queue: which of their accounts to work next, and why, in an order they can read.

Tiers, highest first: a callback the person asked for that is due; a promise or instalment due
today or missed in the last 7 days; then the calls the daily run's strategy queued (highest priority
first), then every other open account assigned to them, the largest balance first (the expected value,
until scores give a better one); last, accounts whose promise
or plan has its next payment still to come, left alone until then ("Next account" never takes them).
Each tier is one or two queries over the whole portfolio, never a query per account. `claim_next` takes
the first account nobody else is working and leases it for 15 minutes, so two officers never work the
same account at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from recoup.accounts.models import Account, AccountDebtor
from recoup.accounts.selectors import person_or_business_name
from recoup.arrangements.models import Due
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.compliance.services import Evaluation, evaluate
from recoup.core.aging import DEFAULT_BUCKETS, days_past_due
from recoup.core.compliance import Channel
from recoup.core.compliance.australia import PHONE_WEEKDAY as AU_PHONE_WEEKDAY
from recoup.core.compliance.australia import PHONE_WEEKEND as AU_PHONE_WEEKEND
from recoup.core.compliance.uk import UK_CONTACT_WINDOW
from recoup.core.compliance.us_federal import US_CONTACT_WINDOW
from recoup.core.contact_rules import OPEN_STATUSES, held_sql, hold_in_force_sql, reachable_sql
from recoup.core.money import Money, minor_units
from recoup.parties.dates import office_date
from recoup.platform.bulk import in_values
from recoup.strategies.models import Action
from recoup.users.models import User
from recoup.workspace.models import AccountLease, Callback, SavedView

LEASE = timedelta(minutes=15)
CALLBACK_AHEAD = timedelta(minutes=15)  # a callback shows as due a little before its time
MISSED_DAYS = 7
STRATEGY_CALL_DAYS = 7  # a call the strategy queued stays in the queue for a week, then the next step comes
PAGE_SIZE = 50


BUCKETS = {bucket.label: bucket for bucket in DEFAULT_BUCKETS.buckets}
FILTER_KEYS = ("creditor", "bucket", "status", "country", "region", "min_balance", "max_balance")


class InvalidFilter(ValueError):
    """A queue filter that cannot be applied; the message names the filter and the reason."""


@dataclass(frozen=True)
class QueueFilters:
    """Which of the officer's accounts the queue shows. Empty means no restriction.

    The bucket is one of the standard aging buckets (days past the oldest unpaid due date); the
    balance range is in the account's own currency (what it owes in total, all components).
    """

    creditor: int | None = None
    bucket: str = ""
    status: str = ""
    country: str = ""
    region: str = ""
    min_balance: Decimal | None = None
    max_balance: Decimal | None = None

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> QueueFilters:
        """Read filters from query parameters (or a saved view); raises InvalidFilter naming the field."""

        def value(key: str) -> str:
            raw = data.get(key, "")
            return str(raw).strip() if raw is not None else ""

        creditor = value("creditor")
        if creditor and not creditor.isdigit():
            raise InvalidFilter(f"creditor: '{creditor}' is not a creditor")
        bucket = value("bucket")
        if bucket and bucket not in BUCKETS:
            raise InvalidFilter(f"bucket: '{bucket}' is not one of {', '.join(BUCKETS)}")
        status = value("status")
        if status and status not in OPEN_STATUSES:
            raise InvalidFilter(f"status: '{status}' is not one of {', '.join(OPEN_STATUSES)}")
        country = value("country").upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise InvalidFilter(f"country: '{country}' is not a two-letter country code such as US")
        bounds: dict[str, Decimal | None] = {}
        for key in ("min_balance", "max_balance"):
            text = value(key).replace(",", "")
            try:
                amount = Decimal(text) if text else None
            except InvalidOperation:
                raise InvalidFilter(f"{key}: '{value(key)}' is not an amount") from None
            if amount is not None and (not amount.is_finite() or amount < 0):
                raise InvalidFilter(f"{key}: '{value(key)}' must be zero or more")
            bounds[key] = amount
        low, high = bounds["min_balance"], bounds["max_balance"]
        if low is not None and high is not None and low > high:
            raise InvalidFilter(f"max_balance: {high} is less than the minimum {low}")
        return cls(
            creditor=int(creditor) if creditor else None,
            bucket=bucket,
            status=status,
            country=country,
            region=value("region").upper(),
            min_balance=low,
            max_balance=high,
        )

    def to_query(self) -> dict[str, str]:
        """The filters that are set, as query parameters (what a saved view stores)."""
        return {key: str(value) for key, value in asdict(self).items() if value not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.to_query())

    def apply(self, accounts: QuerySet[Account], *, today: date) -> QuerySet[Account]:
        """`accounts` narrowed to these filters, in SQL (no account is looked at in Python)."""
        if self.creditor is not None:
            accounts = accounts.filter(creditor_id=self.creditor)
        if self.status:
            accounts = accounts.filter(status=self.status)
        if self.bucket:
            bucket = BUCKETS[self.bucket]
            # days past due = today - oldest unpaid due date (none unpaid, or not yet due: current).
            if bucket.min_days == 0:
                within = Q(oldest_unpaid_due_date__isnull=True) | Q(oldest_unpaid_due_date__gte=today)
            else:
                within = Q(oldest_unpaid_due_date__lte=today - timedelta(days=bucket.min_days))
            if bucket.max_days is not None and bucket.min_days > 0:
                within &= Q(oldest_unpaid_due_date__gte=today - timedelta(days=bucket.max_days))
            accounts = accounts.filter(within)
        if self.country or self.region:
            where = Q(account=OuterRef("pk"), role=AccountDebtor.Role.PRIMARY)
            if self.country:
                where &= Q(debtor__country=self.country)
            if self.region:
                where &= Q(debtor__region=self.region)
            accounts = accounts.filter(Exists(AccountDebtor.objects.filter(where)))
        if self.min_balance is not None or self.max_balance is not None:
            accounts = accounts.annotate(filter_owed=_owed())
            by_currency = Q()
            for currency in accounts.order_by().values_list("currency", flat=True).distinct():
                scale = 10 ** minor_units(currency)
                rule = Q(currency=currency)
                if self.min_balance is not None:
                    rule &= Q(filter_owed__gte=int(self.min_balance * scale))
                if self.max_balance is not None:
                    rule &= Q(filter_owed__lte=int(self.max_balance * scale))
                by_currency |= rule
            accounts = accounts.filter(by_currency) if by_currency else accounts.none()
        return accounts


NO_FILTERS = QueueFilters()


@dataclass(frozen=True)
class QueueEntry:
    account_id: int
    reference: str
    tier: int  # 1 callback, 2 promise or instalment due or missed, 3 the rest, 4 waiting for a payment to come
    reason: str
    worked_by: str = ""  # someone else's lease, if any
    details: dict[str, Any] = field(default_factory=dict, compare=False)  # creditor, owed, days past due


def _owed() -> Any:
    return F("principal_minor") + F("interest_minor") + F("fees_minor") + F("costs_minor")


def queue_rates() -> tuple[str, dict[str, Decimal]]:
    """The reporting currency and the rates (units of it per unit of each currency) the queue orders by."""
    reporting = str(getattr(settings, "REPORTING_CURRENCY", "USD"))
    rates = {code: Decimal(rate) for code, rate in dict(getattr(settings, "QUEUE_RATES", {})).items()}
    rates.setdefault(reporting, Decimal(1))
    return reporting, rates


RATE_FIELD: DecimalField[Decimal, Decimal] = DecimalField(max_digits=40, decimal_places=12)


def _in_reporting_currency(rates: Mapping[str, Decimal]) -> Case:
    """SQL: what the account owes in the reporting currency (a CASE on its currency); NULL without a rate."""
    whens = []
    for code, rate in sorted(rates.items()):
        try:
            per_minor = rate.scaleb(-minor_units(code))
        except (ValueError, KeyError, TypeError):  # not a currency Babel knows: it sorts last, with the others
            continue
        whens.append(When(currency=code, then=ExpressionWrapper(F("owed") * Value(per_minor, RATE_FIELD), RATE_FIELD)))
    return Case(*whens, default=Value(None, RATE_FIELD), output_field=RATE_FIELD)


def _ahead(officer: User, mine: QuerySet[Account], now: datetime, filters: QueueFilters) -> dict[int, QueueEntry]:
    """Tiers 1 and 2 for the whole book (callbacks due; promises and instalments due or just missed)."""
    entries: dict[int, QueueEntry] = {}
    for account_id, reference, at, zone in (
        Callback.objects.filter(done_at__isnull=True, at__lte=now + CALLBACK_AHEAD)
        .filter(Q(officer=officer) | Q(account__in=mine))
        .filter(Q(account__in=mine) if filters.active else Q())
        .order_by("at")
        .values_list("account_id", "account__reference", "at", "debtor__time_zone")
    ):
        entries.setdefault(account_id, QueueEntry(account_id, reference, 1, f"Callback due {_their_time(at, zone)}"))
    today = office_date(now)
    dues = (
        Due.objects.filter(arrangement__account__in=mine, arrangement__state="active")
        .filter(
            Q(status="due")
            | Q(status="pending", due_date=today)
            | Q(status__in=["broken", "partly_kept"], due_date__gte=today - timedelta(days=MISSED_DAYS))
        )
        .order_by("due_date")
        .values_list(
            "arrangement__account_id",
            "arrangement__account__reference",
            "arrangement__kind",
            "status",
            "due_date",
            "amount_minor",
            "arrangement__currency",
        )
    )
    for account_id, reference, kind, status, on, minor, currency in dues:
        amount = Money.from_minor(minor, currency)
        what = "Promise" if kind == "promise" else "Instalment"
        reason = (
            f"{what} of {amount} missed ({on:%d %b})"
            if status in ("broken", "partly_kept")
            else f"{what} of {amount} due {on:%d %b}"
        )
        entries.setdefault(account_id, QueueEntry(account_id, reference, 2, reason))
    return entries


def _upcoming(today: date) -> QuerySet[Due]:
    """Dues of active promises and plans still to come: their accounts are left alone until then."""
    return Due.objects.filter(arrangement__state="active", status="pending", due_date__gt=today)


def _strategy_queued(today: date) -> QuerySet[Action]:
    return Action.objects.filter(
        kind="call", state=Action.State.QUEUED, run__run_date__gte=today - timedelta(days=STRATEGY_CALL_DAYS)
    )


def _mine(officer: User, now: datetime, filters: QueueFilters) -> QuerySet[Account]:
    return filters.apply(
        Account.objects.filter(assigned_officer=officer, status__in=OPEN_STATUSES), today=office_date(now)
    )


def queue_for(
    officer: User, *, now: datetime, limit: int = 50, offset: int = 0, filters: QueueFilters = NO_FILTERS
) -> list[QueueEntry]:
    """The officer's queue from position `offset`, highest priority first; accounts leased to someone
    else are marked. Balances are compared in the reporting currency (`queue_rates`)."""
    mine = _mine(officer, now, filters)
    wanted = offset + limit
    entries = _ahead(officer, mine, now, filters)
    today = office_date(now)
    upcoming = _upcoming(today)
    entries.update(_strategy_calls(mine.exclude(pk__in=list(entries)), today=today, slots=wanted - len(entries)))
    reporting, rates = queue_rates()
    rest = (
        mine.exclude(pk__in=list(entries))
        .exclude(Exists(upcoming.filter(arrangement__account=OuterRef("pk"))))
        .annotate(owed=_owed())
        .filter(owed__gt=0)
        .annotate(reporting_owed=_in_reporting_currency(rates))
        .order_by(F("reporting_owed").desc(nulls_last=True), "-owed", "id")
        .values_list("id", "reference", "owed", "currency", "reporting_owed")[: max(wanted - len(entries), 0)]
    )
    for account_id, reference, owed, currency, converted in rest:
        reason = f"Owes {Money.from_minor(owed, currency)}"
        if converted is None:
            reason += f" (no {currency} to {reporting} rate: listed after the balances that have one)"
        entries[account_id] = QueueEntry(account_id, reference, 3, reason)
    entries.update(_waiting(upcoming, mine.exclude(pk__in=list(entries)), slots=wanted - len(entries)))
    ordered = sorted(entries.values(), key=lambda e: e.tier)[offset:wanted]
    leased = dict(
        AccountLease.objects.filter(account_id__in=[e.account_id for e in ordered], until__gt=now)
        .exclude(officer=officer)
        .values_list("account_id", "officer__username")
    )
    details = _details([e.account_id for e in ordered], now=now)
    return [
        QueueEntry(
            e.account_id, e.reference, e.tier, e.reason, leased.get(e.account_id, ""), details.get(e.account_id, {})
        )
        for e in ordered
    ]


def queue_count(officer: User, *, now: datetime, filters: QueueFilters = NO_FILTERS) -> int:
    """How many accounts the whole queue holds (every tier), in two queries plus one COUNT."""
    mine = _mine(officer, now, filters)
    ahead = list(_ahead(officer, mine, now, filters))
    today = office_date(now)
    rest = (
        mine.exclude(pk__in=ahead)
        .annotate(owed=_owed())
        .filter(
            Q(owed__gt=0)
            | Exists(_upcoming(today).filter(arrangement__account=OuterRef("pk")))
            | Exists(_strategy_queued(today).filter(account=OuterRef("pk")))
        )
    )
    return len(ahead) + rest.count()


class QueueSequence:
    """The queue as a lazy sequence for Django's Paginator: `count()` and slices, each a few queries."""

    def __init__(self, officer: User, *, now: datetime, filters: QueueFilters = NO_FILTERS) -> None:
        self.officer, self.now, self.filters = officer, now, filters
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = queue_count(self.officer, now=self.now, filters=self.filters)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[QueueEntry]:
        if not isinstance(index, slice):
            raise TypeError("the queue is read a page at a time: slice it")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        return queue_for(self.officer, now=self.now, limit=max(stop - start, 0), offset=start, filters=self.filters)


def _strategy_calls(accounts: QuerySet[Account], *, today: date, slots: int) -> dict[int, QueueEntry]:
    """Tier 3, first: calls the daily run queued (highest priority first, then the oldest), until made."""
    if slots <= 0:
        return {}
    found: dict[int, QueueEntry] = {}
    rows = (
        _strategy_queued(today)
        .filter(account__in=accounts)
        .order_by("-priority", "run__run_date", "id")
        .values_list("account_id", "account__reference", "priority", "step_key", "assignment__path")[: slots * 2]
    )
    for account_id, reference, priority, step_key, path in rows:
        if account_id in found or len(found) >= slots:
            continue
        day = step_key.split(":", 1)[0]
        reason = f"Strategy call, priority {priority} (day {day} of {path})"
        found[account_id] = QueueEntry(account_id, reference, 3, reason)
    return found


def _waiting(upcoming: QuerySet[Due], accounts: QuerySet[Account], *, slots: int) -> dict[int, QueueEntry]:
    """Tier 4: accounts waiting for the next payment of an active promise or plan, soonest first."""
    if slots <= 0:
        return {}
    next_dates = dict(
        upcoming.filter(arrangement__account__in=accounts)
        .values("arrangement__account_id")
        .annotate(next_on=Min("due_date"))
        .order_by("next_on", "arrangement__account_id")
        .values_list("arrangement__account_id", "next_on")[:slots]
    )
    found: dict[int, QueueEntry] = {}
    rows = (
        upcoming.filter(arrangement__account_id__in=list(next_dates), due_date__in=set(next_dates.values()))
        .order_by("due_date", "id")
        .values_list(
            "arrangement__account_id",
            "arrangement__account__reference",
            "arrangement__kind",
            "due_date",
            "amount_minor",
            "arrangement__currency",
        )
    )
    for account_id, reference, kind, on, minor, currency in rows:
        if on != next_dates[account_id] or account_id in found:
            continue
        what = "Promise" if kind == "promise" else "Next instalment"
        reason = f"{what} of {Money.from_minor(minor, currency)} due {on:%d %b}: leave until then"
        found[account_id] = QueueEntry(account_id, reference, 4, reason)
    return dict(sorted(found.items(), key=lambda item: (next_dates[item[0]], item[0])))


def _their_time(moment: datetime, zone: str) -> str:
    """ "20 Jan 10:05 their time (EST)": when the debtor asked to be called, as they said it."""
    try:
        local = moment.astimezone(ZoneInfo(zone)) if zone else moment.astimezone(UTC)
    except (ZoneInfoNotFoundError, ValueError):
        local = moment.astimezone(UTC)
    return f"{local:%d %b %H:%M} their time ({local:%Z})" if zone else f"{local:%d %b %H:%M} UTC"


def _local_time(now: datetime, zone: str) -> str:
    """ "Tue 14:05 EST": the time where the debtor lives now, or empty when their zone is not known."""
    if not zone:
        return ""
    try:
        local = now.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return f"{local:%a %H:%M} {local:%Z}"


def _details(account_ids: list[int], *, now: datetime) -> dict[int, dict[str, Any]]:
    """What the queue shows beside each account: the debtor and their time now, the creditor, what is
    owed, days past due and bucket. One query for the page, whatever its length."""
    today = office_date(now)
    found: dict[int, dict[str, Any]] = {}
    rows = (
        Account.objects.filter(pk__in=account_ids)
        .annotate(
            primary_role=FilteredRelation(
                "account_debtors", condition=Q(account_debtors__role=AccountDebtor.Role.PRIMARY)
            ),
            debtor_name=person_or_business_name("primary_role__debtor"),
            debtor_zone=F("primary_role__debtor__time_zone"),
        )
        .values_list(
            "id",
            "creditor__name",
            "currency",
            "principal_minor",
            "interest_minor",
            "fees_minor",
            "costs_minor",
            "oldest_unpaid_due_date",
            "debtor_name",
            "debtor_zone",
        )
    )
    for pk, creditor, currency, principal, interest, fees, costs, oldest, debtor, zone in rows:
        days = days_past_due(oldest, today)
        found.setdefault(
            pk,
            {
                "creditor": creditor,
                "owed": Money.from_minor(principal + interest + fees + costs, currency),
                "days_past_due": days,
                "bucket": DEFAULT_BUCKETS.bucket_for(days).label,
                "debtor": debtor or "",
                "local_time": _local_time(now, zone or ""),
                "time_zone": zone or "",
            },
        )
    return found


GATE_CANDIDATES = 20  # accounts the gate is asked about, in queue order, before Next account gives up
# The channels an officer works an account on from the queue (a letter or a visit is not "now").
OFFICER_CHANNELS = (Channel.CALL, Channel.SMS, Channel.EMAIL)
# Every rule pack allows calls, texts and emails only inside a daily window in the debtor's zone; this
# is the widest of them (Australia on weekdays opens at 07:30, the US and UK at 08:00; all end at 21:00).
# Outside it in the zone of the debtor's address, the gate blocks all three, so it is not asked.
_WINDOWS = (US_CONTACT_WINDOW, UK_CONTACT_WINDOW, AU_PHONE_WEEKDAY, AU_PHONE_WEEKEND)
WIDEST_HOURS = (min(w.start for w in _WINDOWS), max(w.end for w in _WINDOWS))


class NothingAllowedNow(Exception):
    """Accounts are waiting, but the gate blocks every one checked right now; the message says why."""


def _inside_widest_hours(now: datetime, zone: str) -> bool:
    """False only when it is certainly outside every pack's hours where the debtor lives."""
    if not zone:
        return True  # the gate decides (and says the zone is unknown)
    try:
        local = now.astimezone(ZoneInfo(zone)).time()
    except (ZoneInfoNotFoundError, ValueError):
        return True
    return WIDEST_HOURS[0] <= local < WIDEST_HOURS[1]


def contactable_sql(accounts: str) -> str:
    """For the accounts the condition `accounts` picks (on `ad.account_id`, from `in_values`), each
    primary debtor's account with, per channel of OFFICER_CHANNELS, 1 where the debtor has a contact
    point the channel can go to: built from `core.contact_rules` (`reachable_sql`, `held_sql`,
    `hold_in_force_sql`), the rules the gate applies to one account, so the two cannot drift. Accounts
    held (on the account or its primary debtor) are left out. Parameters: the ids, then `now` four
    times."""
    reach = ", ".join(
        f"CASE WHEN {reachable_sql(channel.value, 'ad.debtor_id')} THEN 1 ELSE 0 END" for channel in OFFICER_CHANNELS
    )
    held = f"{held_sql('h')} AND {hold_in_force_sql('h')}"
    return (
        f"SELECT ad.account_id, {reach} FROM accounts_account_debtor ad "
        f"WHERE {accounts} AND ad.role = '{AccountDebtor.Role.PRIMARY.value}' "
        f"AND NOT EXISTS (SELECT 1 FROM compliance_hold h WHERE h.account_id = ad.account_id AND {held}) "
        f"AND NOT EXISTS (SELECT 1 FROM compliance_hold h WHERE h.debtor_id = ad.debtor_id AND {held})"
    )


def _contactable(account_ids: list[int], *, now: datetime) -> dict[int, set[Channel]]:
    """Of these accounts, those the gate might allow now, with the officer channels their primary
    debtor has a usable contact point for: no hold that blocks every contact (on the account or its
    primary debtor), and a number or address the channel can go to (a text needs a mobile). One
    statement, whatever the number of accounts; the gate still decides (hours, frequency, channel
    opt-outs, notices)."""
    if not account_ids:
        return {}
    accounts, ids = in_values("ad.account_id", account_ids)
    with connection.cursor() as cursor:
        cursor.execute(contactable_sql(accounts), [*ids, now, now, now, now])
        rows = cursor.fetchall()
    found: dict[int, set[Channel]] = {}
    for account_id, *reachable in rows:
        channels = {channel for channel, yes in zip(OFFICER_CHANNELS, reachable, strict=True) if yes}
        if channels:
            found[account_id] = channels
    return found


def allowed_channels(
    account: Account, *, now: datetime, reachable: set[Channel] | None = None, first_only: bool = False
) -> tuple[list[Channel], list[Evaluation]]:
    """The channels of OFFICER_CHANNELS the gate allows now for the account's primary debtor, and
    the gate's answers (for the reasons when none is allowed). With `reachable`, only those channels
    (the ones the debtor has a contact point for) are asked about (the gate blocks the others); with
    `first_only`, the gate is asked in order (call, text, email) until one channel is allowed."""
    link = (
        AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor").first()
    )
    if link is None:
        return [], []
    answers: list[Evaluation] = []
    for channel in (c for c in OFFICER_CHANNELS if reachable is None or c in reachable):
        answer = evaluate(account=account, debtor=link.debtor, channel=channel, at=now)
        if answer.decision.allowed and first_only:
            return [channel], [*answers, answer]
        answers.append(answer)
    channels = [c for c in OFFICER_CHANNELS if reachable is None or c in reachable]
    return [channel for channel, answer in zip(channels, answers, strict=True) if answer.decision.allowed], answers


def claim_next(officer: User, *, now: datetime, filters: QueueFilters = NO_FILTERS) -> QueueEntry | None:
    """Lease the highest account in the queue (as filtered) that nobody else is working and that the
    compliance gate allows contacting right now on a call, text or email; None when the queue has
    nothing left to take. Accounts with a blocking hold or no usable phone or email are passed over
    in SQL; the gate is then asked about at most GATE_CANDIDATES accounts, in queue order. Raises
    NothingAllowedNow when accounts were waiting but the gate blocked every one it was asked about."""
    waiting = [e for e in queue_for(officer, now=now, limit=200, filters=filters) if not e.worked_by and e.tier != 4]
    if not waiting:
        return None
    contactable = _contactable([e.account_id for e in waiting], now=now)
    reachable = [e for e in waiting if e.account_id in contactable]
    in_hours = [e for e in reachable if _inside_widest_hours(now, e.details.get("time_zone", ""))]
    candidates = in_hours[:GATE_CANDIDATES]
    accounts = Account.objects.select_related("creditor").in_bulk([e.account_id for e in candidates])
    blocked: list[tuple[str, Evaluation | None]] = []
    for entry in candidates:
        channels, answers = allowed_channels(
            accounts[entry.account_id], now=now, reachable=contactable[entry.account_id], first_only=True
        )
        if not channels:
            blocked.append((entry.reference, min(answers, key=_next_allowed) if answers else None))
            continue
        try:
            with transaction.atomic():
                lease = AccountLease.objects.select_for_update().filter(account_id=entry.account_id).first()
                if lease is not None and lease.until > now and lease.officer_id != officer.pk:
                    continue  # someone took it a moment ago
                AccountLease.objects.update_or_create(
                    account_id=entry.account_id, defaults={"officer": officer, "until": now + LEASE}
                )
                record_event(
                    event=Event.ACCOUNT_CLAIMED,
                    subject_id=entry.account_id,
                    account_id=entry.account_id,
                    occurred_at=now,
                    actor=officer,
                    after={
                        "until": (now + LEASE).isoformat(),
                        "reason": entry.reason,
                        "allowed_channels": [c.value for c in channels],
                        "passed_over": [reference for reference, _answer in blocked],
                    },
                )
        except IntegrityError:
            continue  # another officer's lease landed first
        return replace(entry, details={**entry.details, "allowed_channels": [c.value for c in channels]})
    raise NothingAllowedNow(_nothing_allowed(len(waiting), len(reachable), len(reachable) - len(in_hours), blocked))


def _next_allowed(answer: Evaluation) -> datetime:
    return answer.decision.next_allowed or datetime.max.replace(tzinfo=UTC)


def _nothing_allowed(waiting: int, contactable: int, night: int, blocked: list[tuple[str, Evaluation | None]]) -> str:
    """Why Next account has nothing to hand out, in words an officer can act on."""
    start, end = WIDEST_HOURS
    hours = f"it is outside contact hours ({start:%H:%M} to {end:%H:%M}) where {night} of the debtors live"
    if not blocked:
        if night:
            return f"{hours}; the others have a hold that stops contact or no phone or email that may be used"
        return (
            f"none of the {waiting} account{'s' if waiting != 1 else ''} waiting may be contacted: each has a hold "
            "that stops contact or no phone number or email address that may be used"
        )
    reference, answer = blocked[0]
    why = answer.decision.reasons[0].text if answer is not None and answer.decision.reasons else "blocked"
    text = f"the compliance gate blocks a call, text and email right now for the first {len(blocked)} account"
    text += f"{'s' if len(blocked) != 1 else ''} that may be contacted ({reference}: {why})"
    soonest = [a.decision.next_allowed for _ref, a in blocked if a is not None and a.decision.next_allowed]
    if soonest:
        text += f"; the earliest any of them may be contacted is {min(soonest):%d %b %H:%M} UTC"
    if night:
        text += f"; {hours}"
    if waiting > contactable:
        text += f"; {waiting - contactable} more have a hold or no usable phone or email"
    return text


def save_view(officer: User, *, name: str, filters: QueueFilters, now: datetime) -> SavedView:
    """Keep the filters under a name (the same name again replaces them), audited."""
    name = name.strip()
    if not name:
        raise InvalidFilter("name: give the view a name")
    if len(name) > 60:
        raise InvalidFilter("name: at most 60 characters")
    if not filters.active:
        raise InvalidFilter("filters: choose at least one filter before saving a view")
    with transaction.atomic():
        view, created = SavedView.objects.update_or_create(
            owner=officer, name=name, defaults={"filters": filters.to_query(), "created_at": now}
        )
        record_event(
            event=Event.VIEW_SAVED,
            subject_id=view.pk,
            occurred_at=now,
            actor=officer,
            after={"name": name, "filters": filters.to_query(), "replaced": not created},
        )
    return view


def delete_view(officer: User, *, view_id: int, now: datetime) -> bool:
    """Remove one of the officer's saved views; False if they have no such view."""
    with transaction.atomic():
        view = SavedView.objects.filter(pk=view_id, owner=officer).first()
        if view is None:
            return False
        record_event(
            event=Event.VIEW_DELETED,
            subject_id=view.pk,
            occurred_at=now,
            actor=officer,
            before={"name": view.name, "filters": view.filters},
        )
        view.delete()
    return True
