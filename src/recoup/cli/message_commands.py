"""`recoup messages ...`: message templates, sending an email from one, and the delivery worker."""

from __future__ import annotations

from pathlib import Path

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django
from recoup.cli.compliance_commands import _account


def _ready() -> None:
    setup_django()
    ensure_database_reachable()
    ensure_migrated()


@click.group("messages")
def messages() -> None:
    """Templates, the outbox and email delivery (docs/communications.md)."""


@messages.command("template")
@click.option("--code", required=True, help="The template's name, such as first-reminder.")
@click.option("--channel", type=click.Choice(["email", "sms", "letter"]), default="email")
@click.option("--subject", default="", help="The subject (email).")
@click.option("--body", "body_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--creditor", "creditor_code", help="Only for this creditor (default: every creditor).")
@click.option("--language", default="en")
@click.option(
    "--purpose",
    type=click.Choice(["collection", "statement", "required_notice", "cease_notice", "extinguished_notice"]),
    default="collection",
    help="A statement or required notice may go during a breathing space and may not ask for payment.",
)
def save(
    code: str, channel: str, subject: str, body_file: Path, creditor_code: str | None, language: str, purpose: str
) -> None:
    """Save a new version of a template from a text file (checked before it is saved)."""
    _ready()
    from django.utils import timezone

    from recoup.communications.services import UnableToSend, save_template
    from recoup.parties.models import Creditor

    creditor = None
    if creditor_code:
        creditor = Creditor.objects.filter(code=creditor_code).first()
        if creditor is None:
            raise OperatorError(f"--creditor: no creditor with code '{creditor_code}'")
    try:
        template = save_template(
            code=code,
            channel=channel,
            subject=subject,
            body=body_file.read_text(encoding="utf-8"),
            language=language,
            creditor=creditor,
            purpose=purpose,
            now=timezone.now(),
            actor=None,
        )
    except UnableToSend as exc:
        raise OperatorError(str(exc)) from None
    click.echo(f"Saved {template.code} ({template.channel}, {template.language}) version {template.version}.")


@messages.command("send")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
@click.option("--template", "template_code", required=True)
@click.option("--channel", type=click.Choice(["email", "sms", "letter"]), default="email")
def send(reference: str, creditor_code: str | None, template_code: str, channel: str) -> None:
    """Put a message to the account's debtor in the outbox (queued, or deferred to an allowed time)."""
    _ready()
    from django.utils import timezone

    from recoup.communications.services import UnableToSend, queue_message

    account = _account(reference, creditor_code)
    try:
        message = queue_message(
            account=account, template_code=template_code, channel=channel, now=timezone.now(), actor=None
        )
    except UnableToSend as exc:
        raise OperatorError(str(exc)) from None
    click.echo(
        f"Message {message.pk} to {message.to_address}: {message.get_status_display().lower()}"
        f" (not before {message.not_before:%Y-%m-%d %H:%M %Z})."
    )


@messages.command("deliver")
def deliver() -> None:
    """Send every message that is due (run it every minute, or let the Celery worker do it)."""
    _ready()
    from django.utils import timezone

    from recoup.communications.services import deliver_due

    run = deliver_due(now=timezone.now())
    click.echo(f"Sent {run.sent}, deferred {run.deferred}, blocked {run.blocked}, failed {run.failed}.")
    for error in run.errors[:10]:
        click.echo(f"  {error}")


@messages.command("print-batch")
def print_batch() -> None:
    """Put the letters due into today's print batch: one PDF and a manifest CSV for the print vendor."""
    _ready()
    from django.utils import timezone

    from recoup.communications.printing import run_print_batch

    result = run_print_batch(now=timezone.now())
    if result.batch is None:
        click.echo(f"No letter to print (deferred {result.deferred}, blocked {result.blocked}).")
        return
    click.echo(
        f"Print batch {result.batch.pk}: {result.letters} letters, {result.batch.pages} pages "
        f"(deferred {result.deferred}, blocked {result.blocked})."
    )
    click.echo(f"  {result.batch.pdf_path}")
    click.echo(f"  {result.batch.manifest_path}")


@messages.command("validation-notice")
@click.option("--account", "reference", required=True, help="The account's reference.")
@click.option("--creditor", "creditor_code", help="The creditor's code, when the reference is not unique.")
def validation_notice(reference: str, creditor_code: str | None) -> None:
    """Put the account's US validation notice (US-12) in the next print batch."""
    _ready()
    from django.utils import timezone

    from recoup.communications.services import UnableToSend, queue_validation_notice

    try:
        message = queue_validation_notice(account=_account(reference, creditor_code), now=timezone.now(), actor=None)
    except UnableToSend as exc:
        raise OperatorError(str(exc)) from None
    click.echo(f"Validation notice {message.pk} to {message.to_address}: in the next print batch.")
