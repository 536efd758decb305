"""Reading accounts: worklists, searches and portfolio counts for the staff UI and reports.

Every function here reads; none writes. Lists are ordered by a total key (ending in the primary
key) so pages never repeat or skip a row, and counts are grouped in the database in one query,
never counted per row in a loop.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, Trim

from recoup.accounts.models import Account, AccountDebtor
from recoup.core.contact_rules import CLOSED_STATUSES, OPEN_STATUSES
from recoup.core.money import Money
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.models import User

Status = Account.Status
ProductType = Account.ProductType

# Statuses that the legal and escalation team owns or watches.
ESCALATED_STATUSES: tuple[str, ...] = (Status.LEGAL, Status.DISPUTED)

_STATUS_LABELS: dict[str, str] = dict(Status.choices)
_PRODUCT_LABELS: dict[str, str] = dict(ProductType.choices)


@dataclass(frozen=True)
class AccountRow:
    """One account as a list shows it: who owes, to whom, how late and who works it."""

    id: int
    reference: str
    debtor_name: str
    creditor_name: str
    creditor_code: str
    product_type: str
    product_label: str
    status: str
    status_label: str
    currency: str
    first_delinquency_date: date | None
    days_past_due: int | None
    officer_name: str
    balance: Money
    """What the debtor owes in all, from the cached balances the ledger keeps."""
    credit_balance: Money


@dataclass(frozen=True)
class StatusCount:
    """How many accounts are in one status."""

    status: str
    label: str
    count: int


@dataclass(frozen=True)
class OfficerWorkload:
    """A team member and the accounts assigned to them, by stage."""

    user_id: int
    name: str
    username: str
    team_name: str
    open_count: int
    in_arrangement_count: int
    escalated_count: int
    closed_count: int

    @property
    def total(self) -> int:
        return self.open_count + self.closed_count


@dataclass(frozen=True)
class CreditorPortfolio:
    """One creditor's accounts: the total, and counts per status and per product (in column order)."""

    creditor_id: int
    name: str
    code: str
    total: int
    by_status: tuple[int, ...]
    by_product: tuple[int, ...]


@dataclass(frozen=True)
class Portfolio:
    """Accounts by creditor, with the status and product columns that occur and their totals."""

    statuses: tuple[StatusCount, ...]
    products: tuple[tuple[str, str, int], ...]
    creditors: tuple[CreditorPortfolio, ...]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.creditors)


@dataclass(frozen=True)
class CreditorSummary:
    """A creditor with its account counts per status, in the order of `Account.Status`."""

    id: int
    name: str
    code: str
    industry_label: str
    country: str
    default_currency: str
    total: int
    by_status: tuple[int, ...]

    @property
    def open_count(self) -> int:
        return sum(n for s, n in zip(Status.values, self.by_status, strict=True) if s in OPEN_STATUSES)


def status_choices() -> list[tuple[str, str]]:
    """Every account status as (value, label), in workflow order, for filters."""
    return list(Status.choices)


def days_past_due(*, first_delinquency_date: date | None, as_of: date) -> int | None:
    """Whole days from the first missed payment to `as_of`; None when the account never went delinquent."""
    if first_delinquency_date is None:
        return None
    return max((as_of - first_delinquency_date).days, 0)


def person_or_business_name(prefix: str) -> Case:
    """SQL for a debtor's display name through the relation `prefix`, as Debtor.display_name."""
    return Case(
        When(
            **{f"{prefix}__kind": Debtor.Kind.BUSINESS},
            then=F(f"{prefix}__business_name"),
        ),
        default=Trim(Concat(F(f"{prefix}__given_name"), Value(" "), F(f"{prefix}__family_name"))),
        output_field=CharField(),
    )


def _officer_name() -> Trim:
    return Trim(
        Concat(F("assigned_officer__first_name"), Value(" "), F("assigned_officer__last_name")),
        output_field=CharField(),
    )


def _listing(queryset: QuerySet[Account]) -> QuerySet[Account]:
    """Join in what a list shows (creditor, primary debtor, officer); oldest delinquency first."""
    return (
        queryset.select_related("creditor", "assigned_officer")
        .annotate(
            primary_role=FilteredRelation(
                "account_debtors", condition=Q(account_debtors__role=AccountDebtor.Role.PRIMARY)
            ),
            debtor_name=person_or_business_name("primary_role__debtor"),
            officer_name=_officer_name(),
        )
        .order_by(F("first_delinquency_date").asc(nulls_last=True), "id")
    )


PHONE_REGIONS = ("US", "CA", "GB", "AU", "NZ", "IE")


def _contact_values(text: str) -> set[str]:
    """The stored forms of an email address or phone number typed in any format, else nothing.

    Phones are kept as E.164, so a number typed nationally ("(415) 555-0123", "07700 900123") is read
    in each country Recoup serves and every valid reading is looked up exactly (an indexed lookup).
    """
    typed = text.strip()
    if "@" in typed and " " not in typed:
        return {typed.lower()}
    digits = "".join(ch for ch in typed if ch.isdigit())
    if len(digits) < 7 or any(ch.isalpha() for ch in typed):
        return set()
    import phonenumbers

    found: set[str] = set()
    for region in PHONE_REGIONS if not typed.startswith("+") else (None,):
        try:
            number = phonenumbers.parse(typed, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return found


def search_accounts(
    *,
    text: str = "",
    creditor_id: int | None = None,
    statuses: Collection[str] = (),
    assigned_officer: User | None = None,
    visible: Q | None = None,
) -> QuerySet[Account]:
    """Accounts matching the filters, oldest delinquency first, ready for `account_rows`.

    `text` matches part of the account reference, or every word of it matches part of a name of one
    of the account's debtors (given, family or business name), case-insensitively. An email address,
    or a phone number in any format, finds the accounts of the debtors who have it. With
    `assigned_officer`, only that officer's accounts; with `visible`, only the accounts that filter
    allows (what the user may see). The result is lazy, so a paginator slices it.
    """
    accounts = Account.objects.all()
    if visible is not None:
        accounts = accounts.filter(visible)
    if assigned_officer is not None:
        accounts = accounts.filter(assigned_officer=assigned_officer)
    if creditor_id is not None:
        accounts = accounts.filter(creditor_id=creditor_id)
    if statuses:
        accounts = accounts.filter(status__in=list(statuses))
    contact_values = _contact_values(text)
    if contact_values:
        by_contact = ContactPoint.objects.filter(
            debtor__account_roles__account=OuterRef("pk"), value__in=sorted(contact_values)
        )
        return _listing(accounts.filter(Exists(by_contact)))
    words = text.split()
    if words:
        debtor_match = AccountDebtor.objects.filter(account=OuterRef("pk"))
        for word in words:
            debtor_match = debtor_match.filter(
                Q(debtor__family_name__icontains=word)
                | Q(debtor__given_name__icontains=word)
                | Q(debtor__business_name__icontains=word)
            )
        accounts = accounts.filter(Q(reference__icontains=text.strip()) | Exists(debtor_match))
    return _listing(accounts)


def account_rows(*, accounts: Iterable[Account], as_of: date) -> list[AccountRow]:
    """Turn accounts from `search_accounts` (or a page of them) into rows, with days past due at `as_of`."""
    rows: list[AccountRow] = []
    for account in accounts:
        officer = account.assigned_officer
        officer_name = ""
        if officer is not None:
            officer_name = getattr(account, "officer_name", "") or officer.username
        rows.append(
            AccountRow(
                id=account.pk,
                reference=account.reference,
                debtor_name=getattr(account, "debtor_name", None) or "",
                creditor_name=account.creditor.name,
                creditor_code=account.creditor.code,
                product_type=account.product_type,
                product_label=_PRODUCT_LABELS.get(account.product_type, account.product_type),
                status=account.status,
                status_label=_STATUS_LABELS.get(account.status, account.status),
                currency=account.currency,
                first_delinquency_date=account.first_delinquency_date,
                days_past_due=days_past_due(first_delinquency_date=account.first_delinquency_date, as_of=as_of),
                officer_name=officer_name,
                balance=account.balance,
                credit_balance=account.credit_balance,
            )
        )
    return rows


def officer_worklist(*, officer: User, as_of: date, limit: int = 50) -> list[AccountRow]:
    """The officer's open accounts, oldest delinquency first, with days past due at `as_of`."""
    accounts = search_accounts(assigned_officer=officer, statuses=OPEN_STATUSES)[:limit]
    return account_rows(accounts=accounts, as_of=as_of)


def escalated_accounts(*, as_of: date, limit: int = 50) -> list[AccountRow]:
    """Accounts in legal or disputed status, oldest delinquency first, with days past due at `as_of`."""
    accounts = search_accounts(statuses=ESCALATED_STATUSES)[:limit]
    return account_rows(accounts=accounts, as_of=as_of)


def status_counts(*, assigned_officer: User | None = None, statuses: Sequence[str] | None = None) -> list[StatusCount]:
    """Accounts per status in workflow order (all statuses, or the given ones), zeros included.

    With `assigned_officer`, only that officer's accounts. One grouped query.
    """
    accounts = Account.objects.all()
    if assigned_officer is not None:
        accounts = accounts.filter(assigned_officer=assigned_officer)
    wanted = list(statuses) if statuses is not None else list(Status.values)
    counted = {
        row["status"]: row["n"]
        for row in accounts.filter(status__in=wanted).values("status").annotate(n=Count("id")).order_by()
    }
    return [StatusCount(s, _STATUS_LABELS.get(s, s), counted.get(s, 0)) for s in wanted]


def officer_workloads(*, team_ids: Collection[int]) -> list[OfficerWorkload]:
    """Members of the given teams with their assigned accounts by stage, by name. One query."""
    members = (
        User.objects.filter(team_id__in=list(team_ids), is_active=True)
        .select_related("team")
        .annotate(
            open_count=Count("accounts", filter=Q(accounts__status__in=OPEN_STATUSES)),
            in_arrangement_count=Count("accounts", filter=Q(accounts__status=Status.IN_ARRANGEMENT)),
            escalated_count=Count("accounts", filter=Q(accounts__status__in=ESCALATED_STATUSES)),
            closed_count=Count("accounts", filter=Q(accounts__status__in=CLOSED_STATUSES)),
        )
        .order_by("team__name", "last_name", "first_name", "username", "id")
    )
    return [
        OfficerWorkload(
            user_id=member.pk,
            name=member.get_full_name() or member.username,
            username=member.username,
            team_name=member.team.name if member.team else "",
            open_count=member.open_count,
            in_arrangement_count=member.in_arrangement_count,
            escalated_count=member.escalated_count,
            closed_count=member.closed_count,
        )
        for member in members
    ]


def portfolio_by_creditor() -> Portfolio:
    """Accounts per creditor, split by status and by product, in one grouped query.

    Only statuses and products that occur become columns, in workflow order; creditors are ordered by
    name, then id.
    """
    grouped = (
        Account.objects.values("creditor_id", "creditor__name", "creditor__code", "status", "product_type")
        .annotate(n=Count("id"))
        .order_by("creditor__name", "creditor_id", "status", "product_type")
    )
    names: dict[int, tuple[str, str]] = {}
    per_status: dict[tuple[int, str], int] = {}
    per_product: dict[tuple[int, str], int] = {}
    status_totals: dict[str, int] = {}
    product_totals: dict[str, int] = {}
    for row in grouped:
        creditor_id, status, product, n = (
            row["creditor_id"],
            row["status"],
            row["product_type"],
            row["n"],
        )
        names[creditor_id] = (row["creditor__name"], row["creditor__code"])
        per_status[creditor_id, status] = per_status.get((creditor_id, status), 0) + n
        per_product[creditor_id, product] = per_product.get((creditor_id, product), 0) + n
        status_totals[status] = status_totals.get(status, 0) + n
        product_totals[product] = product_totals.get(product, 0) + n
    status_columns = [s for s in Status.values if s in status_totals]
    product_columns = [p for p in ProductType.values if p in product_totals]
    creditors = tuple(
        CreditorPortfolio(
            creditor_id=creditor_id,
            name=name,
            code=code,
            total=sum(per_status.get((creditor_id, s), 0) for s in status_columns),
            by_status=tuple(per_status.get((creditor_id, s), 0) for s in status_columns),
            by_product=tuple(per_product.get((creditor_id, p), 0) for p in product_columns),
        )
        for creditor_id, (name, code) in names.items()
    )
    return Portfolio(
        statuses=tuple(StatusCount(s, _STATUS_LABELS[s], status_totals[s]) for s in status_columns),
        products=tuple((p, _PRODUCT_LABELS[p], product_totals[p]) for p in product_columns),
        creditors=creditors,
    )


def creditor_summaries() -> QuerySet[Creditor]:
    """Creditors by name with `total` and one `n_<status>` count per account status, in one query.

    Lazy, so a paginator slices it; turn a page into rows with `creditor_summary_rows`.
    """
    counts = {f"n_{status}": Count("accounts", filter=Q(accounts__status=status)) for status in Status.values}
    return Creditor.objects.annotate(total=Count("accounts"), **counts).order_by("name", "id")


def creditor_summary_rows(*, creditors: Iterable[Creditor]) -> list[CreditorSummary]:
    """Rows for creditors from `creditor_summaries`, with counts in the order of `Account.Status`."""
    industries = dict(Creditor.Industry.choices)
    return [
        CreditorSummary(
            id=creditor.pk,
            name=creditor.name,
            code=creditor.code,
            industry_label=industries.get(creditor.industry, creditor.industry),
            country=creditor.country,
            default_currency=creditor.default_currency,
            total=getattr(creditor, "total", 0),
            by_status=tuple(getattr(creditor, f"n_{status}", 0) for status in Status.values),
        )
        for creditor in creditors
    ]


def primary_debtor(account: Account) -> Debtor | None:
    """The account's primary debtor, if it has one."""
    role = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor")
    first = role.first()
    return first.debtor if first is not None else None
