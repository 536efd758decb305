"""`recoup compliance ...`: the gate's answer, validation periods and notices, deadlines, and the
credit reporting gate."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django

if TYPE_CHECKING:
    from recoup.accounts.models import Account
    from recoup.compliance.simulation import SimulationResult


def _account(reference: str, creditor_code: str | None) -> Any:
    """The one account with this reference (of this creditor), or an error naming the option."""
    from recoup.accounts.models import Account

    accounts = Account.objects.filter(reference=reference).select_related("creditor")
    if creditor_code:
        accounts = accounts.filter(creditor__code=creditor_code)
    found = list(accounts[:2])
    if not found:
        raise OperatorError(f"--account: no account '{reference}'{f' of {creditor_code}' if creditor_code else ''}")
    if len(found) > 1:
        raise OperatorError(f"--account: '{reference}' is an account of several creditors; give --creditor")
    return found[0]


@click.group()
def compliance() -> None:
    """Ask the compliance gate, and compute US validation periods."""


@compliance.command("check")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--channel", type=click.Choice(["call", "sms", "email", "letter", "visit"]), required=True)
@click.option("--at", "at_text", required=True, help="When, as ISO 8601 with a UTC offset: 2026-11-23T19:30:00-05:00.")
@click.option(
    "--purpose",
    type=click.Choice(["collection", "validation_notice", "cease_notice", "opt_out_confirmation"]),
    default="collection",
    show_default=True,
    help="Why: a few purposes stay allowed where collection contact is not.",
)
@click.option("--to", "to_value", help="The phone number or email address to use (default: any usable one).")
@click.option("--automated", is_flag=True, help="An autodialled or prerecorded call, or an automated text (US-23).")
def check(
    reference: str,
    creditor_code: str | None,
    channel: str,
    at_text: str,
    purpose: str,
    to_value: str | None,
    automated: bool,
) -> None:
    """Whether the primary debtor may be contacted on this account by this channel at that time, as JSON.

    Prints the decision (allowed, every reason with its rule ID, warnings, the next allowed time, the
    time zones and rule packs used, the usable numbers or addresses) without recording it; exit 1 when
    the contact is blocked.
    """
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        raise OperatorError(f"--at: '{at_text}' is not an ISO 8601 time (like 2026-11-23T19:30:00-05:00)") from None
    if at.tzinfo is None:
        raise OperatorError(f"--at: '{at_text}' has no UTC offset; say which time zone it is in (e.g. -05:00 or Z)")
    setup_django()
    ensure_database_reachable()
    ensure_migrated()
    from recoup.accounts.models import AccountDebtor
    from recoup.compliance.services import UnableToContact, decision_json, evaluate
    from recoup.core.compliance import Channel
    from recoup.core.compliance.model import Purpose

    account = _account(reference, creditor_code)
    role = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor")
    primary = role.first()
    if primary is None:
        raise OperatorError(f"--account: {reference} has no primary debtor to contact")
    point = None
    if to_value:
        from recoup.parties.models import ContactPoint

        point = ContactPoint.objects.filter(debtor=primary.debtor, value=to_value.strip().lower()).first()
        if point is None:
            raise OperatorError(f"--to: {to_value} is not a phone number or email address of {primary.debtor}")
    try:
        evaluation = evaluate(
            account=account,
            debtor=primary.debtor,
            channel=Channel(channel),
            at=at,
            purpose=Purpose(purpose),
            contact_point=point,
            automated=automated,
        )
    except UnableToContact as exc:
        raise OperatorError(str(exc)) from None
    output = {"account": account.reference, "creditor": account.creditor.code, "channel": channel, "at": at.isoformat()}
    output.update(decision_json(evaluation))
    click.echo(json.dumps(output, indent=2))
    if not evaluation.decision.allowed:
        raise SystemExit(1)


@compliance.command("validation-end")
@click.option("--sent", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
def validation_end_command(sent: datetime) -> None:
    """The last day of the US validation period (US-13) for a notice sent that day."""
    from recoup.core.compliance import assumed_receipt, validation_end

    day = sent.date()
    click.echo(
        json.dumps(
            {
                "sent": day.isoformat(),
                "assumed_receipt": assumed_receipt(day).isoformat(),
                "validation_end": validation_end(day).isoformat(),
                "rule": "US-13",
            },
            indent=2,
        )
    )


@compliance.command("simulate")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 365))
@click.option("--accounts", "how_many", default=100, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--per-day", default=4, show_default=True, type=click.IntRange(1, 48), help="Proposals per account a day."
)
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--start", "start_text", help="First day, ISO 8601 with offset; default 30 days ago.")
@click.option(
    "--also-about",
    "also_about",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of calls that name the person's other debts (their other active accounts are simulated too).",
)
@click.option(
    "--holds",
    "hold_count",
    default=0,
    show_default=True,
    type=click.IntRange(0, 1_000),
    help="Accounts put under a hold halfway through (UK: breathing space; US: cease communication) and sent "
    "collection emails, statements and notices before and after it (to an inbox in memory).",
)
def simulate_command(
    days: int, how_many: int, per_day: int, seed: int, start_text: str | None, also_about: float, hold_count: int
) -> None:
    """Run a simulated dialer through the gate on the first N open accounts, then check the ledger.

    Writes real decisions and contacts (use a demo database). Prints what was proposed, allowed and
    blocked by which rule, then the independent checker's count of breaches; exit 1 if there is any.
    """
    setup_django()
    ensure_database_reachable()
    ensure_migrated()
    from django.utils import timezone

    from recoup.accounts.models import Account
    from recoup.compliance.checker import check_ledger
    from recoup.compliance.simulation import PlannedHold, simulate

    if start_text:
        try:
            start = datetime.fromisoformat(start_text)
        except ValueError:
            raise OperatorError(f"--start: '{start_text}' is not an ISO 8601 time") from None
        if start.tzinfo is None:
            raise OperatorError(f"--start: '{start_text}' has no UTC offset")
    else:
        start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)
    accounts = list(Account.objects.filter(status="active").select_related("creditor").order_by("id")[:how_many])
    if not accounts:
        raise OperatorError("no active accounts to simulate on (load some with `recoup demo-data`)")
    if also_about > 0:
        accounts += _other_active_debts(accounts)
    holds = [
        PlannedHold(account, "breathing_space" if country == "GB" else "cease_communication", day=days // 2)
        for account, country in _holdable(accounts, hold_count)
    ]
    messenger = None
    if holds:
        from recoup.communications.simulation import OutboxMessenger

        messenger = OutboxMessenger(now=start)
    result = simulate(
        accounts=accounts,
        start=start,
        days=days,
        proposals_per_day=per_day,
        seed=seed,
        also_about_share=also_about,
        holds=holds,
        messenger=messenger,
    )
    breaches = check_ledger()
    blocked = ", ".join(f"{rule} {count:,}" for rule, count in result.blocked_by.most_common()) or "none"
    click.echo(
        f"{len(accounts):,} accounts, {days} days from {start.date().isoformat()}: "
        f"{result.proposed:,} contacts proposed, "
        f"{result.allowed:,} allowed, {result.proposed - result.allowed:,} blocked (by rule: {blocked}); "
        f"{result.inbound:,} calls from debtors; {result.notices:,} validation notices sent."
    )
    if also_about > 0:
        refused = ", ".join(f"{rule} {n:,}" for rule, n in result.also_about_refused.most_common()) or "none"
        people = result.people_with_several_debts
        click.echo(
            f"{people:,} {'person owes' if people == 1 else 'people owe'} several of the debts: "
            f"{result.calls_about_several:,} calls were about more than one, counted toward "
            f"{result.also_about:,} other debts; a debt was left out {sum(result.also_about_refused.values()):,} "
            f"times (by rule: {refused})."
        )
    if holds:
        click.echo(_holds_line(result))
    click.echo(f"Independent check of the ledger: {len(breaches):,} breaches.")
    for breach in breaches[:20]:
        click.echo(f"  {breach.rule} contact {breach.contact_id}: {breach.text}")
    if breaches:
        raise SystemExit(1)


def _other_active_debts(accounts: list[Account]) -> list[Account]:
    """The other active accounts of the chosen accounts' primary debtors (a person called about them all)."""
    from recoup.accounts.models import Account, AccountDebtor

    people = AccountDebtor.objects.filter(account__in=accounts, role="primary").values("debtor_id")
    return list(
        Account.objects.filter(status="active", account_debtors__role="primary", account_debtors__debtor__in=people)
        .exclude(pk__in=[account.pk for account in accounts])
        .select_related("creditor")
        .order_by("id")
        .distinct()
    )


def _holdable(accounts: list[Account], count: int) -> list[tuple[Account, str]]:
    """Up to `count` of the accounts whose person is in the UK or the US (a person's first debt only)."""
    from recoup.accounts.models import AccountDebtor

    if count == 0:
        return []
    countries = dict(
        AccountDebtor.objects.filter(account__in=accounts, role="primary", debtor__country__in=["GB", "US"])
        .order_by("account_id")
        .values_list("account_id", "debtor__country")
    )
    people: set[int] = set()
    chosen = []
    for account_id, debtor_id in (
        AccountDebtor.objects.filter(account_id__in=countries, role="primary")
        .order_by("account_id")
        .values_list("account_id", "debtor_id")
    ):
        if debtor_id in people:
            continue
        people.add(debtor_id)
        chosen.append(account_id)
    by_id = {account.pk: account for account in accounts}
    return [(by_id[pk], countries[pk]) for pk in chosen[:count]]


def _holds_line(result: SimulationResult) -> str:
    held = ", ".join(f"{kind.replace('_', ' ')} {n:,}" for kind, n in sorted(result.holds_placed.items()))
    during = {(purpose, status): n for (phase, purpose, status), n in result.messages.items() if phase == "during hold"}
    collection_sent = during.get(("collection", "sent"), 0)
    collection_stopped = sum(n for (purpose, status), n in during.items() if purpose == "collection") - collection_sent
    others_sent = sum(n for (purpose, status), n in during.items() if purpose != "collection" and status == "sent")
    others_stopped = sum(n for (purpose, status), n in during.items() if purpose != "collection" and status != "sent")
    rules = ", ".join(f"{rule} {n:,}" for rule, n in result.messages_blocked_by.most_common()) or "none"
    return (
        f"Holds placed: {held}. Messages tried during them: collection {collection_sent:,} sent, "
        f"{collection_stopped:,} held back or refused; statements and notices {others_sent:,} sent, "
        f"{others_stopped:,} held back or refused (by rule: {rules})."
    )


@compliance.command("validation-notice")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--sent", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="The day it will be sent.")
def validation_notice_command(reference: str, creditor_code: str | None, sent: datetime) -> None:
    """Print the US validation notice for an account (US-12), or refuse, naming every missing part."""
    setup_django()
    ensure_database_reachable()
    ensure_migrated()
    from recoup.accounts.selectors import primary_debtor
    from recoup.compliance.disclosures import account_message_facts
    from recoup.compliance.services import build_validation_notice
    from recoup.core.compliance import Channel, missing_parts, render_notice, required_wording

    account = _account(reference, creditor_code)
    notice = build_validation_notice(account=account, sent_on=sent.date())
    missing = missing_parts(notice)
    if missing:
        click.echo(f"The validation notice for {reference} cannot be sent; missing or wrong:", err=True)
        for part in missing:
            click.echo(f"  {part}", err=True)
        if any(p in {"collector_name", "collector_address"} for p in missing):
            click.echo("  (set RECOUP_COLLECTOR_NAME and RECOUP_COLLECTOR_ADDRESS, lines separated by '|')", err=True)
        raise SystemExit(1)
    facts = account_message_facts(
        account=account, debtor=primary_debtor(account), channel=Channel.LETTER, on=sent.date()
    )
    click.echo(render_notice(notice, time_barred_disclosure=required_wording(facts)))


def _ready() -> None:
    setup_django()
    ensure_database_reachable()
    ensure_migrated()


@compliance.command("notice")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option(
    "--kind",
    type=click.Choice(["validation", "first_letter", "overdue", "intent_to_list", "default"]),
    required=True,
    help="Which notice was sent.",
)
@click.option("--sent", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="The day it was sent.")
@click.option("--channel", type=click.Choice(["letter", "email", "sms"]), default="letter", show_default=True)
@click.option("--remedy-days", type=int, help="Default notices: the days given to remedy (AU 30+, UK 14+).")
@click.option("--reference", "notice_reference", default="", help="Print batch, tracking number or message id.")
def notice_command(
    reference: str,
    creditor_code: str | None,
    kind: str,
    sent: datetime,
    channel: str,
    remedy_days: int | None,
    notice_reference: str,
) -> None:
    """Record that a notice was sent: it meets US-11 and starts the waits of US-17, AU-07, AU-08, UK-08."""
    _ready()
    from django.utils import timezone

    from recoup.compliance.deadlines import record_notice
    from recoup.compliance.services import UnableToContact

    account = _account(reference, creditor_code)
    try:
        notice = record_notice(
            account=account,
            kind=kind,
            sent_on=sent.date(),
            now=timezone.now(),
            actor=None,
            channel=channel,
            reference=notice_reference,
            remedy_days=remedy_days,
        )
    except UnableToContact as exc:
        raise OperatorError(str(exc)) from None
    click.echo(f"Recorded: {notice.get_kind_display()} for {account.reference}, sent {notice.sent_on} by {channel}.")


def _as_of(text: str | None) -> Any:
    from django.utils import timezone

    if text is None:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise OperatorError(f"--as-of: '{text}' is not a date (YYYY-MM-DD)") from None


@compliance.command("deadlines")
@click.option("--account", "reference", help="One account's reference; without it, every account with a clock due.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--as-of", "as_of_text", help="The day to judge on (YYYY-MM-DD); default today.")
def deadlines_command(reference: str | None, creditor_code: str | None, as_of_text: str | None) -> None:
    """The legal clocks (US-11 validation notice, AU-06 hardship steps): met, running, to escalate or overdue.

    With --account, every clock on that account; without, every clock across the portfolio that is
    to be escalated or overdue, most overdue first. Exit 1 when any shown clock is overdue.
    """
    _ready()
    from recoup.compliance.deadlines import account_deadlines, deadlines_due

    today = _as_of(as_of_text)
    if reference:
        account = _account(reference, creditor_code)
        rows = [(account.reference, account.creditor.code, d) for d in account_deadlines(account)]
    else:
        rows = [(a.reference, a.creditor.code, d) for a, d in deadlines_due(today)]
    if not rows:
        click.echo("No legal clocks are running." if reference else "No clock is due for escalation or overdue.")
        return
    click.echo(f"{'account':<16} {'creditor':<12} {'rule':<6} {'due':<10} {'state':<8} what")
    for account_ref, creditor, deadline in rows:
        state = deadline.state(today)
        click.echo(
            f"{account_ref:<16} {creditor:<12} {deadline.rule:<6} {deadline.due_on.isoformat():<10} "
            f"{state.value:<8} {deadline.what}" + (f" (done {deadline.met_on.isoformat()})" if deadline.met_on else "")
        )
    if any(d.state(today).value == "overdue" for _a, _c, d in rows):
        raise SystemExit(1)


@compliance.command("credit-report")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--as-of", "as_of_text", help="The day to judge on (YYYY-MM-DD); default today.")
def credit_report_command(reference: str, creditor_code: str | None, as_of_text: str | None) -> None:
    """Whether the debt may be reported to a credit bureau (US-17, US-18) or listed as a default (AU-08),
    as JSON with every reason and the earliest day; exit 1 when it may not."""
    _ready()
    from recoup.compliance.deadlines import credit_reporting_gate

    today = _as_of(as_of_text)
    account = _account(reference, creditor_code)
    gate = credit_reporting_gate(account, today)
    click.echo(
        json.dumps(
            {
                "account": account.reference,
                "creditor": account.creditor.code,
                "as_of": today.isoformat(),
                "allowed": gate.allowed,
                "reasons": [{"rule": r.rule, "text": r.text} for r in gate.reasons],
                "earliest": gate.earliest.isoformat() if gate.earliest else None,
            },
            indent=2,
        )
    )
    if not gate.allowed:
        raise SystemExit(1)


@compliance.command("paid-after-extinction")
@click.option("--as-of", "as_of_text", help="The day to judge on (YYYY-MM-DD); default today.")
def paid_after_extinction_command(as_of_text: str | None) -> None:
    """Payments made after a debt was extinguished (UK-06 Scotland, AU-05 NSW) and not yet returned.

    One line per payment: the account, the day of extinction, the payment's date and amount. Return one
    from the account page ("Return it"). Exit 1 when any is listed, so a scheduled check can alert.
    """
    _ready()
    from recoup.compliance.extinguished import accounts_paid_after_extinction

    today = _as_of(as_of_text)
    found = accounts_paid_after_extinction(on=today)
    if not found:
        click.echo("No payment was made after a debt was extinguished (or every one was returned).")
        return
    click.echo(f"{'account':<16} {'creditor':<12} {'rule':<6} {'extinguished':<12} {'payment':<8} {'dated':<10} amount")
    for row in found:
        for payment in row.payments:
            click.echo(
                f"{row.account.reference:<16} {row.account.creditor.code:<12} {row.rule:<6} "
                f"{row.extinguished_on.isoformat():<12} {payment.pk:<8} "
                f"{payment.transaction.effective_date.isoformat():<10} {payment.amount}"
            )
    count = sum(len(row.payments) for row in found)
    click.echo(f"{count} payment(s) on {len(found)} account(s) to return where the law requires it.")
    raise SystemExit(1)
