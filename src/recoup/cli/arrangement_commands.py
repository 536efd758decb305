"""`recoup arrangements ...`: make plans, promises and settlements, monitor them, and their figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django
from recoup.cli.compliance_commands import _account


def _ready() -> None:
    setup_django()
    ensure_database_reachable()
    ensure_migrated()


def _day(text: str | None, option: str) -> date:
    from django.utils import timezone

    if text is None:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise OperatorError(f"{option}: '{text}' is not a date (YYYY-MM-DD)") from None


def _amount(text: str | None, currency: str, option: str) -> Any:
    from recoup.core.money import Money, MoneyError

    if text is None:
        return None
    try:
        return Money.of(Decimal(text), currency)
    except (InvalidOperation, MoneyError) as exc:
        raise OperatorError(f"{option}: '{text}' is not an amount in {currency} ({exc})") from None


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


@click.group("arrangements")
def arrangements() -> None:
    """Payment plans, promises to pay and settlements (docs/arrangements.md)."""


@arrangements.command("plan")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option(
    "--frequency",
    type=click.Choice(["weekly", "fortnightly", "four_weekly", "monthly"]),
    default="monthly",
    show_default=True,
)
@click.option("--first-due", required=True, help="The first instalment's date (YYYY-MM-DD).")
@click.option("--dates", help="Or explicit due dates, comma-separated (YYYY-MM-DD,...): one instalment each.")
@click.option("--count", type=click.IntRange(1, 600), help="How many instalments.")
@click.option("--instalment", help="Or: the amount of each instalment.")
@click.option("--total", help="What the plan pays off; default the whole balance.")
@click.option("--down-payment", help="A first payment on the first due date, before the instalments.")
@click.option("--freeze-interest", is_flag=True, help="Freeze interest and fees while the plan is kept.")
@click.option("--approval-reason", default="", help="Why a plan outside the creditor's policy should be approved.")
def plan_command(
    reference: str,
    creditor_code: str | None,
    frequency: str,
    first_due: str,
    dates: str | None,
    count: int | None,
    instalment: str | None,
    total: str | None,
    down_payment: str | None,
    freeze_interest: bool,
    approval_reason: str,
) -> None:
    """Make a payment plan and print its schedule (made by the system, not by a signed-in user)."""
    _ready()
    from recoup.arrangements.services import PlanRequest, UnableToArrange, create_plan
    from recoup.core.arrangements import Frequency
    from recoup.core.money import Money

    account = _account(reference, creditor_code)
    explicit = [_day(part.strip(), "--dates") for part in dates.split(",") if part.strip()] if dates else []
    request = PlanRequest(
        frequency=Frequency.EXPLICIT if explicit else Frequency(frequency),
        explicit_dates=explicit,
        first_due=_day(first_due, "--first-due"),
        count=count,
        instalment=_amount(instalment, account.currency, "--instalment"),
        total=_amount(total, account.currency, "--total"),
        down_payment=_amount(down_payment, account.currency, "--down-payment"),
        freeze_charges=freeze_interest,
        approval_reason=approval_reason,
    )
    try:
        plan = create_plan(account=account, request=request, now=_now(), actor=None)
    except UnableToArrange as exc:
        raise OperatorError(str(exc)) from None
    click.echo(f"Plan {plan.pk} on {account.reference}: {plan.get_state_display().lower()}.")
    for due in plan.dues.order_by("number"):
        click.echo(
            f"  {due.number:>3}  {due.due_date.isoformat()}  {Money.from_minor(due.amount_minor, plan.currency)}"
        )


@arrangements.command("promise")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--amount", "amounts", multiple=True, required=True, help="AMOUNT@YYYY-MM-DD; repeat for several.")
@click.option("--channel", type=click.Choice(["call", "sms", "email", "letter", "visit", "portal"]), default="call")
def promise_command(reference: str, creditor_code: str | None, amounts: tuple[str, ...], channel: str) -> None:
    """Record a promise to pay one or several amounts on dates."""
    _ready()
    from recoup.arrangements.services import UnableToArrange, create_promise

    account = _account(reference, creditor_code)
    pairs = []
    for item in amounts:
        value, _, on = item.partition("@")
        if not on:
            raise OperatorError(f"--amount: '{item}' should be AMOUNT@YYYY-MM-DD")
        pairs.append((_day(on, "--amount"), _amount(value, account.currency, "--amount")))
    try:
        promise = create_promise(account=account, amounts=pairs, now=_now(), actor=None, channel=channel)
    except UnableToArrange as exc:
        raise OperatorError(str(exc)) from None
    click.echo(
        f"Promise {promise.pk} on {account.reference}: {len(pairs)} amount(s), {promise.get_state_display().lower()}."
    )


@arrangements.command("settle")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--amount", "amounts", multiple=True, required=True, help="AMOUNT@YYYY-MM-DD; repeat for a short plan.")
@click.option("--approval-reason", default="", help="Why a discount above the authority should be approved.")
def settle_command(reference: str, creditor_code: str | None, amounts: tuple[str, ...], approval_reason: str) -> None:
    """Agree a settlement for less than the balance (made by the system: no role, so any discount waits
    for approval and needs --approval-reason)."""
    _ready()
    from recoup.arrangements.services import UnableToArrange, create_settlement

    account = _account(reference, creditor_code)
    pairs = []
    for item in amounts:
        value, _, on = item.partition("@")
        if not on:
            raise OperatorError(f"--amount: '{item}' should be AMOUNT@YYYY-MM-DD")
        pairs.append((_day(on, "--amount"), _amount(value, account.currency, "--amount")))
    try:
        settlement = create_settlement(
            account=account, amounts=pairs, now=_now(), actor=None, approval_reason=approval_reason
        )
    except UnableToArrange as exc:
        raise OperatorError(str(exc)) from None
    click.echo(f"Settlement {settlement.pk} on {account.reference}: {settlement.get_state_display().lower()}.")


@arrangements.command("monitor")
@click.option("--as-of", "as_of_text", help="The day to judge on (YYYY-MM-DD); default today.")
def monitor_command(as_of_text: str | None) -> None:
    """Mark every due of the open arrangements kept, partly kept or broken; move broken and completed ones on.

    The daily job; it also runs by itself after every payment. Running it twice changes nothing new.
    """
    _ready()
    from recoup.arrangements.services import UnableToArrange, monitor

    as_of = _day(as_of_text, "--as-of")
    try:
        result = monitor(as_of=as_of, now=_now(), actor=None)
    except UnableToArrange as exc:
        raise OperatorError(str(exc)) from None
    click.echo(
        f"{result.arrangements:,} open arrangements as of {as_of.isoformat()}: {result.dues_changed:,} dues changed, "
        f"{result.kept:,} newly kept, {result.broken:,} newly missed, {result.completed:,} completed."
    )


@arrangements.command("kpis")
@click.option("--since", "since_text", help="First due date counted (YYYY-MM-DD); default 90 days ago.")
@click.option("--until", "until_text", help="Last due date counted; default today.")
@click.option("--by", type=click.Choice(["creditor", "officer"]), default="creditor", show_default=True)
@click.option("--creditor", "creditor_code", help="Only this creditor.")
def kpis_command(since_text: str | None, until_text: str | None, by: str, creditor_code: str | None) -> None:
    """Promise, plan and settlement kept rates by count and by amount (shared/reference/KPIS.md)."""
    _ready()
    from datetime import timedelta

    from recoup.arrangements.figures import kept_figures

    until = _day(until_text, "--until")
    since = _day(since_text, "--since") if since_text else until - timedelta(days=90)
    figures = kept_figures(since=since, until=until, by=by, creditor=creditor_code)
    if not figures:
        click.echo(f"Nothing fell due between {since.isoformat()} and {until.isoformat()}.")
        return
    click.echo(
        f"{by:<20} {'kind':<11} {'fell due':>8} {'kept':>6} {'by count':>9} "
        f"{'fell due amount':>18} {'kept amount':>16} {'by amount':>10}"
    )
    for f in figures:
        count = f"{f.rate_by_count}%" if f.rate_by_count is not None else "-"
        amount = f"{f.rate_by_amount}%" if f.rate_by_amount is not None else "-"
        click.echo(
            f"{f.group:<20} {f.kind:<11} {f.fell_due:>8,} {f.kept:>6,} {count:>9} {f.fell_due_amount!s:>18} "
            f"{f.kept_amount!s:>16} {amount:>10}"
        )


@arrangements.command("forecast")
@click.option("--as-of", "as_of_text", help="The first week's day (YYYY-MM-DD); default today.")
@click.option("--weeks", type=click.IntRange(1, 104), default=8, show_default=True)
@click.option("--creditor", "creditor_code", help="Only this creditor.")
def forecast_command(as_of_text: str | None, weeks: int, creditor_code: str | None) -> None:
    """Expected cash by week from active plans, promises and settlements, scheduled and weighted by
    how often each kind has been kept in the last 180 days."""
    _ready()
    from recoup.arrangements.figures import forecast

    rows = forecast(as_of=_day(as_of_text, "--as-of"), weeks=weeks, creditor=creditor_code)
    if not rows:
        click.echo("No active arrangement expects money in that time.")
        return
    click.echo(f"{'week of':<11} {'currency':<8} {'scheduled':>16} {'expected':>16}")
    for row in rows:
        click.echo(f"{row.week_starting.isoformat():<11} {row.currency:<8} {row.scheduled!s:>16} {row.expected!s:>16}")
