"""Every audit event Recoup writes: its name, what it is about, the shape of its values, where it shows.

One member of `Event` per name. A name reads `<app>.<subject>.<verb>` (`accounts.payment.recorded`).
Each event declares the type of thing it is about (`subject`, stored as the row's `subject_type`),
the keys and value types of its `after` and `before` values (a `TypedDict`; `None` when the event
carries none), and the timeline section it belongs to (`Section`). `recoup.audit.services` is the
only writer: it refuses a name that is not here, a missing key, an unknown key and a value of the
wrong type, so the log can be read by name without guessing.

Renamed events keep their old names in `former`, so rows written before a rename still read (the
log is append-only: old rows are never rewritten). `event_for(name)` resolves either.

Adding an event: add its payload type and a member here, then write it with `record_event` or
`event_row`. `tests/unit/audit/test_event_registry.py` fails on a name written anywhere in the code
that is not registered.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NotRequired, TypedDict, Union


class Section(enum.Enum):
    """The account timeline's sections (its filter), in the order they are offered."""

    CONTACTS = "contacts", "Calls and messages"
    MONEY = "money", "Money"
    ARRANGEMENTS = "arrangements", "Plans and promises"
    HOLDS = "holds", "Holds and legal"
    STATUS = "status", "Status and details"
    NOTES = "notes", "Notes"

    @property
    def key(self) -> str:
        return str(self.value[0])

    @property
    def label(self) -> str:
        return str(self.value[1])


# Payload types: the keys and value types an event's `after` (and `before`) values hold. Money is a
# string with its currency ("120.00 USD"), dates and times ISO 8601 strings, other rows by id.


class Balances(TypedDict):
    principal: str
    interest: str
    fees: str
    costs: str
    credit_balance: str


class Posted(Balances):
    """A ledger transaction: its amount and date, with the account's balances after it."""

    amount: str
    effective_date: str


class ChargePosted(Posted):
    item: int
    component: str
    due_date: str


class AdjustmentPosted(Posted):
    item: int
    signed_amount: str


class ReversalPosted(Posted):
    payment: int
    reason: str


class PaymentRecorded(TypedDict):
    amount: str
    method: str
    received_at: str
    allocated: dict[str, str]
    overpayment: str
    transaction: int


class BalanceLoaded(TypedDict):
    loaded: dict[str, str]
    memo: str


class Status(TypedDict):
    status: str


class StatusChanged(Status):
    reason: str


class AccountStatusChanged(StatusChanged):
    closure_reason: NotRequired[str]  # a move to closed that names why (Account.ClosureReason)


class Officer(TypedDict):
    assigned_officer: int | None


class Reassigned(TypedDict):
    assigned_officer: int
    reason: str


class Freeze(TypedDict):
    components: list[str]
    starts_on: str
    ends_on: str | None
    ended_on: str | None
    reason: str
    source: str
    source_id: str


class FreezeEnded(Freeze):
    end_reason: str
    last_day: str


class ArrangementMade(TypedDict):
    state: str
    total: str
    dues: list[list[str]]
    replaces: int | None
    approval_reason: str


class State(TypedDict):
    state: str


class StateChanged(State):
    reason: str


class Approved(TypedDict):
    approval_reason: str
    note: str


class DueMissed(TypedDict):
    due: int
    due_date: str
    amount: str


class LetterProduced(TypedDict):
    bytes: int


class Affordability(TypedDict):
    income: str
    disposable: str
    debt_share: str
    suggested: str
    frequency: str


class BulkSent(TypedDict):
    template: str
    channel: str
    accounts: int
    now: int
    deferred: int
    refused: int


class Bounced(TypedDict):
    reason: str
    to: str


class MessageQueued(TypedDict):
    channel: str
    to: str
    subject: str
    template: str
    status: NotRequired[str]  # not for a printed letter
    not_before: NotRequired[str | None]


class MessageSent(TypedDict):
    batch: NotRequired[int]  # a printed letter: its print batch
    channel: str
    subject: str
    to: str


class TemplateSaved(TypedDict):
    code: str
    channel: str
    language: str
    version: int
    purpose: NotRequired[str]  # collection, statement, required_notice or cease_notice


class ConsentGiven(TypedDict):
    debtor: int
    given_at: str
    ends_at: str | None


class ConsentRevoked(TypedDict):
    revoked_at: str


class ContactDecided(TypedDict):
    allowed: bool
    at: str
    automated: bool
    channel: str
    purpose: str
    contact_point: int | None
    next_allowed: str | None
    override: str
    reasons: list[Any]
    warnings: list[Any]
    rule_packs: list[str]
    time_zones: list[str]
    usable_contact_points: list[int]


class ContactRecorded(TypedDict):
    at: str
    channel: str
    outcome: str
    decision: int | None
    also_about: NotRequired[list[str]]  # the references of the other debts it was about


class Forbearance(TypedDict):
    option: str
    outcome: str
    reason: str
    starts_on: str
    ends_on: str | None
    freeze: int | None


class HardshipReceived(TypedDict):
    received_on: str
    how: str
    hold: int


class HardshipDecided(TypedDict):
    decided_on: str
    decision: str
    note: str


class InfoRequested(TypedDict):
    info_requested_on: str


class InfoReceived(TypedDict):
    info_received_on: str


class HoldPlaced(TypedDict):
    kind: str
    channel: str
    reason: str
    starts_at: str
    ends_at: str | None
    debtor: int | None


class HoldKindOf(TypedDict):
    kind: str


class Reason(TypedDict):
    reason: str


class LiftAsked(TypedDict):
    reason: str
    request: int


class LiftRequest(TypedDict):
    request: int
    requested_by: int
    reason: str


class LiftDecision(TypedDict):
    decision: str
    note: str


class LegalReferralChecked(TypedDict):
    rule: str
    basis: str
    limitation_ends: str | None
    confirmed_by_person: str


class ExtinguishedClosed(TypedDict):
    """An extinguished debt's account closed by an officer (UK-06, AU-05)."""

    rule: str
    basis: str
    limitation_ends: str
    extinguished_on: str
    from_status: str
    reason: str


class DisputeOpened(TypedDict):
    """A dispute or complaint received, with the facts its clocks rest on and the rules they come from."""

    kind: str
    channel: str
    raised_by: str
    reason: str
    category: str
    text: str
    disputed: str | None  # the disputed amount with its currency; None for the whole debt
    received_at: str
    received_on: str
    time_zone: str
    country: str
    region: str
    rules: list[str]
    validation_ends: str | None
    duplicate_of: int | None
    hold: int | None  # the verification hold, where collection stops
    deadlines: list[str]  # "UK-13 2026-12-23 resolve it with a summary ..."


class DisputeState(TypedDict):
    state: str


class DisputeAdvanced(TypedDict):
    state: str
    outcome: str
    note: str
    on: str  # the day of the step, in the person's time zone
    hold_lifted: int | None


class NoticeRecorded(TypedDict):
    kind: str
    channel: str
    sent_on: str
    remedy_days: int | None


class Undeliverable(TypedDict):
    undeliverable_on: str


class WishRecorded(TypedDict):
    debtor: int
    channel: str
    weekdays: list[int]
    starts: str
    ends: str
    note: str


class Debtor(TypedDict):
    debtor: int


class PortfolioGenerated(TypedDict):
    seed: int
    as_of: str
    creditors_created: list[str]
    accounts_by_creditor: dict[str, int]
    accounts: int
    debtors: int
    account_debtors: int
    contact_points: int
    open_items: int
    transactions: int
    entries: int
    payments: int
    arrangements: int
    dues: int
    holds: int


class ExportDownloaded(TypedDict):
    kind: str
    format: str
    channel: str
    filters: dict[str, Any]
    rows: int
    completed: bool
    output: NotRequired[str]  # from the command line: the file written and who ran it
    os_user: NotRequired[str]


AccountPlaced = TypedDict("AccountPlaced", {"reference": str, "import": int, "row": int, "debtor": int})
PartyPlaced = TypedDict("PartyPlaced", {"debtor": int, "import": int, "role": str, "row": int})


class BankLineMatched(TypedDict):
    status: str
    amount: str
    to: list[str]
    payments: list[int]
    note: str


class StatementImported(TypedDict):
    file: str
    format: str
    account: str
    lines: int
    posted: int
    unmatched: int
    not_credits: int
    already_imported: int


InvoicePlaced = TypedDict(  # `import` is a keyword: only the functional form can name it
    "InvoicePlaced",
    {"invoice_reference": str, "invoice_date": str, "due_date": str, "amount": str, "import": int, "row": int},
)


class Amount(TypedDict):
    amount: str


InvoiceUpdated = TypedDict("InvoiceUpdated", {"amount": str, "import": int, "row": int})


class MappingSaved(TypedDict):
    name: str
    kind: str
    created: bool
    columns: dict[str, Any]
    delimiter: str
    encoding: str
    date_format: str
    decimal_separator: str
    thousands_separator: str


class ContactPointAdded(TypedDict):
    debtor: int
    kind: str
    value: str
    consent: str
    source: str


class ContactPointStopped(TypedDict):
    debtor: int
    kind: str
    value: str
    reason: str


class DoNotContact(TypedDict):
    do_not_contact: bool


class CreditorCreated(TypedDict):
    code: str
    name: str
    country: str
    currency: str


class DebtorCreated(TypedDict):
    kind: str
    name: str
    country: str


class RunStarted(TypedDict):
    run_date: str
    version: int
    trigger: str


class RunFinished(TypedDict):
    run_date: str
    actions: int


class Schedule(TypedDict):
    enabled: bool
    time: str
    zone: str


class Active(TypedDict):
    active: int


class VersionSaved(TypedDict):
    number: int
    definition: dict[str, Any]
    note: str


class Definition(TypedDict):
    definition: dict[str, Any]


class VersionDiscarded(TypedDict):
    number: int
    definition: dict[str, Any]


class LegalReviewFlagged(TypedDict):
    step: str
    run_date: str
    action: int


class TeamCreated(TypedDict):
    name: str
    lead: str | None


class Lead(TypedDict):
    lead: str | None


class UserCreated(TypedDict):
    username: str
    role: str
    team: str | None


class PasswordChanged(TypedDict):
    password: str


class Claimed(TypedDict):
    reason: str
    until: str
    allowed_channels: list[str]
    passed_over: list[Any]


class CallLogged(TypedDict):
    outcome: str
    note: str
    decision: int
    callbacks_done: list[int]
    strategy_calls_done: list[int]


class Note(TypedDict):
    text: str


class ViewSaved(TypedDict):
    name: str
    filters: dict[str, Any]
    replaced: bool


class View(TypedDict):
    name: str
    filters: dict[str, Any]


class Nothing(TypedDict):
    pass


class FieldValues(dict[str, Any]):
    """Values keyed by field name, whatever the fields are (an administrator's edit, an import's update)."""


@dataclass(frozen=True)
class Spec:
    """What one event name means: see the module docstring."""

    name: str
    subject: str | None  # None: the writer names it (an administrator's edit names the model)
    after: type | None
    before: type | None = None
    section: Section | None = None  # None: on the timeline under "everything" only
    hidden: bool = False  # never on the timeline (the contact ledger shows every gate answer)
    former: tuple[str, ...] = ()


S = Spec
_CONTACTS, _MONEY, _PLANS, _HOLDS, _STATUS, _NOTES = (
    Section.CONTACTS,
    Section.MONEY,
    Section.ARRANGEMENTS,
    Section.HOLDS,
    Section.STATUS,
    Section.NOTES,
)


class Event(enum.Enum):
    """Every audit event, one member per name."""

    # accounts: the ledger and the account
    TRANSACTION_CHARGE = S("accounts.transaction.charge", "transaction", ChargePosted, Balances, _MONEY)
    TRANSACTION_INTEREST = S("accounts.transaction.interest", "transaction", ChargePosted, Balances, _MONEY)
    TRANSACTION_FEE = S("accounts.transaction.fee", "transaction", ChargePosted, Balances, _MONEY)
    TRANSACTION_COST = S("accounts.transaction.cost", "transaction", ChargePosted, Balances, _MONEY)
    TRANSACTION_ADJUSTMENT = S("accounts.transaction.adjustment", "transaction", AdjustmentPosted, Balances, _MONEY)
    TRANSACTION_PAYMENT_REVERSAL = S(
        "accounts.transaction.payment_reversal", "transaction", ReversalPosted, Balances, _MONEY
    )
    TRANSACTION_REFUND = S("accounts.transaction.refund", "transaction", Posted, Balances, _MONEY)
    TRANSACTION_DISCOUNT = S("accounts.transaction.discount", "transaction", Posted, Balances, _MONEY)
    TRANSACTION_SETTLEMENT_WRITE_DOWN = S(
        "accounts.transaction.settlement_write_down", "transaction", Posted, Balances, _MONEY
    )
    TRANSACTION_WRITE_OFF = S("accounts.transaction.write_off", "transaction", Posted, Balances, _MONEY)
    TRANSACTION_WRITE_OFF_RECOVERY = S(
        "accounts.transaction.write_off_recovery", "transaction", Posted, Balances, _MONEY
    )
    PAYMENT_RECORDED = S("accounts.payment.recorded", "payment", PaymentRecorded, None, _MONEY)
    BALANCE_LOADED = S("accounts.balance.loaded", "account", BalanceLoaded, None, _MONEY)
    ACCOUNT_STATUS_CHANGED = S("accounts.account.status_changed", "account", AccountStatusChanged, Status, _STATUS)
    ACCOUNT_REASSIGNED = S("accounts.account.reassigned", "account", Reassigned, Officer, _STATUS)
    CHARGES_FROZEN = S(
        "accounts.charges.frozen", "charge_freeze", Freeze, None, _HOLDS, former=("account.charges.frozen",)
    )
    CHARGES_UNFROZEN = S(
        "accounts.charges.unfrozen",
        "charge_freeze",
        FreezeEnded,
        Freeze,
        _HOLDS,
        former=("account.charges.unfrozen",),
    )

    # arrangements
    PROMISE_CREATED = S(
        "arrangements.promise.created",
        "arrangement",
        ArrangementMade,
        None,
        _PLANS,
        former=("arrangement.promise.created",),
    )
    PLAN_CREATED = S(
        "arrangements.plan.created", "arrangement", ArrangementMade, None, _PLANS, former=("arrangement.plan.created",)
    )
    SETTLEMENT_CREATED = S(
        "arrangements.settlement.created",
        "arrangement",
        ArrangementMade,
        None,
        _PLANS,
        former=("arrangement.settlement.created",),
    )
    ARRANGEMENT_APPROVED = S(
        "arrangements.arrangement.approved", "arrangement", Approved, None, _PLANS, former=("arrangement.approved",)
    )
    ARRANGEMENT_COMPLETED = S(
        "arrangements.arrangement.completed",
        "arrangement",
        StateChanged,
        State,
        _PLANS,
        former=("arrangement.completed",),
    )
    ARRANGEMENT_BROKEN = S(
        "arrangements.arrangement.broken", "arrangement", StateChanged, State, _PLANS, former=("arrangement.broken",)
    )
    ARRANGEMENT_CANCELLED = S(
        "arrangements.arrangement.cancelled",
        "arrangement",
        StateChanged,
        State,
        _PLANS,
        former=("arrangement.cancelled",),
    )
    ARRANGEMENT_REPLACED = S(
        "arrangements.arrangement.replaced",
        "arrangement",
        StateChanged,
        State,
        _PLANS,
        former=("arrangement.replaced",),
    )
    DUE_BROKEN = S(
        "arrangements.due.broken", "arrangement", DueMissed, None, _PLANS, former=("arrangement.due.broken",)
    )
    DUE_PARTLY_KEPT = S(
        "arrangements.due.partly_kept", "arrangement", DueMissed, None, _PLANS, former=("arrangement.due.partly_kept",)
    )
    LETTER_PRODUCED = S(
        "arrangements.letter.produced",
        "arrangement",
        LetterProduced,
        None,
        _PLANS,
        former=("arrangement.letter.produced",),
    )
    AFFORDABILITY_RECORDED = S(
        "arrangements.affordability.recorded",
        "affordability",
        Affordability,
        None,
        _PLANS,
        former=("arrangement.affordability.recorded",),
    )

    # communications
    BULK_SENT = S("communications.bulk.sent", "template", BulkSent)
    MESSAGE_QUEUED = S("communications.message.queued", "message", MessageQueued, None, _CONTACTS)
    MESSAGE_SENT = S("communications.message.sent", "message", MessageSent, None, _CONTACTS)
    MESSAGE_BOUNCED = S("communications.message.bounced", "message", Bounced, None, _CONTACTS)
    TEMPLATE_SAVED = S("communications.template.saved", "template", TemplateSaved)

    # compliance
    CALL_CONSENT_RECORDED = S("compliance.call_consent.recorded", "call_consent", ConsentGiven, None, _CONTACTS)
    CALL_CONSENT_REVOKED = S("compliance.call_consent.revoked", "call_consent", ConsentRevoked, None, _CONTACTS)
    CONTACT_DECIDED = S("compliance.contact.decided", "contact_decision", ContactDecided, None, _CONTACTS, hidden=True)
    CONTACT_OVERRIDDEN = S("compliance.contact.overridden", "contact_decision", ContactDecided, None, _CONTACTS)
    CONTACT_RECORDED = S("compliance.contact.recorded", "contact", ContactRecorded, None, _CONTACTS)
    CONTACT_INBOUND = S("compliance.contact.inbound", "contact", ContactRecorded, None, _CONTACTS)
    FORBEARANCE_RECORDED = S("compliance.forbearance.recorded", "forbearance", Forbearance, None, _HOLDS)
    HARDSHIP_RECEIVED = S("compliance.hardship.received", "hardship_notice", HardshipReceived, None, _HOLDS)
    HARDSHIP_INFO_REQUESTED = S("compliance.hardship.info_requested", "hardship_notice", InfoRequested, None, _HOLDS)
    HARDSHIP_INFO_RECEIVED = S("compliance.hardship.info_received", "hardship_notice", InfoReceived, None, _HOLDS)
    HARDSHIP_DECIDED = S("compliance.hardship.decided", "hardship_notice", HardshipDecided, None, _HOLDS)
    HOLD_PLACED = S("compliance.hold.placed", "hold", HoldPlaced, None, _HOLDS)
    HOLD_LIFTED = S("compliance.hold.lifted", "hold", Reason, HoldKindOf, _HOLDS)
    HOLD_LIFT_REQUESTED = S("compliance.hold.lift_requested", "hold", LiftAsked, HoldKindOf, _HOLDS)
    HOLD_LIFT_REQUEST_APPROVED = S("compliance.hold.lift_request_approved", "hold", LiftDecision, LiftRequest, _HOLDS)
    HOLD_LIFT_REQUEST_DECLINED = S("compliance.hold.lift_request_declined", "hold", LiftDecision, LiftRequest, _HOLDS)
    LEGAL_REFERRAL_CHECKED = S("compliance.legal_referral.checked", "account", LegalReferralChecked, None, _HOLDS)
    EXTINGUISHED_CLOSED = S("compliance.extinguished.closed", "account", ExtinguishedClosed, None, _HOLDS)
    DISPUTE_OPENED = S("compliance.dispute.opened", "dispute", DisputeOpened, None, _HOLDS)
    DISPUTE_ADVANCED = S("compliance.dispute.advanced", "dispute", DisputeAdvanced, DisputeState, _HOLDS)
    NOTICE_RECORDED = S("compliance.notice.recorded", "notice", NoticeRecorded, None, _HOLDS)
    NOTICE_UNDELIVERABLE = S("compliance.notice.undeliverable", "notice", Undeliverable, None, _HOLDS)
    WISH_RECORDED = S("compliance.wish.recorded", "contact_wish", WishRecorded, None, _CONTACTS)
    WISH_WITHDRAWN = S("compliance.wish.withdrawn", "contact_wish", Debtor, None, _CONTACTS)

    # imports
    ACCOUNT_PLACED = S("imports.account.placed", "account", AccountPlaced, None, _STATUS)
    ACCOUNT_UPDATED = S("imports.account.updated", "account", FieldValues, FieldValues, _STATUS)
    PARTY_PLACED = S("imports.party.placed", "account", PartyPlaced, None, _STATUS)
    DEBTOR_UPDATED = S("imports.debtor.updated", "debtor", FieldValues, FieldValues, _STATUS)
    INVOICE_PLACED = S("imports.invoice.placed", "open_item", InvoicePlaced, None, _MONEY)
    INVOICE_UPDATED = S("imports.invoice.updated", "open_item", InvoiceUpdated, Amount, _MONEY)
    BANK_LINE_MATCHED = S("imports.bank_line.matched", "bank_line", BankLineMatched, Status, _MONEY)
    BANK_LINE_SPLIT = S("imports.bank_line.split", "bank_line", BankLineMatched, Status, _MONEY)
    BANK_LINE_REJECTED = S("imports.bank_line.rejected", "bank_line", StatusChanged, Status, _MONEY)
    BANK_STATEMENT_IMPORTED = S("imports.bank_statement.imported", "import_job", StatementImported)
    MAPPING_SAVED = S("imports.mapping.saved", "column_mapping", MappingSaved)

    # parties
    CREDITOR_CREATED = S("parties.creditor.created", "creditor", CreditorCreated)
    DEBTOR_CREATED = S("parties.debtor.created", "debtor", DebtorCreated)
    CONTACT_POINT_ADDED = S("parties.contact_point.added", "contact_point", ContactPointAdded, None, _CONTACTS)
    CONTACT_POINT_STOPPED = S(
        "parties.contact_point.stopped", "contact_point", ContactPointStopped, DoNotContact, _CONTACTS
    )

    # strategies and the daily run
    VERSION_SAVED = S("strategies.version.saved", "strategy_version", VersionSaved, Definition)
    VERSION_PUBLISHED = S("strategies.version.published", "strategy_version", Active, Active)
    VERSION_DISCARDED = S("strategies.version.discarded", "strategy_version", None, VersionDiscarded)
    SCHEDULE_CHANGED = S("strategies.schedule.changed", "run_schedule", Schedule, Schedule)
    RUN_STARTED = S("strategies.run.started", "run", RunStarted)
    RUN_FINISHED = S("strategies.run.finished", "run", RunFinished)
    LEGAL_REVIEW_FLAGGED = S("strategies.legal_review.flagged", "account", LegalReviewFlagged, None, _HOLDS)

    # users
    USER_CREATED = S("users.user.created", "user", UserCreated)
    USER_PASSWORD_CHANGED = S(
        "users.user.password_changed", "user", PasswordChanged, former=("admin.user.password_changed",)
    )
    TEAM_CREATED = S("users.team.created", "team", TeamCreated)
    TEAM_LEAD_CHANGED = S("users.team.lead_changed", "team", Lead, Lead)

    # workspace
    ACCOUNT_CLAIMED = S("workspace.account.claimed", "account", Claimed)
    CALL_LOGGED = S("workspace.call.logged", "account", CallLogged, None, _CONTACTS)
    NOTE_ADDED = S("workspace.note.added", "account", Note, None, _NOTES)
    VIEW_SAVED = S("workspace.view.saved", "saved_view", ViewSaved)
    VIEW_DELETED = S("workspace.view.deleted", "saved_view", Nothing, View)

    # exports and the demo
    EXPORT_DOWNLOADED = S("exports.export.downloaded", "export", ExportDownloaded, former=("exports.downloaded",))
    DEMO_GENERATED = S("demo.portfolio.generated", "demo_portfolio", PortfolioGenerated)

    # the Django admin (administrators' reference data); the subject is the model edited
    ADMIN_ADDED = S("admin.record.added", None, FieldValues)
    ADMIN_CHANGED = S("admin.record.changed", None, FieldValues, FieldValues)
    ADMIN_DELETED = S("admin.record.deleted", None, None, FieldValues)

    @property
    def spec(self) -> Spec:
        spec: Spec = self.value
        return spec

    @property
    def text(self) -> str:
        """The name stored in the log."""
        return self.spec.name

    def __str__(self) -> str:
        return self.text


ADMIN_VERBS = {"added": Event.ADMIN_ADDED, "changed": Event.ADMIN_CHANGED, "deleted": Event.ADMIN_DELETED}
BY_NAME: dict[str, Event] = {e.text: e for e in Event} | {old: e for e in Event for old in e.spec.former}


def event_for(name: str) -> Event | None:
    """The event a stored name means, by its current or a former name.

    Administrators' edits were named after the model (`admin.account.changed`) until the log had one
    name per verb; those names still read.
    """
    found = BY_NAME.get(name)
    if found is None:
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "admin":
            return ADMIN_VERBS.get(parts[2])
    return found


def names_in(section: Section) -> list[str]:
    """Every stored name, current or former, of the events in a timeline section."""
    return sorted(name for name, event in BY_NAME.items() if event.spec.section is section)


HIDDEN_NAMES = sorted(name for name, event in BY_NAME.items() if event.spec.hidden)


# Checking payloads.

_JSON_TYPES: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    float: (float, int),
    type(None): (type(None),),
    list: (list, tuple),
    dict: (dict,),
}


def _accepted(annotation: Any) -> tuple[type, ...] | None:
    """The Python types a JSON value of this annotation may have; None for anything (`Any`)."""
    if annotation is Any:
        return None
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        accepted: tuple[type, ...] = ()
        for arm in typing.get_args(annotation):
            arm_types = _accepted(arm)
            if arm_types is None:
                return None
            accepted += arm_types
        return accepted
    return _JSON_TYPES[origin or annotation]


@cache
def _shape(payload: type) -> tuple[frozenset[str], dict[str, tuple[type, ...] | None]]:
    """A TypedDict's required keys and, per key, the types its value may have."""
    hints = typing.get_type_hints(payload, include_extras=True)
    optional = {key for key, hint in hints.items() if typing.get_origin(hint) is NotRequired}
    plain = {key: typing.get_args(hint)[0] if key in optional else hint for key, hint in hints.items()}
    return frozenset(hints.keys() - optional), {key: _accepted(hint) for key, hint in plain.items()}


class BadEvent(ValueError):
    """A payload that does not match its event's declared type (a programming error, not bad input)."""


def check_values(event: Event, which: str, values: Mapping[str, Any] | None) -> None:
    """Refuse `values` (the `before` or `after` of `event`) unless they match the declared type."""
    payload: type | None = getattr(event.spec, which)
    if values is None:
        return
    if payload is None:
        raise BadEvent(f"{event.text}: carries no {which} values, got {sorted(values)}")
    if payload is FieldValues:
        if not all(isinstance(key, str) for key in values):
            raise BadEvent(f"{event.text}: {which} keys must be field names")
        return
    required, accepted = _shape(payload)
    unknown = values.keys() - accepted.keys()
    if unknown:
        raise BadEvent(f"{event.text}: {which} has keys it does not declare: {sorted(unknown)}")
    # `before` holds the earlier values of some of the fields; `after` holds every declared field.
    missing = required - values.keys() if which == "after" else ()
    if missing:
        raise BadEvent(f"{event.text}: {which} is missing {sorted(missing)}")
    for key, value in values.items():
        kinds = accepted[key]
        if kinds is not None and not isinstance(value, kinds):
            raise BadEvent(f"{event.text}: {which}[{key!r}] is a {type(value).__name__}, not {kinds}")


# The catalogue compliance officers read (docs/audit-events.md), generated from the registry.


def _type_words(annotation: Any) -> str:
    if annotation is Any:
        return "any"
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        arms = [_type_words(arm) for arm in typing.get_args(annotation) if arm is not type(None)]
        return " or ".join(arms) + " or null"
    plain = {str: "text", int: "number", bool: "yes/no", float: "number", list: "list", dict: "map"}
    return plain.get(origin or annotation, str(annotation))


def _values_words(payload: type | None) -> str:
    if payload is None:
        return ""
    if payload is FieldValues:
        return "the fields changed, by name"
    required, _accepted_types = _shape(payload)
    hints = typing.get_type_hints(payload, include_extras=True)
    words = []
    for key, hint in hints.items():
        if key in required:
            words.append(f"`{key}` ({_type_words(hint)})")
        else:
            words.append(f"`{key}` ({_type_words(typing.get_args(hint)[0])}, sometimes)")
    return ", ".join(words)


def catalogue() -> str:
    """Markdown listing every event by timeline section: what it is about and the values it holds."""
    lines = [
        "# Audit events",
        "",
        "Every change Recoup makes writes one event to the append-only audit log (`audit_event`), in the",
        "same transaction as the change. This list is generated from `src/recoup/audit/events.py`",
        "(`.venv/bin/python -m recoup.audit.events > docs/audit-events.md`); a test fails when it is stale.",
        "",
        "Each row of the log holds the event's name, when it happened (`occurred_at`, UTC), who acted",
        "(`actor_label`: a username, or `system`), what it is about (`subject_type` and `subject_id`), the",
        "account whose timeline shows it (`account_id`), and the values below: `after` (what the change",
        "made) and, where the event has them, `before` (the earlier values of what changed). Money is text",
        "with its currency (`120.00 USD`); dates and times are ISO 8601 text.",
        "",
    ]
    groups: list[tuple[str, list[Event]]] = [
        (section.label, [e for e in Event if e.spec.section is section]) for section in Section
    ]
    groups.append(("Not in a timeline section (shown under everything, or about no account)", []))
    groups[-1][1].extend(e for e in Event if e.spec.section is None)
    for title, events in groups:
        lines += [f"## {title}", "", "| Event | About | After | Before |", "|---|---|---|---|"]
        for event in events:
            spec = event.spec
            name = f"`{spec.name}`" + (" (never on the timeline)" if spec.hidden else "")
            if spec.former:
                name += "; formerly " + ", ".join(f"`{old}`" for old in spec.former)
            about = spec.subject or "the record edited"
            lines.append(f"| {name} | {about} | {_values_words(spec.after)} | {_values_words(spec.before)} |")
        lines.append("")
    lines += [
        "Administrators' edits written before 2026-12-07 are named after the model",
        "(`admin.account.changed`); they read as `admin.record.changed` and its siblings.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(catalogue(), end="")
