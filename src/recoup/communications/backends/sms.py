"""Text messages: a provider interface, a Twilio-compatible HTTP implementation, and the development
backend (records texts in the outbox, sends nothing). Inbound webhooks are verified with the
provider's request signature.

The HTTP provider posts to `{api}/2010-04-01/Accounts/{sid}/Messages.json` with basic auth, as Twilio
and compatible gateways take it, and sends the message's delivery key as `Idempotency-Key` (gateways
that honour it send a repeated request once). A 2xx answer is sent (the provider's id is kept); 429,
5xx and network errors are temporary; other 4xx are permanent, with the provider's words.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Protocol

from django.conf import settings

from recoup.communications.backends.email import NoDecision, PermanentFailure, TemporaryFailure
from recoup.communications.models import Message
from recoup.compliance.models import ContactDecision
from recoup.platform.config import SmsConfig

TIMEOUT_SECONDS = 15


class SmsProvider(Protocol):
    name: str

    def send(self, *, to: str, body: str, key: str) -> str:
        """Send one text; return the provider's id for it. Raises TemporaryFailure or PermanentFailure."""
        ...


class DevelopmentSms:
    """Sends nothing: the text stays in the outbox, marked sent, for a developer to read."""

    name = "development"

    def send(self, *, to: str, body: str, key: str) -> str:
        return f"development-{key}"


class TwilioCompatible:
    """A Twilio-compatible REST API (Twilio itself, or a gateway that speaks it)."""

    name = "twilio"

    def __init__(self, config: SmsConfig) -> None:
        self.config = config

    def send(self, *, to: str, body: str, key: str) -> str:
        url = f"{self.config.api_url}/2010-04-01/Accounts/{urllib.parse.quote(self.config.account_sid)}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.config.from_number, "Body": body}).encode()
        secret = base64.b64encode(f"{self.config.account_sid}:{self.config.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the configured https API)
            url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {secret}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            words = exc.read().decode("utf-8", "replace")[:300]
            if exc.code == 429 or exc.code >= 500:
                raise TemporaryFailure(f"the SMS provider answered {exc.code}: {words}") from None
            raise PermanentFailure(f"the SMS provider refused the text ({exc.code}): {words}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TemporaryFailure(f"the SMS provider could not be reached: {exc}") from None
        return str(answer.get("sid") or answer.get("id") or "")


def sms_provider() -> SmsProvider:
    """The configured provider (RECOUP_SMS_PROVIDER), or the development backend."""
    config = settings.SMS_PROVIDER
    return TwilioCompatible(config) if config is not None else DevelopmentSms()


def send_sms(message: Message, *, decision: ContactDecision, provider: SmsProvider) -> str:
    """Hand the text to the provider under `decision` (which must allow this text); the provider's id."""
    if not decision.usable or decision.account_id != message.account_id or decision.channel != "sms":
        raise NoDecision(f"message {message.pk}: decision {decision.pk} does not allow this text")
    return provider.send(to=message.to_address, body=message.body_text, key=message.delivery_key)


def signature_valid(*, url: str, params: Mapping[str, str], signature: str, auth_token: str) -> bool:
    """Twilio's request signature: base64 HMAC-SHA1 over the URL followed by each parameter name and
    value in name order, keyed with the auth token."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    expected = base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, signature)
