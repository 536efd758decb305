"""Email over SMTP (Django's mail connection, configured by EMAIL_HOST and friends)."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.signing import dumps

from recoup.communications.models import Message
from recoup.compliance.models import ContactDecision

UNSUBSCRIBE_SALT = "recoup.communications.unsubscribe"


class TemporaryFailure(Exception):
    """The mail server could not take the message now (4xx, unreachable): try again later."""


class PermanentFailure(Exception):
    """The mail server refused the message for good (5xx): its words are the reason."""


class NoDecision(Exception):
    """A send without a gate decision that allows it: a programming error, never a debtor's problem."""


def open_connection() -> Any:
    return get_connection()


def unsubscribe_url(delivery_key: str) -> str:
    return f"{settings.PUBLIC_URL}/unsubscribe/{dumps(delivery_key, salt=UNSUBSCRIBE_SALT)}/"


def _email(message: Message) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(message.delivery_key)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={
            "Message-ID": f"<{message.delivery_key}@recoup>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def send_email(message: Message, *, decision: ContactDecision, mail: Any) -> None:
    """Hand the message to the mail server under `decision` (which must allow this contact)."""
    if not decision.usable or decision.account_id != message.account_id or decision.channel != "email":
        raise NoDecision(f"message {message.pk}: decision {decision.pk} does not allow this email")
    try:
        mail.send_messages([_email(message)])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if all(code >= 500 for code in codes):
            raise PermanentFailure(f"the mail server refused {message.to_address}: {exc.recipients}") from None
        raise TemporaryFailure(f"the mail server deferred {message.to_address}: {exc.recipients}") from None
    except smtplib.SMTPResponseException as exc:
        text = f"{exc.smtp_code} {exc.smtp_error!r}"
        if exc.smtp_code >= 500:
            raise PermanentFailure(f"the mail server refused the message: {text}") from None
        raise TemporaryFailure(f"the mail server deferred the message: {text}") from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"the mail server could not be reached: {exc}") from None
