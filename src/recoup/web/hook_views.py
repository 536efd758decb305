"""Webhooks from providers (no session; each request proves itself).

`/hooks/sms/` takes the provider's inbound texts (Twilio's form fields From, Body, MessageSid) when
signed with the account's auth token (X-Twilio-Signature over the public URL). A text from a number
on record is recorded in the contact ledger of the debtor's account; "STOP" and the other opt-out
words put a do-not-contact hold on texts at once (US-24).

`/hooks/email-bounce/` takes the mail provider's bounces, with a shared secret: a hard bounce marks
the message bounced and the address not to be used.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recoup.accounts.models import Account
from recoup.communications.backends.sms import signature_valid
from recoup.communications.services import record_bounce
from recoup.compliance.services import record_inbound_message
from recoup.core.compliance import Channel
from recoup.parties.models import ContactPoint

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@csrf_exempt  # the provider cannot hold a CSRF token; its signature is checked instead
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    config = settings.SMS_PROVIDER
    if config is None:
        return HttpResponse("No SMS provider is configured.", status=404, content_type="text/plain")
    params = {key: request.POST.get(key, "") for key in request.POST}
    url = f"{settings.PUBLIC_URL}{request.path}"
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature_valid(url=url, params=params, signature=signature, auth_token=config.auth_token):
        return HttpResponse("Bad signature.", status=403, content_type="text/plain")
    sender = params.get("From", "").strip()
    point = ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE, value=sender).select_related("debtor").first()
    if point is not None:
        account = (
            Account.objects.filter(account_debtors__debtor=point.debtor)
            .exclude(status__in=["closed", "recalled", "written_off"])
            .order_by("id")
            .first()
        )
        if account is not None:
            now = timezone.now()
            record_inbound_message(
                account=account,
                debtor=point.debtor,
                channel=Channel.SMS,
                text=params.get("Body", ""),
                at=now,
                now=now,
                actor=None,
                contact_point=point,
            )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt  # the mail provider cannot hold a CSRF token; the shared secret is checked instead
@require_POST
def email_bounce(request: HttpRequest) -> HttpResponse:
    """A bounce from the mail provider: JSON {"message_id": "<key@recoup>", "type": "hard"|"soft",
    "reason": "..."} with the shared secret in the X-Recoup-Secret header."""
    secret = settings.BOUNCE_SECRET
    if not secret:
        return HttpResponse("The bounce hook is off (RECOUP_BOUNCE_SECRET).", status=404, content_type="text/plain")
    if not hmac.compare_digest(request.headers.get("X-Recoup-Secret", ""), secret):
        return HttpResponse("Bad secret.", status=403, content_type="text/plain")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return HttpResponse("body: not JSON", status=400, content_type="text/plain")
    if not isinstance(data, dict):
        return HttpResponse("body: a JSON object is expected", status=400, content_type="text/plain")
    message_id = str(data.get("message_id", "")).strip().strip("<>")
    kind = str(data.get("type", "")).lower()
    if not message_id.endswith("@recoup") or kind not in ("hard", "soft"):
        return HttpResponse(
            'message_id: give the Message-ID we sent ("<key@recoup>"); type: "hard" or "soft"',
            status=400,
            content_type="text/plain",
        )
    found = record_bounce(
        delivery_key=message_id.removesuffix("@recoup"),
        permanent=kind == "hard",
        reason=str(data.get("reason", "")),
        now=timezone.now(),
    )
    if found is None:
        return HttpResponse("message_id: no such message", status=404, content_type="text/plain")
    return HttpResponse(f"recorded: {found.get_status_display().lower()}", content_type="text/plain")
