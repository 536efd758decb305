"""`recoup account show`, `recoup aging`, `recoup kpis` and `recoup ledger verify`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from typing import Any

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _ready() -> None:
    setup_django()
    ensure_database_reachable()
    ensure_migrated()


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _as_date(value: datetime | None) -> date:
    return value.date() if value is not None else _today()


def _creditor(code: str | None) -> Any:
    if not code:
        return None
    from recoup.parties.models import Creditor

    creditor = Creditor.objects.filter(code=code).first()
    if creditor is None:
        known = ", ".join(Creditor.objects.order_by("code").values_list("code", flat=True)) or "none yet"
        raise OperatorError(f"--creditor: no creditor with code '{code}' (creditors: {known})")
    return creditor


@click.group()
def account() -> None:
    """Look at one account."""


@account.command("show")
@click.argument("reference")
@click.option("--creditor", "creditor_code", help="Creditor code, when the reference is not unique.")
@click.option("--as-of", "as_of", type=DATE, help="Show balances as of this date (YYYY-MM-DD); default today.")
@click.option("--transactions", default=10, show_default=True, type=click.IntRange(0, 1000))
def account_show(reference: str, creditor_code: str | None, as_of: datetime | None, transactions: int) -> None:
    """Balances by component, open items with days past due, and the latest transactions."""
    _ready()
    from rich.console import Console
    from rich.table import Table

    from recoup.accounts.ledger_selectors import account_statement
    from recoup.accounts.models import Account, ChargeFreeze

    creditor = _creditor(creditor_code)
    matches = Account.objects.select_related("creditor").filter(reference=reference)
    if creditor is not None:
        matches = matches.filter(creditor=creditor)
    found = list(matches.order_by("id")[:5])
    if not found:
        raise OperatorError(f"REFERENCE: no account '{reference}'" + (f" for {creditor_code}" if creditor else ""))
    if len(found) > 1:
        codes = ", ".join(a.creditor.code for a in found)
        raise OperatorError(f"REFERENCE: '{reference}' exists for several creditors ({codes}); add --creditor")
    statement = account_statement(account=found[0], as_of=_as_date(as_of), last_transactions=transactions)
    acct = statement.account
    console = Console(width=120, highlight=False)
    console.print(
        f"[bold]{acct.reference}[/bold]  {acct.creditor.name}  {acct.get_product_type_display()}  "
        f"status {acct.get_status_display()}  as of {statement.as_of.isoformat()}"
    )
    console.print(f"Days past due {statement.days_past_due} (bucket {statement.bucket})")
    balances = Table(title="Balances", title_justify="left")
    balances.add_column("Component")
    balances.add_column("Balance", justify="right")
    for component, amount in statement.balances.items():
        balances.add_row(component.value, str(amount))
    balances.add_row("[bold]total[/bold]", f"[bold]{statement.total}[/bold]")
    if statement.credit_balance.is_positive:
        balances.add_row("credit balance", str(statement.credit_balance))
    console.print(balances)
    freezes = list(ChargeFreeze.objects.filter(account_id=acct.pk).order_by("starts_on", "id"))
    if freezes:
        table = Table(title="Charge freezes", title_justify="left")
        for column in ("Id", "From", "To", "Components", "Source", "Reason", "Now"):
            table.add_column(column)
        for freeze in freezes:
            last = freeze.last_day
            in_force = freeze.starts_on <= statement.as_of and (last is None or statement.as_of <= last)
            table.add_row(
                str(freeze.pk),
                freeze.starts_on.isoformat(),
                last.isoformat() if last else "until ended",
                ", ".join(freeze.components),
                f"{freeze.source} {freeze.source_id}".strip(),
                freeze.reason,
                "in force" if in_force else ("ended" if freeze.ended_on is not None else "not in force"),
            )
        console.print(table)
    items = Table(title="Open items", title_justify="left")
    for column in ("Item", "Kind", "Reference", "Component", "Due", "Original", "Balance", "DPD"):
        items.add_column(column, justify="right" if column in {"Original", "Balance", "DPD"} else "left")
    for item in statement.items:
        items.add_row(
            str(item.item_id),
            item.kind,
            item.reference,
            item.component,
            item.due_date.isoformat(),
            str(item.original),
            str(item.balance),
            str(item.days_past_due),
        )
    console.print(items)
    txns = Table(title=f"Last {len(statement.transactions)} transactions", title_justify="left")
    for column in ("Id", "Date", "Type", "Amount", "Memo"):
        txns.add_column(column, justify="right" if column == "Amount" else "left")
    for txn in statement.transactions:
        txns.add_row(
            str(txn.transaction_id),
            txn.effective_date.isoformat(),
            txn.type + (" (reversed)" if txn.reversed else ""),
            str(txn.amount),
            txn.memo,
        )
    console.print(txns)


@click.command()
@click.option("--creditor", "creditor_code", help="Only this creditor (code).")
@click.option("--as-of", "as_of", type=DATE, help="Age balances as of this date (YYYY-MM-DD); default today.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def aging(creditor_code: str | None, as_of: datetime | None, fmt: str) -> None:
    """The aging report: accounts, items and balances by creditor, currency and bucket."""
    _ready()
    from recoup.accounts.ledger_selectors import aging_report

    today = _today()
    report = aging_report(as_of=_as_date(as_of), today=today, creditor=_creditor(creditor_code))
    records = [
        {
            "creditor": row.creditor_code,
            "currency": row.currency,
            "bucket": row.bucket,
            "accounts": row.accounts,
            "items": row.items,
            "balance": str(row.balance.amount),
        }
        for row in report.rows
    ]
    if fmt == "json":
        click.echo(json.dumps({"as_of": report.as_of.isoformat(), "rows": records}, indent=2))
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["creditor"])
        writer.writeheader()
        writer.writerows(records)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Aging as of {report.as_of.isoformat()}", title_justify="left")
    for column in ("Creditor", "Currency", "Bucket", "Accounts", "Items", "Balance"):
        table.add_column(column, justify="right" if column in {"Accounts", "Items", "Balance"} else "left")
    for (code, currency), (accounts, items, balance) in report.totals().items():
        for row in report.rows:
            if (row.creditor_code, row.currency) == (code, currency):
                table.add_row(
                    code,
                    currency,
                    row.bucket,
                    f"{row.accounts:,}",
                    f"{row.items:,}",
                    f"{row.balance.amount:,}",
                )
        table.add_row(
            f"[bold]{code}[/bold]",
            currency,
            "[bold]total[/bold]",
            f"[bold]{accounts:,}[/bold]",
            f"[bold]{items:,}[/bold]",
            f"[bold]{balance.amount:,}[/bold]",
            end_section=True,
        )
    Console(width=120, highlight=False).print(table)


@click.command()
@click.option("--from", "start", type=DATE, required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", type=DATE, required=True, help="Last day of the period (YYYY-MM-DD).")
@click.option("--creditor", "creditor_code", help="Only this creditor (code).")
def kpis(start: datetime, end: datetime, creditor_code: str | None) -> None:
    """DSO (standard and countback), CEI and ART over a period, per currency."""
    if end < start:
        raise OperatorError("--to: the period ends before it starts")
    _ready()
    from recoup.accounts.ledger_selectors import receivables_kpis

    rows = receivables_kpis(start=start.date(), end=end.date(), creditor=_creditor(creditor_code))
    if not rows:
        click.echo("No ledger entries up to that date.")
    for row in rows:
        click.echo(
            f"{row.currency}: receivables {row.beginning_receivables} -> {row.ending_receivables} "
            f"(current {row.ending_current_receivables}), credit sales {row.credit_sales}"
        )
        click.echo(
            f"  DSO {row.dso if row.dso is not None else 'n/a'} days, countback DSO "
            f"{row.countback_dso if row.countback_dso is not None else 'n/a (history too short)'} days, "
            f"CEI {row.cei if row.cei is not None else 'n/a'}%, ART {row.art if row.art is not None else 'n/a'}"
        )


@click.group()
def ledger() -> None:
    """Check the ledger."""


@ledger.command("verify")
def ledger_verify() -> None:
    """Recompute every balance from the entries and compare with the cached balances."""
    _ready()
    import time

    from recoup.accounts.ledger_selectors import verify_ledger

    started = time.perf_counter()
    check = verify_ledger()
    elapsed = time.perf_counter() - started
    click.echo(
        f"Checked {check.accounts:,} accounts, {check.items:,} items, {check.transactions:,} transactions, "
        f"{check.entries:,} entries in {elapsed:.1f} s."
    )
    if check.ok:
        click.echo("Ledger OK: every transaction balances and every cached balance matches the entries.")
        return
    for txn in check.unbalanced_transactions:
        click.echo(f"  transaction {txn} does not balance (or has no entries)")
    for acct in check.account_mismatches:
        click.echo(f"  account {acct}: cached balances differ from the entries")
    for item in check.item_mismatches:
        click.echo(f"  open item {item}: cached balance differs from the entries")
    for acct in check.oldest_due_mismatches:
        click.echo(f"  account {acct}: cached oldest unpaid due date differs from its items")
    raise SystemExit(1)
