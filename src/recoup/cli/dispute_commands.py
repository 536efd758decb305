"""`recoup disputes ...`: record a dispute or complaint, show it with its deadlines, move it on, and list
the clocks that are due across the portfolio. Each prints text, or JSON with `--format json`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import click

from recoup.cli.arrangement_commands import _amount, _day, _ready
from recoup.cli.bootstrap import OperatorError
from recoup.cli.compliance_commands import _account

FORMAT = click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True, help="How to print."
)


OPTION_OF = {"category": "complaint", "disputed": "amount"}


def _refused(exc: Exception) -> OperatorError:
    """The service's "field: why" as the command's "--option: why"."""
    field, _, words = str(exc).partition(":")
    return OperatorError(f"--{OPTION_OF.get(field, field).replace('_', '-')}:{words}")


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def _dispute(dispute_id: int) -> Any:
    from recoup.compliance.models import Dispute

    found = Dispute.objects.select_related("account__creditor", "hold").filter(pk=dispute_id).first()
    if found is None:
        raise OperatorError(f"ID: no dispute or complaint {dispute_id}")
    return found


def _as_json(dispute: Any, as_of: date) -> dict[str, Any]:
    from recoup.compliance.disputes import clocks_of
    from recoup.core.money import Money

    return {
        "id": dispute.pk,
        "kind": dispute.kind,
        "account": dispute.account.reference,
        "creditor": dispute.account.creditor.code,
        "state": dispute.state,
        "outcome": dispute.outcome,
        "channel": dispute.channel,
        "raised_by": dispute.raised_by,
        "reason": dispute.reason,
        "category": dispute.category,
        "text": dispute.text,
        "disputed": str(Money.from_minor(dispute.disputed_minor, dispute.currency)) if dispute.disputed_minor else None,
        "received_at": dispute.received_at.isoformat(),
        "received_on": dispute.received_on.isoformat(),
        "time_zone": dispute.time_zone,
        "jurisdiction": f"{dispute.country}-{dispute.region}" if dispute.region else dispute.country,
        "rules": list(dispute.rules),
        "validation_ends": dispute.validation_ends.isoformat() if dispute.validation_ends else None,
        "duplicate_of": dispute.duplicate_of_id,
        "verification_hold": (
            {"id": dispute.hold.pk, "in_force": dispute.hold.lifted_at is None, "reason": dispute.hold.reason}
            if dispute.hold
            else None
        ),
        "acknowledged_on": dispute.acknowledged_on.isoformat() if dispute.acknowledged_on else None,
        "answered_on": dispute.answered_on.isoformat() if dispute.answered_on else None,
        "deadlines": [
            {
                "rule": clock.rule,
                "what": clock.what,
                "due_on": clock.due_on.isoformat(),
                "escalate_on": clock.escalate_on.isoformat() if clock.escalate_on else None,
                "met_on": clock.met_on.isoformat() if clock.met_on else None,
                "state": clock.state(as_of).value,
            }
            for clock in clocks_of(dispute)
        ],
    }


def _print(dispute: Any, output: str, as_of: date) -> None:
    shown = _as_json(dispute, as_of)
    if output == "json":
        click.echo(json.dumps(shown, indent=2))
        return
    why = shown["reason"] or shown["category"]
    click.echo(
        f"{shown['kind'].capitalize()} {shown['id']} on account {shown['account']} ({shown['creditor']}): "
        f"{shown['state']}{' (' + shown['outcome'] + ')' if shown['outcome'] else ''}"
    )
    click.echo(
        f"  received {shown['received_at']} ({shown['received_on']} in {shown['time_zone']}) by {shown['channel']} "
        f"from {shown['raised_by']}: {why}{' - ' + shown['text'] if shown['text'] else ''}"
    )
    click.echo(f"  rules: {', '.join(shown['rules']) or 'none configured for ' + shown['jurisdiction']}")
    hold = shown["verification_hold"]
    if hold:
        click.echo(
            f"  verification hold {hold['id']}: {'in force' if hold['in_force'] else 'lifted'}: {hold['reason']}"
        )
    else:
        click.echo("  no verification hold: collection is not stopped by this one")
    if not shown["deadlines"]:
        click.echo("  no legal clock for this one")
    for clock in shown["deadlines"]:
        met = f" (met {clock['met_on']})" if clock["met_on"] else ""
        click.echo(f"  {clock['rule']:<6} {clock['due_on']}  {clock['state']:<8} {clock['what']}{met}")


@click.group()
def disputes() -> None:
    """Disputes about the debt and complaints about conduct, with their legal clocks (docs/disputes.md)."""


@disputes.command("open")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--received-at", "received_text", required=True, help="When it arrived, ISO 8601 with a UTC offset.")
@click.option(
    "--channel",
    required=True,
    type=click.Choice(["letter", "email", "portal", "phone", "in_person", "representative", "regulator"]),
)
@click.option("--reason", help="A dispute's reason: not_my_debt, identity_theft, wrong_amount, already_paid, ...")
@click.option("--complaint", "category", help="Record a complaint about conduct instead, in this category.")
@click.option("--text", default="", help="What they said.")
@click.option("--raised-by", default="", help="Who raised it, when not the debtor (a representative, a regulator).")
@click.option("--amount", help="The disputed amount, when not the whole debt.")
@click.option("--credit-report", is_flag=True, help="A direct dispute of what was reported to a credit bureau.")
@click.option("--hardship", is_flag=True, help="About a hardship notice or a default notice (Australia: 21 days).")
@FORMAT
def open_command(
    reference: str,
    creditor_code: str | None,
    received_text: str,
    channel: str,
    reason: str | None,
    category: str | None,
    text: str,
    raised_by: str,
    amount: str | None,
    credit_report: bool,
    hardship: bool,
    output: str,
) -> None:
    """Record a dispute (with --reason) or a complaint (with --complaint) and print it with its deadlines."""
    _ready()
    from recoup.compliance.disputes import UnableToDispute, open_dispute

    try:
        received_at = datetime.fromisoformat(received_text)
    except ValueError:
        raise OperatorError(f"--received-at: '{received_text}' is not an ISO 8601 date and time") from None
    if received_at.tzinfo is None:
        raise OperatorError("--received-at: give the UTC offset, e.g. 2026-12-04T16:20:00-05:00")
    if bool(reason) == bool(category):
        raise OperatorError("--reason: give either --reason (a dispute) or --complaint (a complaint about conduct)")
    account = _account(reference, creditor_code)
    now = _now()
    try:
        dispute = open_dispute(
            account=account,
            kind="complaint" if category else "dispute",
            channel=channel,
            received_at=received_at,
            raised_by=raised_by,
            reason=reason or "",
            category=category or "",
            text=text,
            disputed=_amount(amount, account.currency, "--amount"),
            about_credit_report=credit_report,
            hardship_or_default=hardship,
            now=now,
            actor=None,
        )
    except UnableToDispute as exc:
        raise _refused(exc) from None
    _print(_dispute(dispute.pk), output, now.date())


@disputes.command("show")
@click.argument("dispute_id", metavar="ID", type=int)
@click.option("--as-of", "as_of_text", help="The day to judge the deadlines on (YYYY-MM-DD); default today.")
@FORMAT
def show_command(dispute_id: int, as_of_text: str | None, output: str) -> None:
    """A dispute or complaint with every deadline, its rule ID, date and state."""
    _ready()
    _print(_dispute(dispute_id), output, _day(as_of_text, "--as-of"))


@disputes.command("advance")
@click.argument("dispute_id", metavar="ID", type=int)
@click.option(
    "--to",
    "to_state",
    required=True,
    type=click.Choice(
        ["acknowledged", "investigating", "awaiting_creditor", "answered", "withdrawn", "referred", "closed"]
    ),
)
@click.option(
    "--outcome",
    default="",
    help="For --to answered: verified, corrected, upheld, partly_upheld, duplicative (a complaint: not_upheld).",
)
@click.option("--note", default="", help="What was sent, how it was withdrawn, to whom it was referred.")
@FORMAT
def advance_command(dispute_id: int, to_state: str, outcome: str, note: str, output: str) -> None:
    """Move it to its next state; an answer that verifies or corrects the debt lifts the verification hold."""
    _ready()
    from recoup.compliance.disputes import UnableToDispute, advance_dispute

    dispute = _dispute(dispute_id)
    now = _now()
    try:
        advance_dispute(dispute=dispute, to=to_state, outcome=outcome, note=note, now=now, actor=None)
    except UnableToDispute as exc:
        raise _refused(exc) from None
    _print(_dispute(dispute_id), output, now.date())


@disputes.command("due")
@click.option("--as-of", "as_of_text", help="The day to judge on (YYYY-MM-DD); default today.")
@FORMAT
def due_command(as_of_text: str | None, output: str) -> None:
    """Every deadline not yet met on open disputes and complaints, nearest first. Exit 1 when any is overdue."""
    _ready()
    from recoup.compliance.disputes import disputes_due

    as_of = _day(as_of_text, "--as-of")
    rows = disputes_due(as_of=as_of)
    if output == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "dispute": row.dispute.pk,
                        "kind": row.dispute.kind,
                        "account": row.dispute.account.reference,
                        "creditor": row.dispute.account.creditor.code,
                        "rule": row.clock.rule,
                        "what": row.clock.what,
                        "due_on": row.clock.due_on.isoformat(),
                        "state": row.state.value,
                    }
                    for row in rows
                ],
                indent=2,
            )
        )
    elif not rows:
        click.echo("No dispute or complaint has a deadline running.")
    else:
        click.echo(f"{'due':<10} {'state':<8} {'rule':<6} {'dispute':<8} {'account':<16} what")
        for row in rows:
            click.echo(
                f"{row.clock.due_on.isoformat():<10} {row.state.value:<8} {row.clock.rule:<6} {row.dispute.pk:<8} "
                f"{row.dispute.account.reference:<16} {row.clock.what}"
            )
    if any(row.state.value == "overdue" for row in rows):
        raise SystemExit(1)
