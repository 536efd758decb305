"""Reading the ledger: account statements, the aging report, receivables KPIs and the ledger check.

All of it is set-based SQL over whole tables (GROUP BY in the database, never a query per account).
Balances as of a past date come from the entries; as of today they come from the cached balances,
which `verify_ledger` proves equal to the entries.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from recoup.accounts.models import Account, LedgerTransaction, OpenItem
from recoup.core.aging import DEFAULT_BUCKET_BOUNDS, BucketScheme, days_past_due
from recoup.core.kpis import PeriodSales, art, cei, countback_dso, dso
from recoup.core.ledger import Component
from recoup.core.money import Money
from recoup.parties.models import Creditor


def bucket_scheme_for(creditor: Creditor) -> BucketScheme:
    return BucketScheme.from_config(creditor.aging_buckets or list(DEFAULT_BUCKET_BOUNDS))


def _dpd_sql(column: str) -> str:
    """Days from `column` to the as-of date (the first query parameter of that expression)."""
    if connection.vendor == "postgresql":
        return f"(%s::date - {column})"
    return f"CAST(julianday(%s) - julianday({column}) AS INTEGER)"


# Account statement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    item_id: int
    kind: str
    reference: str
    component: str
    due_date: date
    original: Money
    balance: Money
    days_past_due: int


@dataclass(frozen=True)
class TransactionLine:
    transaction_id: int
    type: str
    effective_date: date
    amount: Money
    memo: str
    reversed: bool


@dataclass(frozen=True)
class AccountStatement:
    account: Account
    as_of: date
    balances: dict[Component, Money]
    credit_balance: Money
    items: list[ItemLine]
    transactions: list[TransactionLine]
    days_past_due: int
    bucket: str

    @property
    def total(self) -> Money:
        result = Money.zero(self.account.currency)
        for amount in self.balances.values():
            result = result + amount
        return result


def account_statement(*, account: Account, as_of: date, last_transactions: int = 10) -> AccountStatement:
    """Balances by component, items with days past due, and the latest transactions, as of a date."""
    money = account.money
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.open_item_id, SUM(e.amount_minor) FROM accounts_entry e "
            "WHERE e.account_id = %s AND e.book = 'receivable' AND e.effective_date <= %s "
            "GROUP BY e.open_item_id",
            [account.pk, as_of],
        )
        item_balances = {row[0]: int(row[1]) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT COALESCE(-SUM(amount_minor), 0) FROM accounts_entry "
            "WHERE account_id = %s AND book = 'credit_balance' AND effective_date <= %s",
            [account.pk, as_of],
        )
        credit = int(cursor.fetchone()[0])
    balances = {component: Money.zero(account.currency) for component in Component}
    items: list[ItemLine] = []
    oldest_due: date | None = None
    for item in OpenItem.objects.filter(account=account, pk__in=list(item_balances)).order_by("due_date", "id"):
        balance = item_balances[item.pk]
        balances[Component(item.component)] = balances[Component(item.component)] + money(balance)
        dpd = days_past_due(item.due_date, as_of) if balance > 0 else 0
        if balance > 0 and (oldest_due is None or item.due_date < oldest_due):
            oldest_due = item.due_date
        items.append(
            ItemLine(
                item.pk,
                item.get_kind_display(),
                item.reference,
                item.component,
                item.due_date,
                money(item.original_minor),
                money(balance),
                dpd,
            )
        )
    transactions = [
        TransactionLine(pk, kind, effective, money(amount), memo, reversed_id is not None)
        for pk, kind, effective, amount, memo, reversed_id in LedgerTransaction.objects.filter(
            account=account, effective_date__lte=as_of
        )
        .order_by("-effective_date", "-id")
        .values_list("id", "type", "effective_date", "amount_minor", "memo", "reversed_by__id")[:last_transactions]
    ]
    dpd = days_past_due(oldest_due, as_of)
    return AccountStatement(
        account=account,
        as_of=as_of,
        balances=balances,
        credit_balance=money(credit),
        items=items,
        transactions=transactions,
        days_past_due=dpd,
        bucket=bucket_scheme_for(account.creditor).bucket_for(dpd).label,
    )


# Aging report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgingRow:
    creditor_code: str
    creditor_name: str
    currency: str
    bucket: str
    accounts: int
    items: int
    balance: Money


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    rows: list[AgingRow]
    source: str
    """'cache' (balances as of today) or 'ledger' (balances recomputed from entries up to as_of)."""

    def totals(self) -> dict[tuple[str, str], tuple[int, int, Money]]:
        result: dict[tuple[str, str], tuple[int, int, Money]] = {}
        for row in self.rows:
            key = (row.creditor_code, row.currency)
            accounts, items, balance = result.get(key, (0, 0, Money.zero(row.currency)))
            result[key] = (accounts + row.accounts, items + row.items, balance + row.balance)
        return result


def aging_report(*, as_of: date, today: date, creditor: Creditor | None = None) -> AgingReport:
    """Counts and balances by creditor, currency and aging bucket, as of a date.

    Balances are aged per item (an invoice's balance sits in its own bucket); accounts are counted
    in the bucket of their oldest unpaid item. Each creditor uses its own bucket scheme. The
    database does one pass over the owing items, grouping by creditor, currency and days past due;
    the buckets are applied to those few groups here.
    """
    creditors = [creditor] if creditor is not None else list(Creditor.objects.order_by("code", "id"))
    by_id = {c.pk: c for c in creditors}
    source = "cache" if as_of >= today else "ledger"
    where = "WHERE a.creditor_id = %s" if creditor is not None else ""
    where_params: list[Any] = [creditor.pk] if creditor is not None else []
    if source == "cache":
        items_sql = (
            "SELECT i.id, i.account_id, a.creditor_id, a.currency, i.due_date, i.balance_minor AS balance "
            "FROM accounts_open_item i JOIN accounts_account a ON a.id = i.account_id "
            f"{where}{' AND' if where else 'WHERE'} i.balance_minor > 0"
        )
        items_params = where_params
    else:
        items_sql = (
            "SELECT i.id, i.account_id, a.creditor_id, a.currency, i.due_date, b.balance FROM ("
            "  SELECT e.open_item_id, SUM(e.amount_minor) AS balance FROM accounts_entry e"
            "  WHERE e.book = 'receivable' AND e.effective_date <= %s"
            "  GROUP BY e.open_item_id HAVING SUM(e.amount_minor) > 0"
            ") b JOIN accounts_open_item i ON i.id = b.open_item_id "
            f"JOIN accounts_account a ON a.id = i.account_id {where}"
        )
        items_params = [as_of, *where_params]
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    dpd = f"{greatest}({_dpd_sql('due_date')}, 0)"
    if source == "cache":
        # Items by their own days past due; accounts by their cached oldest unpaid due date. Two
        # plain grouped scans, no window over millions of items.
        sql = (
            f"WITH items AS ({items_sql}) "
            f"SELECT creditor_id, currency, {dpd} AS dpd, COUNT(*), SUM(balance), 0 FROM items GROUP BY 1, 2, 3 "
            f"UNION ALL SELECT a.creditor_id, a.currency, {greatest}({_dpd_sql('a.oldest_unpaid_due_date')}, 0), "
            "0, 0, COUNT(*) FROM accounts_account a "
            f"{where}{' AND' if where else 'WHERE'} a.oldest_unpaid_due_date IS NOT NULL GROUP BY 1, 2, 3"
        )
        params = [*items_params, as_of, as_of, *where_params]
    else:
        sql = (
            f"WITH items AS ({items_sql}), "
            "ranked AS (SELECT creditor_id, currency, due_date, balance, "
            "  ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY due_date, id) AS place FROM items) "
            f"SELECT creditor_id, currency, {dpd} AS dpd, COUNT(*), SUM(balance), "
            "  SUM(CASE WHEN place = 1 THEN 1 ELSE 0 END) "
            "FROM ranked GROUP BY 1, 2, 3"
        )
        params = [*items_params, as_of]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    schemes = {pk: bucket_scheme_for(c) for pk, c in by_id.items()}
    cells: dict[tuple[int, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for creditor_id, currency, dpd, items, balance, accounts in fetched:
        if creditor_id not in schemes:
            continue
        index = schemes[creditor_id].buckets.index(schemes[creditor_id].bucket_for(int(dpd)))
        cell = cells[(creditor_id, currency)][index]
        cell[0] += int(accounts)
        cell[1] += int(items)
        cell[2] += int(balance)
    rows: list[AgingRow] = []
    for each in creditors:
        scheme = schemes[each.pk]
        for currency in sorted(c for pk, c in cells if pk == each.pk):
            for index, bucket in enumerate(scheme.buckets):
                accounts, items, balance = cells[(each.pk, currency)].get(index, [0, 0, 0])
                rows.append(
                    AgingRow(
                        each.code,
                        each.name,
                        currency,
                        bucket.label,
                        accounts,
                        items,
                        Money.from_minor(balance, currency),
                    )
                )
    return AgingReport(as_of=as_of, rows=rows, source=source)


# Receivables KPIs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivablesKpis:
    currency: str
    start: date
    end: date
    beginning_receivables: Money
    ending_receivables: Money
    ending_current_receivables: Money
    credit_sales: Money
    dso: Decimal | None
    countback_dso: Decimal | None
    cei: Decimal | None
    art: Decimal | None


def _month_start(day: date) -> date:
    return day.replace(day=1)


def receivables_kpis(*, start: date, end: date, creditor: Creditor | None = None) -> list[ReceivablesKpis]:
    """DSO (standard and countback over the 12 months to `end`), CEI and ART for [start, end], per currency.

    Credit sales are the amounts newly owed in the period (charges, interest, fees, costs: the
    revenue side of the ledger); receivables are what is owed at the start and end; current
    receivables are those on items not yet due at the end.
    """
    creditor_sql = " AND a.creditor_id = %s" if creditor is not None else ""
    creditor_params = [creditor.pk] if creditor is not None else []
    day_before = start - timedelta(days=1)
    window_start = _month_start(end)
    for _ in range(11):
        window_start = _month_start(window_start - timedelta(days=1))
    sql = (
        "SELECT a.currency,"
        " SUM(CASE WHEN e.book = 'receivable' AND e.effective_date <= %s THEN e.amount_minor ELSE 0 END),"
        " SUM(CASE WHEN e.book = 'receivable' AND e.effective_date <= %s THEN e.amount_minor ELSE 0 END),"
        " SUM(CASE WHEN e.book = 'revenue' AND e.effective_date BETWEEN %s AND %s THEN -e.amount_minor ELSE 0 END),"
        " SUM(CASE WHEN e.book = 'receivable' AND e.effective_date <= %s AND i.due_date > %s"
        "     THEN e.amount_minor ELSE 0 END) "
        "FROM accounts_entry e JOIN accounts_account a ON a.id = e.account_id "
        "LEFT JOIN accounts_open_item i ON i.id = e.open_item_id "
        f"WHERE e.effective_date <= %s{creditor_sql} GROUP BY a.currency ORDER BY a.currency"
    )
    month_expr = (
        "date_trunc('month', e.effective_date)::date"
        if connection.vendor == "postgresql"
        else "date(e.effective_date, 'start of month')"
    )
    monthly_sql = (
        f"SELECT a.currency, {month_expr}, -SUM(e.amount_minor) FROM accounts_entry e "
        "JOIN accounts_account a ON a.id = e.account_id "
        f"WHERE e.book = 'revenue' AND e.effective_date BETWEEN %s AND %s{creditor_sql} GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day_before, end, start, end, end, end, end, *creditor_params])
        totals = cursor.fetchall()
        cursor.execute(monthly_sql, [window_start, end, *creditor_params])
        monthly: dict[str, dict[date, int]] = defaultdict(dict)
        for currency, month, amount in cursor.fetchall():
            month_date = month if isinstance(month, date) else date.fromisoformat(str(month))
            monthly[currency][month_date] = int(amount)
    days = (end - start).days + 1
    report: list[ReceivablesKpis] = []
    for currency, beginning, ending, sales, current in totals:
        beginning_d, ending_d, sales_d, current_d = (Decimal(int(v or 0)) for v in (beginning, ending, sales, current))
        periods: list[PeriodSales] = []
        month = _month_start(end)
        for _ in range(12):
            last_day = (
                end
                if month == _month_start(end)
                else month.replace(day=calendar.monthrange(month.year, month.month)[1])
            )
            periods.append(PeriodSales((last_day - month).days + 1, Decimal(monthly[currency].get(month, 0))))
            month = _month_start(month - timedelta(days=1))
        report.append(
            ReceivablesKpis(
                currency=currency,
                start=start,
                end=end,
                beginning_receivables=Money.from_minor(int(beginning_d), currency),
                ending_receivables=Money.from_minor(int(ending_d), currency),
                ending_current_receivables=Money.from_minor(int(current_d), currency),
                credit_sales=Money.from_minor(int(sales_d), currency),
                dso=dso(ending_receivables=ending_d, credit_sales=sales_d, days_in_period=days),
                countback_dso=countback_dso(ending_receivables=ending_d, periods_newest_first=periods),
                cei=cei(
                    beginning_receivables=beginning_d,
                    credit_sales=sales_d,
                    ending_total_receivables=ending_d,
                    ending_current_receivables=current_d,
                ),
                art=art(credit_sales=sales_d, beginning_receivables=beginning_d, ending_receivables=ending_d),
            )
        )
    return report


# Ledger check -----------------------------------------------------------------------------------


@dataclass
class LedgerCheck:
    accounts: int = 0
    items: int = 0
    transactions: int = 0
    entries: int = 0
    unbalanced_transactions: list[int] = field(default_factory=list)
    account_mismatches: list[str] = field(default_factory=list)
    item_mismatches: list[int] = field(default_factory=list)
    oldest_due_mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.unbalanced_transactions
            or self.account_mismatches
            or self.item_mismatches
            or self.oldest_due_mismatches
        )


def verify_ledger(*, limit: int = 20) -> LedgerCheck:
    """Recompute every balance from the entries and compare with the caches; list what differs."""
    check = LedgerCheck()
    component_sums = ", ".join(
        f"SUM(CASE WHEN book = 'receivable' AND component = '{c.value}' THEN amount_minor ELSE 0 END) AS {c.value}"
        for c in Component
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM accounts_account), (SELECT COUNT(*) FROM accounts_open_item),"
            " (SELECT COUNT(*) FROM accounts_transaction), (SELECT COUNT(*) FROM accounts_entry)"
        )
        check.accounts, check.items, check.transactions, check.entries = (int(v) for v in cursor.fetchone())
        cursor.execute(
            "SELECT transaction_id FROM accounts_entry GROUP BY transaction_id "
            f"HAVING SUM(amount_minor) <> 0 ORDER BY transaction_id LIMIT {int(limit)}"
        )
        check.unbalanced_transactions = [int(r[0]) for r in cursor.fetchall()]
        cursor.execute(
            "SELECT t.id FROM accounts_transaction t LEFT JOIN accounts_entry e ON e.transaction_id = t.id "
            f"WHERE e.id IS NULL ORDER BY t.id LIMIT {int(limit)}"
        )
        check.unbalanced_transactions += [int(r[0]) for r in cursor.fetchall()]
        cursor.execute(
            f"WITH s AS (SELECT account_id, {component_sums},"
            " -SUM(CASE WHEN book = 'credit_balance' THEN amount_minor ELSE 0 END) AS credit"
            " FROM accounts_entry GROUP BY account_id) "
            "SELECT a.reference, a.creditor_id FROM accounts_account a LEFT JOIN s ON s.account_id = a.id WHERE "
            "a.principal_minor <> COALESCE(s.principal, 0) OR a.interest_minor <> COALESCE(s.interest, 0) OR "
            "a.fees_minor <> COALESCE(s.fees, 0) OR a.costs_minor <> COALESCE(s.costs, 0) OR "
            f"a.credit_balance_minor <> COALESCE(s.credit, 0) ORDER BY a.id LIMIT {int(limit)}"
        )
        check.account_mismatches = [f"{ref} (creditor {creditor})" for ref, creditor in cursor.fetchall()]
        cursor.execute(
            "WITH s AS (SELECT open_item_id, SUM(amount_minor) AS balance FROM accounts_entry "
            "WHERE book = 'receivable' GROUP BY open_item_id) "
            "SELECT i.id FROM accounts_open_item i LEFT JOIN s ON s.open_item_id = i.id "
            f"WHERE i.balance_minor <> COALESCE(s.balance, 0) ORDER BY i.id LIMIT {int(limit)}"
        )
        check.item_mismatches = [int(r[0]) for r in cursor.fetchall()]
        differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        cursor.execute(
            "WITH s AS (SELECT account_id, MIN(due_date) AS oldest FROM accounts_open_item "
            "WHERE balance_minor > 0 GROUP BY account_id) "
            "SELECT a.reference, a.creditor_id FROM accounts_account a LEFT JOIN s ON s.account_id = a.id "
            f"WHERE a.oldest_unpaid_due_date {differs} s.oldest ORDER BY a.id LIMIT {int(limit)}"
        )
        check.oldest_due_mismatches = [f"{ref} (creditor {creditor})" for ref, creditor in cursor.fetchall()]
    return check
