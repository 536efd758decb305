"""An officer works the demo portfolio through the pages alone (no admin site): the queue, the next
account, a call through the gate, a note, a payment taken, the timeline, a search, a saved view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest
import time_machine
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from recoup.accounts.models import Account, Payment
from recoup.cli.main import cli
from recoup.compliance.models import ContactDecision
from recoup.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _working_hours() -> Iterator[None]:
    """Next account hands out only accounts the gate allows now: work at 16:00 UTC (11:00 in New York)."""
    today = datetime.now(UTC).date()
    with time_machine.travel(datetime.combine(today, time(16, 0), UTC), tick=True):
        yield


def test_an_officer_works_the_demo_portfolio_without_the_admin_site() -> None:
    result = CliRunner().invoke(cli, ["demo-data", "--accounts", "400"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    officer = User.objects.get(username="officer")
    client = Client()
    client.force_login(officer)

    queue = client.get("/queue/").content.decode()
    assert re.search(r"\d+ accounts?</h2>", queue), "the queue lists the officer's book"
    opened = client.post("/queue/next/", follow=True)
    assert opened.status_code == 200
    path = opened.redirect_chain[-1][0]
    account = Account.objects.get(pk=int(path.strip("/").split("/")[-1]))
    assert account.assigned_officer_id == officer.pk or account.team_id == officer.team_id
    page = opened.content.decode()
    assert f"Working {account.reference}" in page
    assert "Can we contact" in page

    # A call: logged, or refused by the gate with the rule (the hour, a hold, a cap) - never an error.
    called = client.post(f"/accounts/{account.pk}/calls/", {"outcome": "no_answer"}, follow=True).content.decode()
    assert "Call logged: no answer." in called or "call blocked:" in called
    assert ContactDecision.objects.filter(account=account).exists()

    noted = client.post(
        f"/accounts/{account.pk}/notes/", {"text": "Left a message with the front desk"}, follow=True
    ).content.decode()
    assert "Note added." in noted
    today = timezone.localdate()
    paid = client.post(
        f"/accounts/{account.pk}/payments/",
        {"amount": "10.00", "received_on": today.isoformat(), "method": "card", "idempotency_key": "demo-day-1"},
        follow=True,
    ).content.decode()
    assert f"Payment of 10.00 {account.currency} recorded." in paid
    assert Payment.objects.filter(account=account, idempotency_key="demo-day-1").count() == 1

    # An email from a starter template: in the outbox (now or at the next allowed time), or refused by
    # the gate with the rule (no usable address, an opt-out) - never an error.
    emailed = client.post(
        f"/accounts/{account.pk}/messages/", {"template": "email:payment-reminder"}, follow=True
    ).content.decode()
    assert re.search(r"Email to \S+ (is in the outbox|deferred to)|email: no usable email|email blocked: ", emailed), (
        emailed[-3000:]
    )

    timeline = client.get(f"/accounts/{account.pk}/timeline/").content.decode()
    assert "Note: Left a message with the front desk" in timeline
    assert f"Payment received: 10.00 {account.currency}" in timeline
    found = client.get("/accounts/", {"q": account.reference}).content.decode()
    assert account.reference in found
    saved = client.post("/queue/views/", {"name": "Over 90 days", "bucket": "91-120"}, follow=True)
    assert "Saved the view" in saved.content.decode()
    assert client.get("/admin/").status_code in (302, 403)  # an officer has no business there
