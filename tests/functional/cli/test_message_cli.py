"""`recoup messages template|send|deliver` as an operator runs them, against an SMTP server on loopback."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from django.utils import timezone

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.cli.main import cli
from recoup.communications.models import Message

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def test_save_a_template_send_an_email_and_deliver_it(tmp_path: Path, settings: Any) -> None:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        debtor = DebtorFactory(given_name="Ana", time_zone="America/New_York")
        ContactPointFactory(
            debtor=debtor,
            email=True,
            value="ana@example.org",
            source="debtor",
            last_consumer_use_date=timezone.localdate(),
        )
        owing(
            AccountFactory(creditor=CreditorFactory(code="lakeside"), debtor=debtor, reference="LB-1"),
            principal="90.00",
        )
        body = tmp_path / "reminder.txt"
        body.write_text(
            "Hello {{ debtor_first_name }}, you owe {{ balance }}. Stop: {{ unsubscribe_url }}", encoding="utf-8"
        )
        runner = CliRunner()
        refused = runner.invoke(
            cli, ["messages", "template", "--code", "reminder", "--subject", "Hi", "--body", str(body)]
        )
        assert refused.exit_code != 0
        assert "US-10" in refused.output  # a template for every creditor must say it is from a debt collector
        body.write_text(body.read_text() + "\nThis communication is from a debt collector.", encoding="utf-8")
        saved = runner.invoke(
            cli, ["messages", "template", "--code", "reminder", "--subject", "Hi", "--body", str(body)]
        )
        assert saved.exit_code == 0, saved.output
        assert "version 1" in saved.output
        sent = runner.invoke(cli, ["messages", "send", "--account", "LB-1", "--template", "reminder"])
        assert sent.exit_code == 0, sent.output
        assert "to ana@example.org" in sent.output
        message = Message.objects.get()
        if message.status == "queued":
            delivered = runner.invoke(cli, ["messages", "deliver"])
            assert delivered.exit_code == 0, delivered.output
            assert "Sent 1" in delivered.output
            assert len(inbox.messages) == 1
            assert b"you owe 90.00 USD" in inbox.messages[0]
        else:  # outside the debtor's hours right now: deferred to the next allowed time, nothing sent
            assert message.status == "deferred"
            assert "Sent 0" in runner.invoke(cli, ["messages", "deliver"]).output
    finally:
        controller.stop()
