"""Text messages through the Twilio-compatible provider, against an HTTP server on loopback that
speaks its API: sent with the delivery key, deferred on 503, failed on 400; the development backend
sends nothing; an inbound STOP, signed by the provider, stops texts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.communications.backends.sms import DevelopmentSms, TwilioCompatible, signature_valid
from recoup.communications.models import Message
from recoup.communications.services import UnableToSend, deliver_due, queue_message, save_template
from recoup.compliance.models import Hold
from recoup.parties.models import ContactPoint
from recoup.platform.config import SmsConfig

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
TEXT = (
    "Hi {{ debtor_first_name }}, {{ balance }} is due on {{ account_reference }}. "
    "From a debt collector. Reply STOP to opt out."
)


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 2, day, hour, minute, tzinfo=NEW_YORK)


class FakeTwilio(BaseHTTPRequestHandler):
    """Twilio's Messages endpoint: records each request; answers as `status` says."""

    requests: list[dict[str, Any]] = []
    status = 201

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).requests.append(
            {
                "path": self.path,
                "form": dict(urllib.parse.parse_qsl(body)),
                "auth": self.headers["Authorization"],
                "key": self.headers["Idempotency-Key"],
            }
        )
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        answer = {"sid": f"SM{len(type(self).requests):032d}"} if type(self).status < 300 else {"message": "nope"}
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def twilio() -> Iterator[TwilioCompatible]:
    FakeTwilio.requests = []
    FakeTwilio.status = 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    config = SmsConfig(
        api_url=f"http://127.0.0.1:{server.server_address[1]}",
        account_sid="AC123",
        auth_token="secret-token",
        from_number="+15005550006",
    )
    try:
        yield TwilioCompatible(config)
    finally:
        server.shutdown()


@pytest.fixture
def account() -> Account:
    debtor = DebtorFactory(given_name="Lee", time_zone="America/New_York")
    ContactPointFactory(
        debtor=debtor, value="+15185550142", consent="granted", consent_date=date(2027, 1, 2), is_primary=True
    )
    made = owing(AccountFactory(creditor=CreditorFactory(), debtor=debtor), principal="310.00")
    save_template(code="nudge", channel="sms", body=TEXT, now=ny(1, 9), actor=None)
    return made


def test_a_text_is_sent_through_the_provider_once(account: Account, twilio: TwilioCompatible) -> None:
    message = queue_message(account=account, template_code="nudge", channel="sms", now=ny(3, 10), actor=None)
    assert message.body_text.startswith("Hi Lee, 310.00 USD is due")
    run = deliver_due(now=ny(3, 10), sms=twilio)
    assert run.sent == 1, run.errors
    (sent,) = FakeTwilio.requests
    assert sent["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert sent["form"] == {"To": "+15185550142", "From": "+15005550006", "Body": message.body_text}
    assert sent["auth"] == "Basic " + base64.b64encode(b"AC123:secret-token").decode()
    assert sent["key"] == message.delivery_key
    message.refresh_from_db()
    assert (message.status, message.provider_id) == ("sent", "SM" + "1".zfill(32))
    assert deliver_due(now=ny(3, 11), sms=twilio).sent == 0


def test_a_busy_provider_defers_and_a_refusal_fails(account: Account, twilio: TwilioCompatible) -> None:
    FakeTwilio.status = 503
    message = queue_message(account=account, template_code="nudge", channel="sms", now=ny(3, 10), actor=None)
    assert deliver_due(now=ny(3, 10), sms=twilio).deferred == 1
    message.refresh_from_db()
    assert message.status == "deferred"
    assert "answered 503" in message.last_error
    FakeTwilio.status = 400
    assert deliver_due(now=ny(3, 10, 5), sms=twilio).failed == 1
    message.refresh_from_db()
    assert message.status == "failed"
    assert "refused the text (400)" in message.last_error


def test_without_consent_to_texts_nothing_is_queued(account: Account) -> None:
    ContactPoint.objects.filter(value="+15185550142").update(consent="unknown")
    with pytest.raises(UnableToSend, match="sms blocked: "):
        queue_message(account=account, template_code="nudge", channel="sms", now=ny(3, 10), actor=None)


def test_the_development_backend_sends_nothing_and_says_so(account: Account) -> None:
    queue_message(account=account, template_code="nudge", channel="sms", now=ny(3, 10), actor=None)
    assert deliver_due(now=ny(3, 10), sms=DevelopmentSms()).sent == 1
    assert Message.objects.get().provider_id.startswith("development-")


def test_an_inbound_stop_signed_by_the_provider_stops_texts(account: Account, settings: Any) -> None:
    config = SmsConfig(
        api_url="https://api.twilio.com", account_sid="AC1", auth_token="tok", from_number="+15005550006"
    )
    settings.SMS_PROVIDER = config
    settings.PUBLIC_URL = "https://pay.example.com"
    params = {"From": "+15185550142", "Body": "STOP", "MessageSid": "SM1"}
    forged = Client().post("/hooks/sms/", params, HTTP_X_TWILIO_SIGNATURE="bad")
    assert forged.status_code == 403
    assert not Hold.objects.exists()
    payload = "https://pay.example.com/hooks/sms/" + "".join(f"{k}{params[k]}" for k in sorted(params))
    signature = base64.b64encode(hmac.new(b"tok", payload.encode(), hashlib.sha1).digest()).decode()
    assert signature_valid(
        url="https://pay.example.com/hooks/sms/", params=params, signature=signature, auth_token="tok"
    )
    answer = Client().post("/hooks/sms/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/xml"
    hold = Hold.objects.get()
    assert (hold.kind, hold.channel) == ("do_not_contact", "sms")
    with pytest.raises(UnableToSend, match="sms blocked: "):
        queue_message(account=account, template_code="nudge", channel="sms", now=ny(3, 10), actor=None)
    settings.SMS_PROVIDER = None
    assert Client().post("/hooks/sms/", params).status_code == 404  # no provider, no hook
