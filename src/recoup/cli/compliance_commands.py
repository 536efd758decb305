"""`recoup compliance check` and `recoup compliance validation-end`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django


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
def check(reference: str, creditor_code: str | None, channel: str, at_text: str) -> None:
    """Whether the primary debtor may be contacted on this account by this channel at that time, as JSON.

    Prints the decision (allowed, every reason with its rule ID, warnings, the next allowed time, the
    time zones and rule packs used) without recording it; exit 1 when the contact is blocked.
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

    account = _account(reference, creditor_code)
    role = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor")
    primary = role.first()
    if primary is None:
        raise OperatorError(f"--account: {reference} has no primary debtor to contact")
    try:
        evaluation = evaluate(account=account, debtor=primary.debtor, channel=Channel(channel), at=at)
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
def simulate_command(days: int, how_many: int, per_day: int, seed: int, start_text: str | None) -> None:
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
    from recoup.compliance.simulation import simulate

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
    result = simulate(accounts=accounts, start=start, days=days, proposals_per_day=per_day, seed=seed)
    breaches = check_ledger()
    blocked = ", ".join(f"{rule} {count:,}" for rule, count in result.blocked_by.most_common()) or "none"
    click.echo(
        f"{len(accounts):,} accounts, {days} days from {start.date().isoformat()}: "
        f"{result.proposed:,} contacts proposed, "
        f"{result.allowed:,} allowed, {result.proposed - result.allowed:,} blocked (by rule: {blocked}); "
        f"{result.inbound:,} calls from debtors."
    )
    click.echo(f"Independent check of the ledger: {len(breaches):,} breaches.")
    for breach in breaches[:20]:
        click.echo(f"  {breach.rule} contact {breach.contact_id}: {breach.text}")
    if breaches:
        raise SystemExit(1)


@compliance.command("validation-notice")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--sent", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="The day it will be sent.")
def validation_notice_command(reference: str, creditor_code: str | None, sent: datetime) -> None:
    """Print the US validation notice for an account (US-12), or refuse, naming every missing part."""
    setup_django()
    ensure_database_reachable()
    ensure_migrated()
    from recoup.compliance.services import build_validation_notice
    from recoup.core.compliance import missing_parts, render_notice

    notice = build_validation_notice(account=_account(reference, creditor_code), sent_on=sent.date())
    missing = missing_parts(notice)
    if missing:
        click.echo(f"The validation notice for {reference} cannot be sent; missing or wrong:", err=True)
        for part in missing:
            click.echo(f"  {part}", err=True)
        if any(p in {"collector_name", "collector_address"} for p in missing):
            click.echo("  (set RECOUP_COLLECTOR_NAME and RECOUP_COLLECTOR_ADDRESS, lines separated by '|')", err=True)
        raise SystemExit(1)
    click.echo(render_notice(notice))
