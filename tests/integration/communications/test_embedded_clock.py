"""`recoup serve` without a broker sends the outbox itself, links point at the server, and the demo's
letters have a sender (issue 20.6)."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.cli.serving import DEMO_COLLECTOR, clock_minute, prepare_to_serve
from recoup.communications.models import Message
from recoup.communications.services import queue_message, save_template
from recoup.platform.embedded import EmbeddedClock
from recoup.users.roles import Role
from web_data import WebData

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 2, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture
def file_mail(settings: Any, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.CELERY_BROKER_URL = ""
    return tmp_path / "mail"


def _queued_email() -> Message:
    debtor = DebtorFactory(given_name="Ana", family_name="Ruiz", time_zone="America/New_York")
    ContactPointFactory(
        debtor=debtor,
        email=True,
        value="ana.ruiz@example.org",
        source="debtor",
        last_consumer_use_date=date(2027, 1, 20),
    )
    account = owing(AccountFactory(creditor=CreditorFactory(name="Lakeside Bank"), debtor=debtor), principal="80.00")
    save_template(
        code="reminder",
        channel="email",
        subject="Your account",
        body="Dear {{ debtor_first_name }}, you owe {{ balance }}.\n\nThis communication is from a debt collector."
        "\n\nTo stop emails: {{ unsubscribe_url }}",
        now=ny(1, 9),
        actor=None,
    )
    return queue_message(account=account, template_code="reminder", channel="email", now=ny(3, 10), actor=None)


def test_one_minute_of_the_embedded_clock_sends_the_outbox_to_the_file_backend(settings: Any, file_mail: Path) -> None:
    lines = prepare_to_serve(settings, host="127.0.0.1", port=8765, environ={}, demo=False)
    assert settings.PUBLIC_URL == "http://127.0.0.1:8765"
    assert any("this server itself sends the outbox every minute" in line for line in lines)
    message = _queued_email()
    done = clock_minute(ny(3, 10, 1))
    assert done["outbox"] != "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    (written,) = list(file_mail.iterdir())
    sent = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert sent["Message-ID"] == f"<{message.delivery_key}@recoup>"
    assert sent["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8765/unsubscribe/")
    assert clock_minute(ny(3, 10, 2))["outbox"] != "failed"
    assert len(list(file_mail.iterdir())) == 1  # nothing twice


def test_a_failing_job_is_logged_and_the_outbox_still_goes(
    settings: Any, file_mail: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _queued_email()

    def broken(**_kwargs: Any) -> None:
        raise RuntimeError("the schedule table is locked")

    monkeypatch.setattr("recoup.strategies.services.schedule_tick", broken)
    done = clock_minute(ny(3, 10, 1))
    assert done["daily run"] == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_the_public_address_when_set_is_kept(settings: Any) -> None:
    settings.PUBLIC_URL = "https://collect.example.com"
    prepare_to_serve(
        settings, host="127.0.0.1", port=9000, environ={"RECOUP_PUBLIC_URL": "https://collect.example.com"}, demo=False
    )
    assert settings.PUBLIC_URL == "https://collect.example.com"


def test_the_demo_gets_a_collector_identity_only_where_none_is_set(settings: Any) -> None:
    settings.COLLECTOR_NAME, settings.COLLECTOR_ADDRESS = "", ""
    lines = prepare_to_serve(settings, host="127.0.0.1", port=8000, environ={}, demo=True)
    assert (settings.COLLECTOR_NAME, settings.COLLECTOR_ADDRESS) == DEMO_COLLECTOR
    assert any("demo collector" in line for line in lines)
    settings.COLLECTOR_NAME, settings.COLLECTOR_ADDRESS = "Summit Recovery", "PO Box 1|Denver CO 80201"
    prepare_to_serve(settings, host="127.0.0.1", port=8000, environ={}, demo=True)
    assert settings.COLLECTOR_NAME == "Summit Recovery"
    settings.COLLECTOR_NAME, settings.COLLECTOR_ADDRESS = "", ""
    prepare_to_serve(settings, host="127.0.0.1", port=8000, environ={}, demo=False)
    assert settings.COLLECTOR_NAME == ""  # a real install is never given a made-up sender


def test_the_outbox_page_says_what_sends_messages(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    web = WebData()
    client = web.client(web.user("maya", Role.MANAGER))
    settings.CELERY_BROKER_URL = ""
    monkeypatch.setattr(EmbeddedClock, "started_at", None)
    assert "Nothing in this process sends messages" in client.get("/outbox/").content.decode()
    monkeypatch.setattr(EmbeddedClock, "started_at", ny(3, 9))
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    assert "This server sends what is due every minute" in client.get("/outbox/").content.decode()
    monkeypatch.setattr(EmbeddedClock, "started_at", None)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert "The Celery worker and beat send what is due" in client.get("/outbox/").content.decode()
