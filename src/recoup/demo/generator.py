"""The synthetic demo portfolio behind `recoup demo-data`: creditors, debtors, contact points, accounts,
and each account's money in the ledger (open items, charges, payments, returns, adjustments,
write-downs; built by `history.py`).

Set-based from the start: columns are drawn with NumPy (PCG64 streams per creditor and chunk, seeded
from the caller's seed), combined with small Faker pools by index, and written with `platform.bulk`
(COPY on PostgreSQL, batched executemany on SQLite) in chunks of 50,000 accounts, all inside one
transaction. Nothing is saved row by row and nothing is updated after it is written, so 100,000
accounts take seconds.

The same (seed, as_of, accounts) gives the same rows; in a fresh database, the same ids too.
See docs/demo-data.md for what is generated and why it looks the way it does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import Count, Model

from recoup.accounts.models import Account, AccountDebtor, LedgerEntry, LedgerTransaction, OpenItem, Payment
from recoup.accounts.services import ENTRY_COLUMNS as LEDGER_ENTRY_COLUMNS
from recoup.accounts.services import PAYMENT_COLUMNS as LEDGER_PAYMENT_COLUMNS
from recoup.accounts.services import TRANSACTION_COLUMNS as LEDGER_TRANSACTION_COLUMNS
from recoup.arrangements.models import Arrangement, Due
from recoup.arrangements.services import monitor
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.compliance.models import Hold
from recoup.core.arrangements import Frequency
from recoup.demo import calibration
from recoup.demo.history import (
    BOOKS,
    COMPONENTS,
    ITEM_KINDS,
    MEMOS,
    METHODS,
    TRANSACTION_TYPES,
    AccountFacts,
    History,
    build_history,
)
from recoup.demo.pools import CountryPools, build_country_pools
from recoup.demo.reference_data import (
    CITIES,
    COMMERCIAL_TEAM,
    DEMO_CREDITOR_CODES,
    DEMO_CREDITORS,
    EARLY_STAGE_TEAM,
    LATE_STAGE_MIN_DPD,
    LATE_STAGE_TEAM,
    NANP_EXCHANGES,
    ORIGINAL_CREDITORS,
    PHONE_PLANS,
    UK_INWARD_LETTERS,
    UNIT_LABELS,
    DemoCreditorSpec,
)
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.platform.bulk import (
    RANGE_RESERVATION_THRESHOLD,
    allocate_ids,
    bulk_insert,
    foreign_keys_checked_after_load,
)
from recoup.users.models import User
from recoup.users.roles import Role

MIN_ACCOUNTS = 1
MAX_ACCOUNTS = 5_000_000
CHUNK_ACCOUNTS = 50_000

ProgressCallback = Callable[[str, int, int], None]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

_SECONDS_PER_DAY = 86_400
_EPOCH = date(1970, 1, 1)
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
_SEGMENTS = ("early", "late", "commercial")
_SEGMENT_TEAMS = {"early": EARLY_STAGE_TEAM, "late": LATE_STAGE_TEAM, "commercial": COMMERCIAL_TEAM}
# Email addresses end in a number unique to the debtor in the run: (ordinal * multiplier + 1000)
# modulo a power of ten above the number of debtors (the multiplier is a prime other than 2 and 5).
_EMAIL_NUMBER_MULTIPLIER = 48_271
_UNASSIGNED_SHARE = 0.04
_REFERENCE_MULTIPLIER = 2_654_435_761
_REFERENCE_ROUNDS = 3
_MONEY_STREAM = 0xB41
# The tables the generator fills; the foreign keys between them are checked once, after the load.
_LOADED_MODELS: tuple[type[Model], ...] = (
    Debtor,
    ContactPoint,
    Account,
    AccountDebtor,
    OpenItem,
    LedgerTransaction,
    Payment,
    LedgerEntry,
    Arrangement,
    Due,
)
# Payment plans of the demo: the creditors' default policy (three days' grace, one miss allowed).
_PLAN_GRACE_DAYS = 3
_PLAN_MISSES_ALLOWED = 1
_PLAN_FREQUENCY = {
    7: Frequency.WEEKLY.value,
    14: Frequency.FORTNIGHTLY.value,
    28: Frequency.FOUR_WEEKLY.value,
    30: Frequency.MONTHLY.value,
}


class UnableToGenerateDemoData(Exception):
    """The demo portfolio was not generated; the message says why in plain words."""


@dataclass(frozen=True)
class DemoSummary:
    """What one run of the generator wrote."""

    seed: int
    as_of: date
    creditors: int
    creditors_created: int
    debtors: int
    contact_points: int
    accounts: int
    account_debtors: int
    accounts_by_creditor: tuple[tuple[str, int], ...]
    elapsed_seconds: float
    open_items: int = 0
    transactions: int = 0
    entries: int = 0
    payments: int = 0
    arrangements: int = 0
    dues: int = 0
    dues_by_status: tuple[tuple[str, int], ...] = ()
    """After monitoring: how many dues are pending, due, kept, partly kept and broken."""
    arrangements_by_state: tuple[tuple[str, int], ...] = ()
    """After monitoring: how many plans are active, broken or completed."""
    holds: int = 0
    """Holds behind the disputed and on-hold accounts (so the gate blocks them as their status says)."""

    @property
    def rows(self) -> int:
        """Rows written: creditors created, debtors, contacts, accounts, roles, and the ledger rows."""
        return (
            self.creditors_created
            + self.debtors
            + self.contact_points
            + self.accounts
            + self.account_debtors
            + self.ledger_rows
        )

    @property
    def plan_rows(self) -> int:
        """Payment plans (arrangements) and their dues."""
        return self.arrangements + self.dues

    @property
    def ledger_rows(self) -> int:
        """Open items, ledger transactions and entries, and payments."""
        return self.open_items + self.transactions + self.entries + self.payments


def portfolio_is_empty() -> bool:
    """True when the database holds no accounts at all, of any creditor (for `--if-empty`)."""
    return not Account.objects.exists()


def generate_portfolio(
    *,
    accounts: int,
    seed: int,
    as_of: date,
    now: datetime,
    progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Generate a realistic demo portfolio of `accounts` accounts over the six demo creditors.

    Creates the demo creditors that do not exist yet, then debtors (US, AU and UK people and UK
    businesses) with phones and emails, and accounts assigned to the officers in the database.
    `as_of` is the business date the portfolio is "as at" (days past due count to it); `now` (aware)
    stamps creation times. Calls `progress(stage, done, total)` as chunks are written. Writes one
    audit event, `demo.portfolio.generated`, with the counts.

    Raises UnableToGenerateDemoData for a count outside 1..5,000,000, a negative seed, a naive `now`,
    or when the demo creditors already have accounts (so a second run never duplicates).
    """
    _check_arguments(accounts=accounts, seed=seed, now=now)
    report: ProgressCallback = progress or _ignore_progress
    started = time.perf_counter()
    with transaction.atomic():
        demo_accounts = Account.objects.filter(creditor__code__in=DEMO_CREDITOR_CODES)
        if demo_accounts.exists():
            existing = demo_accounts.count()
            raise UnableToGenerateDemoData(
                f"The demo creditors already have {existing:,} accounts; demo data is generated only "
                "once. Use a fresh database to generate it again."
            )
        report("preparing", 0, 1)
        creditor_ids, created = _ensure_creditors(now=now)
        context = _Context(
            seed=seed,
            as_of_day=(as_of - _EPOCH).days,
            now_second=int(now.timestamp()),
            vendor=connection.vendor,
            pools={country: build_country_pools(country=country, seed=seed) for country in ("US", "AU", "GB")},
            routing=_load_routing(),
            # An account has at most two debtors (its primary and one co-debtor or guarantor).
            email_modulus=10 ** len(str(2 * accounts)),
        )
        counts = _split(accounts, [spec.share_per_mille for spec in DEMO_CREDITORS])
        report("preparing", 1, 1)
        totals = _Totals()
        if connection.vendor == "postgresql":
            # Run the row checks this transaction has queued so far (the creditors just created):
            # PostgreSQL will not alter a table with checks still pending.
            connection.check_constraints()
        with foreign_keys_checked_after_load([model._meta.db_table for model in _LOADED_MODELS]):
            _write_portfolio(context, counts=counts, creditor_ids=creditor_ids, totals=totals, report=report)
            report("checking", 0, 1)
        report("checking", 1, 1)
        # Every due of the plans classified from the payments generated (some plans break).
        report("monitoring", 0, 1)
        monitor(as_of=as_of, now=now, actor=None)
        if connection.vendor == "postgresql":
            # Run the row checks monitoring queued, as the load leaves none pending (a caller may
            # alter or truncate these tables in the same transaction).
            connection.check_constraints()
        report("monitoring", 1, 1)
        totals.holds = _hold_held_accounts(creditor_ids=list(creditor_ids.values()), now=now)
        states = _count_by(Arrangement, "state")
        due_statuses = _count_by(Due, "status")
        by_creditor = tuple((spec.code, counts[i]) for i, spec in enumerate(DEMO_CREDITORS))
        record_event(
            event=Event.DEMO_GENERATED,
            subject_id=0,
            occurred_at=now,
            actor=None,
            after={
                "seed": seed,
                "as_of": as_of.isoformat(),
                "creditors_created": created,
                "debtors": totals.debtors,
                "contact_points": totals.contact_points,
                "accounts": totals.accounts,
                "account_debtors": totals.account_debtors,
                "open_items": totals.open_items,
                "transactions": totals.transactions,
                "entries": totals.entries,
                "payments": totals.payments,
                "arrangements": totals.arrangements,
                "dues": totals.dues,
                "holds": totals.holds,
                "accounts_by_creditor": dict(by_creditor),
            },
        )
    return DemoSummary(
        seed=seed,
        as_of=as_of,
        creditors=len(DEMO_CREDITORS),
        creditors_created=len(created),
        debtors=totals.debtors,
        contact_points=totals.contact_points,
        accounts=totals.accounts,
        account_debtors=totals.account_debtors,
        accounts_by_creditor=by_creditor,
        elapsed_seconds=time.perf_counter() - started,
        open_items=totals.open_items,
        transactions=totals.transactions,
        entries=totals.entries,
        payments=totals.payments,
        arrangements=totals.arrangements,
        dues=totals.dues,
        dues_by_status=due_statuses,
        arrangements_by_state=states,
        holds=totals.holds,
    )


# Why an account placed on hold is held, drawn in turn (each blocks collection contact; see HOLD_RULES).
_ON_HOLD_KINDS = (
    (
        Hold.Kind.REPRESENTED,
        "A solicitor or debt adviser acts for the debtor; contact them, not the debtor.",
        "Letter of authority received with the placement.",
    ),
    (
        Hold.Kind.BANKRUPTCY,
        "The debtor filed for bankruptcy (insolvency); collection is stayed.",
        "Notice of the filing with the placement file.",
    ),
    (
        Hold.Kind.CEASE_COMMUNICATION,
        "The debtor asked in writing that we stop contacting them.",
        "Their letter, scanned with the placement.",
    ),
)


def _hold_held_accounts(*, creditor_ids: list[int], now: datetime) -> int:
    """Give every demo account placed as Disputed a dispute hold, and every one On hold a hold of its
    reason, from when its status was set: the gate then blocks them as their status says. One query for
    the accounts and one bulk insert; the portfolio's audit event counts them."""
    held = Account.objects.filter(
        creditor_id__in=creditor_ids, status__in=[Account.Status.DISPUTED, Account.Status.ON_HOLD]
    ).values_list("id", "status", "status_changed_at")
    holds = []
    for account_id, status, since in held.order_by("id").iterator(chunk_size=10_000):
        if status == Account.Status.DISPUTED:
            kind, reason, evidence = (
                Hold.Kind.DISPUTE,
                "The debtor disputes the debt; collection waits until it is verified.",
                "Dispute noted on the placement file; verification requested from the creditor.",
            )
        else:
            kind, reason, evidence = _ON_HOLD_KINDS[account_id % len(_ON_HOLD_KINDS)]
        holds.append(
            Hold(account_id=account_id, kind=kind, starts_at=since, reason=reason, evidence=evidence, created_at=now)
        )
    Hold.objects.bulk_create(holds, batch_size=5_000)
    return len(holds)


def _count_by(model: type[Model], column: str) -> tuple[tuple[str, int], ...]:
    """Rows of the model by the value of a column, sorted by value (one grouped query)."""
    rows = model._default_manager.values(column).annotate(n=Count("pk")).order_by(column).values_list(column, "n")
    return tuple((str(value), int(n)) for value, n in rows)


def _write_portfolio(
    context: _Context,
    *,
    counts: list[int],
    creditor_ids: dict[str, int],
    totals: _Totals,
    report: ProgressCallback,
) -> None:
    """Build and write every chunk, creditor by creditor.

    `platform.bulk` reserves large ranges of ids in a side transaction, which must not follow a small
    allocation (a `nextval` in this transaction) for the same table: it would wait for this
    transaction's lock on the sequence. So a chunk with fewer rows than a range for some table is
    held back and written together with the next ones; the last chunks are written at the end.
    The ids come out the same as writing chunk by chunk.
    """
    seed = context.seed
    pending: list[_Chunk] = []
    first_debtor_ordinal = 0
    for creditor_index, spec in enumerate(DEMO_CREDITORS):
        reference_offset = int(
            np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, creditor_index, 0x7EF]))).integers(
                0, 10**spec.reference_digits
            )
        )
        for chunk_index, start in enumerate(range(0, counts[creditor_index], CHUNK_ACCOUNTS)):
            size = min(CHUNK_ACCOUNTS, counts[creditor_index] - start)
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, creditor_index, chunk_index + 1])))
            # The money history draws from a stream of its own, so the accounts do not depend on it.
            money_rng = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence([seed, creditor_index, chunk_index + 1, _MONEY_STREAM]))
            )
            chunk = _build_chunk(
                rng,
                money_rng,
                context,
                spec=spec,
                creditor_id=creditor_ids[spec.code],
                first_index=start,
                size=size,
                reference_offset=reference_offset,
                first_debtor_ordinal=first_debtor_ordinal,
            )
            first_debtor_ordinal += len(chunk.debtor_rows)
            pending.append(chunk)
            counts_by_model = [sum(each.row_counts()[model] for each in pending) for model in _LOADED_MODELS]
            if min(counts_by_model) >= RANGE_RESERVATION_THRESHOLD:
                _write_chunks(pending, totals=totals)
                pending = []
                report("accounts", totals.accounts, sum(counts))
    _write_chunks(pending, totals=totals)
    report("accounts", totals.accounts, sum(counts))


def _ignore_progress(stage: str, done: int, total: int) -> None:
    return None


def _check_arguments(*, accounts: int, seed: int, now: datetime) -> None:
    if isinstance(accounts, bool) or not isinstance(accounts, int):
        raise UnableToGenerateDemoData(f"The number of accounts must be a whole number, not {accounts!r}.")
    if accounts < MIN_ACCOUNTS or accounts > MAX_ACCOUNTS:
        raise UnableToGenerateDemoData(
            f"The number of accounts must be between {MIN_ACCOUNTS:,} and {MAX_ACCOUNTS:,}; {accounts:,} was asked for."
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UnableToGenerateDemoData(f"The seed must be a whole number of 0 or more, not {seed!r}.")
    if now.tzinfo is None or now.utcoffset() is None:
        raise UnableToGenerateDemoData("The time 'now' must carry a time zone (an aware datetime).")


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights`, largest remainders first, summing exactly."""
    whole = sum(weights)
    counts = [total * weight // whole for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _ensure_creditors(*, now: datetime) -> tuple[dict[str, int], list[str]]:
    """The ids of the demo creditors by code, creating the missing ones; and the codes created."""
    existing = dict(Creditor.objects.filter(code__in=DEMO_CREDITOR_CODES).values_list("code", "id"))
    created: list[str] = []
    for spec in DEMO_CREDITORS:
        if spec.code in existing:
            continue
        creditor = Creditor.objects.create(
            code=spec.code,
            name=spec.name,
            industry=spec.industry,
            collector_type=spec.collector_type,
            default_currency=spec.currency,
            country=spec.country,
            jurisdiction=spec.jurisdiction,
            created_at=now,
        )
        existing[spec.code] = creditor.pk
        created.append(spec.code)
    return existing, created


@dataclass(frozen=True)
class _Routing:
    """Which officers work which segment of accounts, and their teams."""

    officers: dict[str, IntArray]
    """Officer ids per segment (empty: nobody to assign to)."""
    officer_team: dict[int, int]
    """Team id of each officer (-1 when the officer has no team)."""
    segment_team: dict[str, int]
    """Team id that works each segment (-1 when none)."""


def _load_routing() -> _Routing:
    """Officers in the database (the officer role group), grouped by the demo team they belong to."""
    rows = list(
        User.objects.filter(groups__name=Role.OFFICER.value, is_active=True)
        .order_by("pk")
        .values_list("pk", "team_id", "team__name")
        .distinct()
    )
    everyone = np.asarray([pk for pk, _, _ in rows], dtype=np.int64)
    officer_team = {int(pk): (team_id if team_id is not None else -1) for pk, team_id, _ in rows}
    officers: dict[str, IntArray] = {}
    segment_team: dict[str, int] = {}
    for segment in _SEGMENTS:
        in_team = [(pk, team_id) for pk, team_id, team_name in rows if team_name == _SEGMENT_TEAMS[segment]]
        if in_team:
            officers[segment] = np.asarray([pk for pk, _ in in_team], dtype=np.int64)
            segment_team[segment] = int(in_team[0][1])
        else:
            officers[segment] = everyone
            segment_team[segment] = -1
    return _Routing(officers=officers, officer_team=officer_team, segment_team=segment_team)


@dataclass(frozen=True)
class _Context:
    seed: int
    as_of_day: int
    now_second: int
    vendor: str
    pools: dict[str, CountryPools]
    routing: _Routing
    email_modulus: int


@dataclass
class _Totals:
    debtors: int = 0
    contact_points: int = 0
    accounts: int = 0
    account_debtors: int = 0
    open_items: int = 0
    transactions: int = 0
    entries: int = 0
    payments: int = 0
    arrangements: int = 0
    dues: int = 0
    holds: int = 0


@dataclass(frozen=True)
class _Plans:
    """The payment plans of one chunk's accounts in arrangement, and their dues."""

    account: IntArray
    """Position of the plan's account in the chunk."""
    created_second: IntArray
    total: IntArray
    balance: IntArray
    frequency: list[str]
    due_plan: IntArray
    """Position of each due's plan."""
    due_number: IntArray
    due_day: IntArray
    due_amount: IntArray
    now_second: int
    """When the dues were written (their `updated_at`)."""


@dataclass(frozen=True)
class _Chunk:
    """Columns of one chunk, with local indexes where rows refer to each other."""

    debtor_rows: list[tuple[object, ...]]
    contact_debtor: IntArray
    contact_rows: list[tuple[object, ...]]
    account_rows: list[tuple[object, ...]]
    role_account: IntArray
    role_debtor: IntArray
    role_names: list[str]
    creditor_id: int
    currency: str
    references: list[str]
    history: History
    plans: _Plans

    def row_counts(self) -> dict[type[Model], int]:
        """Rows the chunk writes, by model."""
        history = self.history
        return {
            Debtor: len(self.debtor_rows),
            ContactPoint: len(self.contact_rows),
            Account: len(self.account_rows),
            AccountDebtor: len(self.role_names),
            OpenItem: len(history.item_account),
            LedgerTransaction: len(history.txn_account),
            Payment: len(history.payment_account),
            LedgerEntry: len(history.entry_txn),
            Arrangement: len(self.plans.account),
            Due: len(self.plans.due_plan),
        }


DEBTOR_COLUMNS = (
    "kind",
    "given_name",
    "family_name",
    "business_name",
    "date_of_birth",
    "preferred_language",
    "time_zone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "created_at",
)
CONTACT_COLUMNS = (
    "kind",
    "value",
    "phone_type",
    "source",
    "obtained_date",
    "consent",
    "verified",
    "do_not_contact",
    "is_primary",
    "consent_date",
    "last_consumer_use_date",
    "reassigned_check_date",
    "employer_provided",
    "no_workplace_contact",
)
ACCOUNT_COLUMNS = (
    "reference",
    "original_creditor",
    "product_type",
    "currency",
    "opened_date",
    "first_delinquency_date",
    "charge_off_date",
    "status",
    "status_changed_at",
    "assigned_officer_id",
    "team_id",
    "placed_at",
    "itemization_date",
    "itemization_amount_minor",
    "principal_minor",
    "interest_minor",
    "fees_minor",
    "costs_minor",
    "credit_balance_minor",
    "oldest_unpaid_due_date",
)
OPEN_ITEM_COLUMNS = (
    "id",
    "account_id",
    "kind",
    "reference",
    "component",
    "due_date",
    "original_minor",
    "balance_minor",
    "created_at",
)
TRANSACTION_COLUMNS = tuple(LEDGER_TRANSACTION_COLUMNS)
# The generator numbers entries itself, so that two runs with one seed give the same ids.
ENTRY_COLUMNS = ("id", *LEDGER_ENTRY_COLUMNS)
PAYMENT_COLUMNS = tuple(LEDGER_PAYMENT_COLUMNS)
# Columns of the plans written; the rest (freeze, replaced plan, approval, end) stay NULL.
ARRANGEMENT_COLUMNS = (
    "id",
    "account_id",
    "kind",
    "state",
    "currency",
    "total_minor",
    "balance_minor",
    "frequency",
    "channel",
    "taken_by",
    "tolerance_minor",
    "tolerance_percent",
    "grace_days",
    "misses_allowed",
    "freeze_charges",
    "approval_reason",
    "note",
    "created_by_id",
    "created_at",
    "end_reason",
)
DUE_COLUMNS = (
    "id",
    "arrangement_id",
    "number",
    "due_date",
    "amount_minor",
    "down_payment",
    "status",
    "paid_minor",
    "updated_at",
)
# Text of the history's codes, as object arrays so that indexing gives the same str objects.
_ITEM_KIND_TEXT = np.asarray(ITEM_KINDS, dtype=object)
_COMPONENT_TEXT = np.asarray([*(c.value for c in COMPONENTS), ""], dtype=object)
_TYPE_TEXT = np.asarray([t.value for t in TRANSACTION_TYPES], dtype=object)
_BOOK_TEXT = np.asarray([b.value for b in BOOKS], dtype=object)
_MEMO_TEXT = np.asarray(MEMOS, dtype=object)
_METHOD_TEXT = np.asarray(METHODS, dtype=object)
# Debtors quote the account reference on transfers and cheques.
_QUOTES_REFERENCE = frozenset({"bank_transfer", "cheque"})


def _write_chunks(chunks: list[_Chunk], *, totals: _Totals) -> None:
    """Allocate ids for the chunks' rows, table by table, and write each chunk in turn."""
    if not chunks:
        return
    needed = [chunk.row_counts() for chunk in chunks]
    ids = {
        model: np.asarray(allocate_ids(model, sum(counts[model] for counts in needed)), dtype=np.int64)
        for model in _LOADED_MODELS
    }
    offsets = dict.fromkeys(_LOADED_MODELS, 0)
    for chunk, counts in zip(chunks, needed, strict=True):
        chunk_ids: dict[type[Model], IntArray] = {
            model: ids[model][offsets[model] : offsets[model] + counts[model]] for model in _LOADED_MODELS
        }
        for model in _LOADED_MODELS:
            offsets[model] += counts[model]
        _write_chunk(chunk, ids=chunk_ids, totals=totals)


def _write_chunk(chunk: _Chunk, *, ids: dict[type[Model], IntArray], totals: _Totals) -> None:
    """Write the chunk's rows with the ids given, parents first."""
    debtor_ids = ids[Debtor]
    bulk_insert(
        Debtor._meta.db_table,
        ("id", *DEBTOR_COLUMNS),
        ((pk, *row) for pk, row in zip(debtor_ids.tolist(), chunk.debtor_rows, strict=True)),
    )
    bulk_insert(
        ContactPoint._meta.db_table,
        ("id", "debtor_id", *CONTACT_COLUMNS),
        (
            (pk, debtor, *row)
            for pk, debtor, row in zip(
                ids[ContactPoint].tolist(), debtor_ids[chunk.contact_debtor].tolist(), chunk.contact_rows, strict=True
            )
        ),
    )
    account_ids = ids[Account]
    bulk_insert(
        Account._meta.db_table,
        ("id", "creditor_id", *ACCOUNT_COLUMNS),
        ((pk, chunk.creditor_id, *row) for pk, row in zip(account_ids.tolist(), chunk.account_rows, strict=True)),
    )
    bulk_insert(
        AccountDebtor._meta.db_table,
        ("id", "account_id", "debtor_id", "role"),
        zip(
            ids[AccountDebtor].tolist(),
            account_ids[chunk.role_account].tolist(),
            debtor_ids[chunk.role_debtor].tolist(),
            chunk.role_names,
            strict=True,
        ),
    )
    _write_history(chunk, ids=ids, totals=totals)
    _write_plans(chunk, ids=ids, totals=totals)
    totals.debtors += len(chunk.debtor_rows)
    totals.contact_points += len(chunk.contact_rows)
    totals.accounts += len(chunk.account_rows)
    totals.account_debtors += len(chunk.role_names)


def _write_history(chunk: _Chunk, *, ids: dict[type[Model], IntArray], totals: _Totals) -> None:
    """Write the chunk's open items, ledger transactions, payments and entries (parents first)."""
    history = chunk.history
    vendor = connection.vendor
    account_ids = ids[Account]
    item_ids = ids[OpenItem]
    bulk_insert(
        OpenItem._meta.db_table,
        OPEN_ITEM_COLUMNS,
        zip(
            item_ids.tolist(),
            account_ids[history.item_account].tolist(),
            _ITEM_KIND_TEXT[history.item_kind].tolist(),
            history.item_reference,
            _COMPONENT_TEXT[history.item_component].tolist(),
            _day_strings(history.item_due_day),
            history.item_original.tolist(),
            history.item_balance.tolist(),
            _timestamps(history.item_created_second, vendor),
            strict=True,
        ),
    )
    txn_ids = ids[LedgerTransaction]
    count = len(txn_ids)
    bulk_insert(
        LedgerTransaction._meta.db_table,
        TRANSACTION_COLUMNS,
        zip(
            txn_ids.tolist(),
            account_ids[history.txn_account].tolist(),
            _TYPE_TEXT[history.txn_type].tolist(),
            [chunk.currency] * count,
            history.txn_amount.tolist(),
            _day_strings(history.txn_day),
            _timestamps(history.txn_posted_second, vendor),
            _nullable(_ids_at(txn_ids, history.txn_reverses)),
            _MEMO_TEXT[history.txn_memo].tolist(),
            [None] * count,
            strict=True,
        ),
    )
    payment_ids = ids[Payment].tolist()
    received = _timestamps(history.payment_received_second, vendor)
    methods = _METHOD_TEXT[history.payment_method].tolist()
    count = len(payment_ids)
    bulk_insert(
        Payment._meta.db_table,
        PAYMENT_COLUMNS,
        zip(
            payment_ids,
            account_ids[history.payment_account].tolist(),
            [chunk.currency] * count,
            history.payment_amount.tolist(),
            received,
            methods,
            [
                chunk.references[account] if method in _QUOTES_REFERENCE else ""
                for account, method in zip(history.payment_account.tolist(), methods, strict=True)
            ],
            [None] * count,
            txn_ids[history.payment_txn].tolist(),
            _nullable(_ids_at(txn_ids, history.payment_reversal_txn)),
            _MEMO_TEXT[history.payment_reversal_memo].tolist(),
            received,
            strict=True,
        ),
    )
    entry_ids = ids[LedgerEntry]
    bulk_insert(
        LedgerEntry._meta.db_table,
        ENTRY_COLUMNS,
        zip(
            entry_ids.tolist(),
            txn_ids[history.entry_txn].tolist(),
            account_ids[history.entry_account].tolist(),
            _nullable(_ids_at(item_ids, history.entry_item)),
            _BOOK_TEXT[history.entry_book].tolist(),
            _COMPONENT_TEXT[history.entry_component].tolist(),
            history.entry_amount.tolist(),
            _day_strings(history.entry_day),
            strict=True,
        ),
    )
    totals.open_items += len(item_ids)
    totals.transactions += len(txn_ids)
    totals.payments += len(payment_ids)
    totals.entries += len(entry_ids)


def _write_plans(chunk: _Chunk, *, ids: dict[type[Model], IntArray], totals: _Totals) -> None:
    """Write the chunk's payment plans (active, as agreed by an officer on a call) and their dues."""
    plans = chunk.plans
    vendor = connection.vendor
    plan_ids = ids[Arrangement]
    count = len(plan_ids)
    bulk_insert(
        Arrangement._meta.db_table,
        ARRANGEMENT_COLUMNS,
        zip(
            plan_ids.tolist(),
            ids[Account][plans.account].tolist(),
            [Arrangement.Kind.PLAN.value] * count,
            [Arrangement.State.ACTIVE.value] * count,
            [chunk.currency] * count,
            plans.total.tolist(),
            plans.balance.tolist(),
            plans.frequency,
            ["call"] * count,
            [Arrangement.TakenBy.OFFICER.value] * count,
            [0] * count,
            [0] * count,
            [_PLAN_GRACE_DAYS] * count,
            [_PLAN_MISSES_ALLOWED] * count,
            [False] * count,
            [""] * count,
            [""] * count,
            [None] * count,
            _timestamps(plans.created_second, vendor),
            [""] * count,
            strict=True,
        ),
    )
    dues = len(plans.due_plan)
    bulk_insert(
        Due._meta.db_table,
        DUE_COLUMNS,
        zip(
            ids[Due].tolist(),
            plan_ids[plans.due_plan].tolist() if count else [],
            plans.due_number.tolist(),
            _day_strings(plans.due_day),
            plans.due_amount.tolist(),
            [False] * dues,
            [Due.Status.PENDING.value] * dues,
            [0] * dues,
            _timestamps(np.full(dues, plans.now_second, dtype=np.int64), vendor),
            strict=True,
        ),
    )
    totals.arrangements += count
    totals.dues += dues


def _ids_at(ids: IntArray, positions: IntArray) -> IntArray:
    """The ids at `positions`, -1 where the position is -1."""
    if len(ids) == 0:
        return np.full(len(positions), -1, dtype=np.int64)
    return np.where(positions >= 0, ids[np.maximum(positions, 0)], -1)


# --- building one chunk -------------------------------------------------------------------------


def _build_chunk(
    rng: np.random.Generator,
    money_rng: np.random.Generator,
    context: _Context,
    *,
    spec: DemoCreditorSpec,
    creditor_id: int,
    first_index: int,
    size: int,
    reference_offset: int,
    first_debtor_ordinal: int,
) -> _Chunk:
    """All rows for `size` accounts of one creditor, numbered from `first_index` within it."""
    accounts = _draw_accounts(rng, context, spec=spec, size=size)

    # Primary debtors: a few accounts belong to a debtor who already has one with this creditor.
    repeats = int(rng.binomial(size, spec.repeat_debtor_per_mille / 1000)) if size > 1 else 0
    repeats = min(repeats, size - 1)
    primaries = size - repeats
    primary_of_account = np.concatenate([np.arange(primaries, dtype=np.int64), rng.integers(0, primaries, repeats)])
    rng.shuffle(primary_of_account)

    # Co-debtors (joint account holders, at the primary's address) and guarantors (elsewhere in town).
    draw = rng.random(size)
    co_cut = spec.co_debtor_per_mille / 1000
    guarantor_cut = co_cut + spec.guarantor_per_mille / 1000
    secondary_account = np.flatnonzero(draw < guarantor_cut).astype(np.int64)
    secondary_is_guarantor = draw[secondary_account] >= co_cut
    secondaries = len(secondary_account)
    debtor_count = primaries + secondaries

    # Each debtor joined when their first account was placed.
    debtor_placed = np.full(debtor_count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(debtor_placed, primary_of_account, accounts.placed_second)
    debtor_placed[primaries:] = accounts.placed_second[secondary_account]
    primary_of_secondary = primary_of_account[secondary_account]

    debtors = _draw_debtors(
        rng,
        context,
        spec=spec,
        primaries=primaries,
        primary_of_secondary=primary_of_secondary,
        secondary_is_guarantor=secondary_is_guarantor,
        joined_second=debtor_placed,
        first_ordinal=first_debtor_ordinal,
    )

    role_account = np.concatenate([np.arange(size, dtype=np.int64), secondary_account])
    role_debtor = np.concatenate([primary_of_account, primaries + np.arange(secondaries, dtype=np.int64)])
    role_names = ["primary"] * size + [
        "guarantor" if guarantor else "co_debtor" for guarantor in secondary_is_guarantor.tolist()
    ]
    account_rows, references, history = _account_rows(
        rng,
        money_rng,
        context,
        spec=spec,
        accounts=accounts,
        first_index=first_index,
        reference_offset=reference_offset,
    )
    return _Chunk(
        debtor_rows=debtors.rows,
        contact_debtor=debtors.contact_debtor,
        contact_rows=debtors.contact_rows,
        account_rows=account_rows,
        role_account=role_account,
        role_debtor=role_debtor,
        role_names=role_names,
        creditor_id=creditor_id,
        currency=spec.currency,
        references=references,
        history=history,
        plans=_payment_plans(history, placed_second=accounts.placed_second, now_second=context.now_second),
    )


def _payment_plans(history: History, *, placed_second: IntArray, now_second: int) -> _Plans:
    """The plan behind the instalments of each account still in arrangement, with its dues.

    The plan is the one the history drew: `planned_count` instalments of `instalment` from the first
    due day, every `cadence` days. Its balance is what the account owed when it was agreed (the
    ledger on that day; the placed balance when it showed nothing owed) and its total what the
    instalments add up to, at most that balance. The last due takes what is left, so the dues add up
    to the total, and a schedule the cap shortens ends early.
    """
    drawn = history.plans
    owed = drawn.owed_when_agreed
    balance = np.where(owed > 0, owed, drawn.placed_total)
    total = np.minimum(drawn.instalment * drawn.planned_count, balance)
    # Accounts still in arrangement; a plan needs something to pay (the database refuses a zero total).
    keep = np.flatnonzero((history.statuses[drawn.account] == "in_arrangement") & (total > 0))
    account = drawn.account[keep]
    instalment = drawn.instalment[keep]
    planned = drawn.planned_count[keep]
    balance = balance[keep]
    total = total[keep]
    count = np.minimum(planned, -(-total // instalment))
    due_plan = np.repeat(np.arange(len(account), dtype=np.int64), count)
    start = np.cumsum(count) - count
    number = np.arange(len(due_plan), dtype=np.int64) - start[due_plan] + 1
    cadence = drawn.cadence_days[keep]
    due_day = drawn.first_day[keep][due_plan] + (number - 1) * cadence[due_plan]
    due_amount = instalment[due_plan].copy()
    last = start + count - 1
    due_amount[last] = total - instalment * (count - 1)
    placed_day = placed_second[account] // _SECONDS_PER_DAY
    agreed_day = np.maximum(drawn.agreed_day[keep], placed_day)
    created = np.minimum(agreed_day * _SECONDS_PER_DAY + 12 * 3_600, now_second)
    return _Plans(
        account=account,
        created_second=created,
        total=total,
        balance=balance,
        frequency=[_PLAN_FREQUENCY.get(days, Frequency.EXPLICIT.value) for days in cadence.tolist()],
        due_plan=due_plan,
        due_number=number,
        due_day=due_day,
        due_amount=due_amount,
        now_second=now_second,
    )


@dataclass(frozen=True)
class _Accounts:
    products: StrArray
    dpd: IntArray
    first_delinquency_day: IntArray
    opened_day: IntArray
    placed_second: IntArray
    charge_off_day: IntArray
    """-1 where the account is not charged off."""
    statuses: StrArray


def _draw_accounts(rng: np.random.Generator, context: _Context, *, spec: DemoCreditorSpec, size: int) -> _Accounts:
    names = np.asarray([name for name, _ in spec.product_mix])
    weights = np.asarray([weight for _, weight in spec.product_mix], dtype=np.float64)
    products: StrArray = names[rng.choice(len(names), size=size, p=weights / weights.sum())]
    as_of = context.as_of_day
    if spec.collector_type == "third_party":
        dpd, since_placement = calibration.agency_days_past_due(rng, products=products, n=size)
        placed_day = as_of - since_placement
        first_delinquency = as_of - dpd
    else:
        dpd, delay = calibration.first_party_days_past_due(rng, product=str(names[0]), country=spec.country, n=size)
        first_delinquency = as_of - dpd
        placed_day = first_delinquency + delay
    opened = first_delinquency - calibration.days_before_delinquency_opened(rng, products=products)
    # Placement files load overnight, within two hours of the creditor's usual time.
    placed_second = placed_day * _SECONDS_PER_DAY + spec.placement_hour_utc * 3600 + rng.integers(0, 7200, size)
    placed_second = np.minimum(placed_second, context.now_second)
    charge_after = np.zeros(size, dtype=np.int64)
    for (country, product), days in calibration.CHARGE_OFF_DAYS.items():
        if country == spec.country:
            charge_after[products == product] = days
    charged = (charge_after > 0) & (dpd >= charge_after)
    charge_off_day = np.where(charged, first_delinquency + charge_after, -1)
    mix = "agency" if spec.collector_type == "third_party" else str(names[0])
    statuses = calibration.statuses(rng, mix=mix, dpd=dpd, charged_off=charged)
    return _Accounts(
        products=products,
        dpd=dpd,
        first_delinquency_day=first_delinquency,
        opened_day=opened,
        placed_second=placed_second,
        charge_off_day=charge_off_day,
        statuses=statuses,
    )


def _account_rows(
    rng: np.random.Generator,
    money_rng: np.random.Generator,
    context: _Context,
    *,
    spec: DemoCreditorSpec,
    accounts: _Accounts,
    first_index: int,
    reference_offset: int,
) -> tuple[list[tuple[object, ...]], list[str], History]:
    """The account rows, their references, and their money history (which settles the statuses)."""
    size = len(accounts.dpd)
    references = reference_numbers(
        first_index=first_index,
        count=size,
        digits=spec.reference_digits,
        offset=reference_offset,
    )
    references = [spec.reference_prefix + number for number in references]

    if spec.collector_type == "third_party":
        original = [""] * size
        pick = rng.random(size)
        for product, names in ORIGINAL_CREDITORS.items():
            for i in np.flatnonzero(accounts.products == product).tolist():
                original[i] = names[int(pick[i] * len(names))]
    else:
        original = [""] * size

    changed = _status_changed(rng, context, accounts)
    history = build_history(
        money_rng, _facts(context, spec=spec, accounts=accounts, changed=changed, first_index=first_index)
    )
    settled = replace(accounts, statuses=history.statuses)
    officers, teams = _assign(rng, context.routing, spec=spec, accounts=settled)
    charge_off = _nullable_dates(accounts.charge_off_day)
    balances = history.balances
    rows: list[tuple[object, ...]] = list(
        zip(
            references,
            original,
            accounts.products.tolist(),
            [spec.currency] * size,
            _dates(accounts.opened_day),
            _dates(accounts.first_delinquency_day),
            charge_off,
            history.statuses.tolist(),
            _timestamps(history.changed_second, context.vendor),
            officers,
            teams,
            _timestamps(accounts.placed_second, context.vendor),
            _dates(history.itemization_day),
            history.itemization_amount.tolist(),
            *(balances[:, code].tolist() for code in range(len(COMPONENTS))),
            history.credit_balance.tolist(),
            _nullable_dates(history.oldest_unpaid_day),
            strict=True,
        )
    )
    return rows, references, history


def _status_changed(rng: np.random.Generator, context: _Context, accounts: _Accounts) -> IntArray:
    """When each status was set: on placement for active accounts, at a random time between placement
    and the start of the business date for the rest (so the history depends on `as_of`, not on `now`)."""
    size = len(accounts.dpd)
    business_day_start = context.as_of_day * _SECONDS_PER_DAY
    changed = np.where(
        accounts.statuses == "active",
        accounts.placed_second,
        accounts.placed_second
        + (rng.random(size) * np.maximum(business_day_start - accounts.placed_second, 0)).astype(np.int64),
    )
    return np.minimum(changed, context.now_second)


def _facts(
    context: _Context, *, spec: DemoCreditorSpec, accounts: _Accounts, changed: IntArray, first_index: int
) -> AccountFacts:
    """What the money history of these accounts is drawn from."""
    return AccountFacts(
        currency=spec.currency,
        country=spec.country,
        third_party=spec.collector_type == "third_party",
        products=accounts.products,
        statuses=accounts.statuses,
        dpd=accounts.dpd,
        first_delinquency_day=accounts.first_delinquency_day,
        placed_second=accounts.placed_second,
        charge_off_day=accounts.charge_off_day,
        changed_second=changed,
        first_index=first_index,
        as_of_day=context.as_of_day,
        now_second=context.now_second,
    )


def sample_history(*, creditor_code: str, accounts: int, seed: int, as_of: date) -> tuple[AccountFacts, History]:
    """One creditor's accounts and their money history, drawn as `generate_portfolio` draws them, in memory.

    No database and no people: for checking the calibration on large samples (the tests and
    docs/demo-data.md use it). The rows differ from a generated portfolio's (other random streams).
    """
    spec = next((spec for spec in DEMO_CREDITORS if spec.code == creditor_code), None)
    if spec is None:
        raise UnableToGenerateDemoData(f"There is no demo creditor '{creditor_code}'.")
    as_of_day = (as_of - _EPOCH).days
    context = _Context(
        seed=seed,
        as_of_day=as_of_day,
        now_second=as_of_day * _SECONDS_PER_DAY + 12 * 3600,
        vendor="",
        pools={},
        routing=_Routing(officers={}, officer_team={}, segment_team={}),
        email_modulus=10,
    )
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x5A3])))
    money_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x5A3, _MONEY_STREAM])))
    drawn = _draw_accounts(rng, context, spec=spec, size=accounts)
    changed = _status_changed(rng, context, drawn)
    facts = _facts(context, spec=spec, accounts=drawn, changed=changed, first_index=0)
    history = build_history(money_rng, facts)
    return facts, history


def reference_numbers(*, first_index: int, count: int, digits: int, offset: int) -> list[str]:
    """Distinct, random-looking `digits`-digit numbers for account indexes first_index, first_index+1, ...

    A bijection on 0 .. 10**digits - 1 (an affine map, then three rounds of reversing the digits and
    another affine map, each multiplier coprime with 10), so indexes below 10**digits never share a
    number and neighbours do not look like a sequence.
    """
    modulus = 10**digits
    multiplier = _coprime_with_ten(int(modulus * 0.6180339887))
    first = (np.arange(first_index, first_index + count, dtype=np.int64) * multiplier + offset) % modulus
    values = first.tolist()
    for _ in range(_REFERENCE_ROUNDS):
        values = [(int(f"{value:0{digits}d}"[::-1]) * _REFERENCE_MULTIPLIER + offset) % modulus for value in values]
    return [f"{value:0{digits}d}" for value in values]


def _coprime_with_ten(value: int) -> int:
    while value % 2 == 0 or value % 5 == 0:
        value += 1
    return value


def _assign(
    rng: np.random.Generator, routing: _Routing, *, spec: DemoCreditorSpec, accounts: _Accounts
) -> tuple[list[int | None], list[int | None]]:
    """Officer and team of each account: by segment, with a few new accounts not yet allocated."""
    size = len(accounts.dpd)
    late = (accounts.dpd >= LATE_STAGE_MIN_DPD) | (spec.collector_type == "third_party")
    segment = np.where(accounts.products == "b2b_invoice", 2, np.where(late, 1, 0))
    officer = np.full(size, -1, dtype=np.int64)
    team = np.full(size, -1, dtype=np.int64)
    pick = rng.random(size)
    unassigned = (rng.random(size) < _UNASSIGNED_SHARE) & (accounts.statuses == "active")
    for code, name in enumerate(_SEGMENTS):
        candidates = routing.officers[name]
        mask = segment == code
        if len(candidates) == 0:
            continue
        chosen = candidates[(pick[mask] * len(candidates)).astype(np.int64)]
        officer[mask] = chosen
        team[mask] = [routing.officer_team[int(pk)] for pk in chosen.tolist()]
        waiting = mask & unassigned
        officer[waiting] = -1
        team[waiting] = routing.segment_team[name]
    return _nullable(officer), _nullable(team)


@dataclass(frozen=True)
class _Debtors:
    rows: list[tuple[object, ...]]
    contact_debtor: IntArray
    contact_rows: list[tuple[object, ...]]


def _draw_debtors(
    rng: np.random.Generator,
    context: _Context,
    *,
    spec: DemoCreditorSpec,
    primaries: int,
    primary_of_secondary: IntArray,
    secondary_is_guarantor: BoolArray,
    joined_second: IntArray,
    first_ordinal: int,
) -> _Debtors:
    country = spec.country
    pools = context.pools[country]
    count = primaries + len(primary_of_secondary)
    secondary = np.arange(primaries, count, dtype=np.int64)
    co_debtor = secondary[~secondary_is_guarantor]
    co_primary = primary_of_secondary[~secondary_is_guarantor]

    # Where they live: a city of the creditor's country (or catchment), weighted by population.
    city_index = np.asarray(
        [
            i
            for i, city in enumerate(CITIES)
            if city.country == country and (not spec.regions or city.region in spec.regions)
        ],
        dtype=np.int64,
    )
    city_weight = np.asarray([CITIES[i].weight for i in city_index.tolist()], dtype=np.float64)
    city = city_index[rng.choice(len(city_index), size=count, p=city_weight / city_weight.sum())]
    city[secondary] = city[primary_of_secondary]

    business = np.zeros(count, dtype=np.bool_)
    if spec.business_debtors:
        business[:primaries] = True
    given = rng.integers(0, len(pools.given_names), count)
    family = rng.integers(0, len(pools.family_names), count)
    # Joint account holders are often spouses with the same family name.
    same_family = rng.random(len(co_debtor)) < 0.6
    family[co_debtor[same_family]] = family[co_primary[same_family]]
    company = rng.integers(0, len(pools.companies), count)

    line1, line2, postcode = _addresses(rng, pools, country=country, city=city, business=business)
    for target, source in zip(co_debtor.tolist(), co_primary.tolist(), strict=True):
        line1[target], line2[target], postcode[target] = line1[source], line2[source], postcode[source]

    # Ages: debtors are mostly 25-65; guarantors are older. Some placements carry no date of birth.
    age_days = (np.clip(rng.normal(45, 14, count), 19, 90) * 365.25).astype(np.int64)
    guarantors = secondary[secondary_is_guarantor]
    age_days[guarantors] = (np.clip(rng.normal(54, 10, len(guarantors)), 25, 88) * 365.25).astype(np.int64)
    birth = _dates(context.as_of_day - age_days - rng.integers(0, 365, count))
    no_birth = business | ((rng.random(count) < 0.04) & (spec.industry != "healthcare"))
    for i in np.flatnonzero(no_birth).tolist():
        birth[i] = None

    business_list = business.tolist()
    kinds = ["business" if flag else "person" for flag in business_list]
    given_names = ["" if flag else pools.given_names[i] for flag, i in zip(business_list, given.tolist(), strict=True)]
    family_names = [
        "" if flag else pools.family_names[i] for flag, i in zip(business_list, family.tolist(), strict=True)
    ]
    company_names = [
        pools.companies[i] if flag else "" for flag, i in zip(business_list, company.tolist(), strict=True)
    ]
    places = [CITIES[i] for i in city.tolist()]
    rows: list[tuple[object, ...]] = list(
        zip(
            kinds,
            given_names,
            family_names,
            company_names,
            birth,
            ["en"] * count,
            [place.time_zone for place in places],
            line1,
            line2,
            [place.name for place in places],
            [place.region for place in places],
            postcode,
            [place.country for place in places],
            _timestamps(joined_second, context.vendor),
            strict=True,
        )
    )
    contact_debtor, contact_rows = _contact_points(
        rng,
        context,
        country=country,
        city=city,
        business=business,
        given=given,
        family=family,
        company=company,
        joined_day=joined_second // _SECONDS_PER_DAY,
        first_ordinal=first_ordinal,
    )
    return _Debtors(rows=rows, contact_debtor=contact_debtor, contact_rows=contact_rows)


def _addresses(
    rng: np.random.Generator, pools: CountryPools, *, country: str, city: IntArray, business: BoolArray
) -> tuple[list[str], list[str], list[str]]:
    count = len(city)
    streets = rng.integers(0, len(pools.streets), count)
    if country == "US":
        numbers = np.clip(rng.lognormal(np.log(900), 1.0, count), 1, 19999)
        unit_share = 0.22
    else:
        numbers = np.clip(rng.lognormal(np.log(35), 0.9, count), 1, 400)
        unit_share = 0.25 if country == "AU" else 0.15
    has_unit = rng.random(count) < np.where(business, 0.45, unit_share)
    unit_number = rng.integers(1, 41, count)
    labels = UNIT_LABELS[country]
    label_pick = rng.integers(0, len(labels), count)
    street_names = [pools.streets[i] for i in streets.tolist()]
    line1 = [f"{int(number)} {street}" for number, street in zip(numbers.tolist(), street_names, strict=True)]
    line2 = [
        (("Unit" if is_business else labels[label]) + f" {unit}") if unit_flag else ""
        for unit_flag, is_business, label, unit in zip(
            has_unit.tolist(), business.tolist(), label_pick.tolist(), unit_number.tolist(), strict=True
        )
    ]
    cities = [CITIES[i] for i in city.tolist()]
    draw = rng.random(count).tolist()
    if country == "GB":
        inward_digit = rng.integers(0, 10, count).tolist()
        letters = rng.integers(0, len(UK_INWARD_LETTERS), (count, 2)).tolist()
        postcode = [
            f"{place.outward_codes[int(u * len(place.outward_codes))]} {digit}"
            f"{UK_INWARD_LETTERS[pair[0]]}{UK_INWARD_LETTERS[pair[1]]}"
            for place, u, digit, pair in zip(cities, draw, inward_digit, letters, strict=True)
        ]
    else:
        width = 5 if country == "US" else 4
        postcode = [
            f"{place.postcode_low + int(u * (place.postcode_high - place.postcode_low + 1)):0{width}d}"
            for place, u in zip(cities, draw, strict=True)
        ]
    return line1, line2, postcode


def _contact_points(
    rng: np.random.Generator,
    context: _Context,
    *,
    country: str,
    city: IntArray,
    business: BoolArray,
    given: IntArray,
    family: IntArray,
    company: IntArray,
    joined_day: IntArray,
    first_ordinal: int,
) -> tuple[IntArray, list[tuple[object, ...]]]:
    """Phones and emails of the debtors, with provenance, consent and do-not-contact flags."""
    count = len(city)
    pools = context.pools[country]

    # How many phones: people mostly one (a mobile), a quarter two, a few none; businesses one or two.
    person_phones = rng.choice(4, size=count, p=[0.06, 0.68, 0.24, 0.02])
    business_phones = rng.choice(3, size=count, p=[0.0, 0.6, 0.4])
    phone_count = np.where(business, business_phones, person_phones).astype(np.int64)
    has_email = rng.random(count) < np.where(business, 0.92, 0.72)
    second_email = has_email & (rng.random(count) < np.where(business, 0.10, 0.06))
    email_count = has_email.astype(np.int64) + second_email.astype(np.int64)

    phone_debtor = np.repeat(np.arange(count, dtype=np.int64), phone_count)
    phone_rank = np.arange(len(phone_debtor), dtype=np.int64) - np.repeat(
        np.cumsum(phone_count) - phone_count, phone_count
    )
    phones = len(phone_debtor)
    phone_business = business[phone_debtor]
    first = phone_rank == 0
    type_draw = rng.random(phones)
    phone_type = np.where(
        phone_business,
        np.where(first, np.where(type_draw < 0.9, "work", "mobile"), np.where(type_draw < 0.7, "mobile", "work")),
        np.where(
            first,
            np.where(type_draw < 0.78, "mobile", np.where(type_draw < 0.96, "home", "work")),
            np.where(type_draw < 0.45, "home", np.where(type_draw < 0.75, "work", "mobile")),
        ),
    )
    values = _phone_numbers(rng, plan_country=country, city=city[phone_debtor], mobile=phone_type == "mobile")
    # A debtor never has the same number twice (the table is unique on debtor, kind and value).
    debtor_list = phone_debtor.tolist()
    for i in range(1, phones):
        while debtor_list[i] == debtor_list[i - 1] and (
            values[i] == values[i - 1]
            or (i > 1 and debtor_list[i] == debtor_list[i - 2] and values[i] == values[i - 2])
        ):
            values[i] = values[i][:-1] + str((int(values[i][-1]) + 1) % 10)

    email_debtor = np.repeat(np.arange(count, dtype=np.int64), email_count)
    email_rank = np.arange(len(email_debtor), dtype=np.int64) - np.repeat(
        np.cumsum(email_count) - email_count, email_count
    )
    emails = len(email_debtor)
    ordinal = first_ordinal + email_debtor
    number = ((ordinal * _EMAIL_NUMBER_MULTIPLIER + 1000) % context.email_modulus).tolist()
    domain_first = rng.integers(0, len(_EMAIL_DOMAINS), emails)
    domain = ((domain_first + email_rank) % len(_EMAIL_DOMAINS)).tolist()
    pattern = rng.integers(0, 4, emails).tolist()
    is_business = business.tolist()
    given_list = given.tolist()
    family_list = family.tolist()
    company_list = company.tolist()
    email_values: list[str] = []
    for debtor, rank, num, dom, style in zip(
        email_debtor.tolist(), email_rank.tolist(), number, domain, pattern, strict=True
    ):
        if is_business[debtor]:
            local = ("accounts." if rank == 0 else "ap.") + pools.company_slugs[company_list[debtor]]
        else:
            first_name = pools.given_slugs[given_list[debtor]]
            last_name = pools.family_slugs[family_list[debtor]]
            if rank > 0:
                local = first_name
            elif style == 0:
                local = f"{first_name}.{last_name}"
            elif style == 1:
                local = f"{first_name[0]}{last_name}"
            elif style == 2:
                local = f"{last_name}.{first_name}"
            else:
                local = f"{first_name}{last_name}"
        email_values.append(f"{local}{num}@{_EMAIL_DOMAINS[dom]}")

    # Provenance: one table for phones and emails, phones first.
    owner = np.concatenate([phone_debtor, email_debtor])
    rank = np.concatenate([phone_rank, email_rank])
    total = len(owner)
    kinds = ["phone"] * phones + ["email"] * emails
    types = phone_type.tolist() + [""] * emails
    is_mobile = np.concatenate([phone_type == "mobile", np.zeros(emails, dtype=np.bool_)])
    is_work = np.concatenate([phone_type == "work", np.zeros(emails, dtype=np.bool_)])
    is_email = np.concatenate([np.zeros(phones, dtype=np.bool_), np.ones(emails, dtype=np.bool_)])

    source_draw = rng.random(total)
    later = rank > 0
    # The first number and address mostly come with the placement; later ones from the debtor,
    # a skip trace or an officer.
    source = np.where(
        later,
        np.where(
            source_draw < 0.5,
            "placement",
            np.where(source_draw < 0.7, "debtor", np.where(source_draw < 0.92, "skip_trace", "officer")),
        ),
        np.where(
            source_draw < 0.88,
            "placement",
            np.where(source_draw < 0.94, "debtor", np.where(source_draw < 0.98, "skip_trace", "officer")),
        ),
    )
    joined = joined_day[owner]
    span = np.maximum(context.as_of_day - joined, 0)
    obtained = np.where(source == "placement", joined, joined + (rng.random(total) * (span + 1)).astype(np.int64))
    obtained = np.minimum(obtained, context.as_of_day)

    from_debtor = source == "debtor"
    consent_draw = rng.random(total)
    granted_share = np.where(from_debtor, 0.85, np.where(is_mobile, 0.38, np.where(is_email, 0.45, 0.10)))
    revoked_share = np.where(is_mobile | is_email, 0.02, 0.01)
    consent = np.where(
        consent_draw < granted_share,
        "granted",
        np.where(consent_draw > 1 - revoked_share, "revoked", "unknown"),
    )
    verified_share = np.select(
        [from_debtor, source == "officer", source == "placement"], [0.90, 0.70, 0.30], default=0.15
    )
    verified = rng.random(total) < verified_share
    # Do not contact: rare; more often where consent was withdrawn, and at work (employers forbid calls).
    dnc_share = np.where(consent == "revoked", 0.6, np.where(is_work, 0.05, 0.015))
    do_not_contact = rng.random(total) < dnc_share
    # The provenance the US-06 and US-02 rules read, drawn from a child stream so the figures above
    # (and everything drawn after them) stay what they were for the same seed.
    extra = rng.spawn(1)[0]
    consent_day = np.where(consent == "unknown", -1, obtained)
    texted = is_mobile & (from_debtor | (consent == "granted")) & (extra.random(total) < 0.55)
    last_use = np.where(
        texted, np.maximum(obtained, context.as_of_day - (extra.random(total) * 120).astype(np.int64)), -1
    )
    checked = is_mobile & (extra.random(total) < 0.30)
    reassigned = np.where(checked, context.as_of_day - (extra.random(total) * 45).astype(np.int64), -1)
    employer_email = is_email & (extra.random(total) < 0.03)
    not_at_work = is_work & (extra.random(total) < 0.30)
    rows: list[tuple[object, ...]] = list(
        zip(
            kinds,
            values + email_values,
            types,
            source.tolist(),
            _dates(obtained),
            consent.tolist(),
            verified.tolist(),
            do_not_contact.tolist(),
            (rank == 0).tolist(),
            _nullable_dates(consent_day),
            _nullable_dates(last_use),
            _nullable_dates(reassigned),
            employer_email.tolist(),
            not_at_work.tolist(),
            strict=True,
        )
    )
    return owner, rows


def _phone_numbers(rng: np.random.Generator, *, plan_country: str, city: IntArray, mobile: BoolArray) -> list[str]:
    """E.164 numbers: a prefix of the city (or a mobile block), then random subscriber digits."""
    plan = PHONE_PLANS[plan_country]
    count = len(city)
    pick = rng.random(count).tolist()
    use_mobile_block = mobile & (len(plan.mobile_prefixes) > 0)
    prefixes = [
        plan.mobile_prefixes[int(u * len(plan.mobile_prefixes))]
        if block
        else CITIES[c].landline_prefixes[int(u * len(CITIES[c].landline_prefixes))]
        for c, u, block in zip(city.tolist(), pick, use_mobile_block.tolist(), strict=True)
    ]
    if plan.nanp:
        exchange = np.asarray(NANP_EXCHANGES, dtype=np.int64)[rng.integers(0, len(NANP_EXCHANGES), count)]
        subscriber = (exchange * 10_000 + rng.integers(0, 10_000, count)).tolist()
        return [
            f"+{plan.calling_code}{prefix}{number:07d}" for prefix, number in zip(prefixes, subscriber, strict=True)
        ]
    digits = rng.integers(0, 10**9, count).tolist()
    length = plan.national_length
    return [
        f"+{plan.calling_code}{prefix}{number % 10 ** (length - len(prefix)):0{length - len(prefix)}d}"
        for prefix, number in zip(prefixes, digits, strict=True)
    ]


# --- formatting ---------------------------------------------------------------------------------


def _dates(days: IntArray) -> list[str | None]:
    """ISO dates from days since 1970-01-01, as both databases read them."""
    return np.datetime_as_string(days.astype("datetime64[D]")).tolist()


def _nullable_dates(days: IntArray) -> list[str | None]:
    """ISO dates, None where the day is -1."""
    text = _dates(days)
    for i in np.flatnonzero(days < 0).tolist():
        text[i] = None
    return text


def _day_strings(days: IntArray) -> list[str]:
    """ISO dates like `_dates`, formatted once per distinct day (ledger rows share few dates)."""
    if len(days) == 0:
        return []
    first = int(days.min())
    table = np.asarray(_dates(np.arange(first, int(days.max()) + 1, dtype=np.int64)), dtype=object)
    return table[days - first].tolist()


def _timestamps(seconds: IntArray, vendor: str) -> list[str]:
    """UTC timestamps from seconds since the epoch, in the text form each database stores."""
    if len(seconds) == 0:
        return []
    text = np.char.replace(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "T", " ")
    if vendor == "postgresql":
        text = np.char.add(text, "+00:00")
    return text.tolist()


def _nullable(values: IntArray) -> list[int | None]:
    return [None if value < 0 else value for value in values.tolist()]
