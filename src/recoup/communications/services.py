"""Templates and the outbox: save a template version, queue a message, deliver what is due.

A message is rendered and checked when it is queued (merge fields, the content rules of COMPLIANCE.md
for this account), with the gate's answer for now: allowed goes to the queue, blocked until a later
time is deferred to that time, blocked for good is refused. The delivery worker asks the gate again
at the moment of sending (holds, opt-outs and hours change), records its decision, sends, and records
the contact. Each message has a delivery key sent as its Message-ID: if the worker dies after
handing a message to the mail server and before recording it, the message stays "sending" past its
lease and the next run sends it again with the same Message-ID: delivery is at least once, and a
receiver that deduplicates by Message-ID keeps one copy (docs/communications.md, "Delivery
guarantee"). Temporary failures are retried with backoff; permanent ones fail with the server's reason.

Email and text messages are delivered in this version (texts through backends/sms.py); letters are to come.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string

from recoup.accounts.dates import legal_date
from recoup.accounts.ledger_selectors import account_statement
from recoup.accounts.models import Account
from recoup.accounts.selectors import primary_debtor
from recoup.arrangements.models import Due
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.communications.backends.email import (
    UNSUBSCRIBE_SALT,
    PermanentFailure,
    TemporaryFailure,
    open_connection,
    send_email,
    unsubscribe_url,
)
from recoup.communications.backends.sms import SmsProvider, send_sms, sms_provider
from recoup.communications.models import Channel, Message, MessageEvent, Template
from recoup.compliance.disclosures import account_message_facts
from recoup.compliance.models import Hold
from recoup.compliance.services import (
    UnableToContact,
    authorise_contact,
    evaluate,
    place_hold,
    record_contact,
)
from recoup.core.compliance import Channel as GateChannel
from recoup.core.compliance import (
    MessageFacts,
    Outcome,
    Severity,
    content_problems,
    has_disclosure,
    masked_account_number,
    required_wording,
    with_disclosure,
)
from recoup.core.compliance.model import Purpose
from recoup.core.contact_rules import POINT_NEEDS, has_postal_address
from recoup.core.messages import (
    MERGE_FIELDS,
    TemplateError,
    fields_used,
    render_html,
    render_text,
    template_problems,
)
from recoup.core.money import Money
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.parties.services import UnableToSaveParty, stop_using_contact_point
from recoup.platform.config import NO_COLLECTOR_IDENTITY
from recoup.users.models import User

Actor = User | None

LEASE = timedelta(minutes=5)  # a message "sending" longer than this is in doubt and sent again
MAX_ATTEMPTS = 8
LETTER_PAGE = {"US": "Letter", "CA": "Letter"}  # everywhere else A4
GATE_CHANNELS = {Channel.EMAIL: GateChannel.EMAIL, Channel.SMS: GateChannel.SMS, Channel.LETTER: GateChannel.LETTER}


class UnableToSend(Exception):
    """A template or message was refused; the message names the field or rule and the reason."""


# ---- templates ---------------------------------------------------------------------------------


def _template_facts(channel: str, creditor: Creditor | None, purpose: str = Purpose.COLLECTION) -> MessageFacts:
    """What the content rules need to judge a template before any account is known: the creditor's
    country and collector type (a third-party collector's messages need the US-10 disclosure)."""
    return MessageFacts(
        channel=GATE_CHANNELS[Channel(channel)],
        country=creditor.country if creditor is not None else "US",
        third_party_collector=creditor is None or creditor.collector_type == Creditor.CollectorType.THIRD_PARTY,
        initial_communication=False,
        time_barred=False,
        validation_period_ends=None,
        sent_on=None,
        purpose=purpose,
    )


def _account_facts(
    account: Account, debtor: Debtor, channel: str, now: datetime, purpose: str = Purpose.COLLECTION
) -> MessageFacts:
    """What the content rules need to judge a message to this debtor about this account, sent now
    (with the debt's limitation and the time-barred disclosure its jurisdiction requires)."""
    return account_message_facts(
        account=account,
        debtor=debtor,
        channel=GATE_CHANNELS[Channel(channel)],
        on=legal_date(account, now, debtor),
        purpose=purpose,
    )


def _with_time_barred_disclosure(body: str, rendered: str, facts: MessageFacts) -> str:
    """The template body with the time-barred disclosure the message needs as its first paragraph (US-16),
    unless the rendered text carries it already; the body unchanged when none is needed."""
    wording = required_wording(facts)
    if not wording or has_disclosure(rendered, wording):
        return body
    return with_disclosure(body, wording)


def save_template(
    *,
    code: str,
    channel: str,
    body: str,
    now: datetime,
    actor: Actor,
    subject: str = "",
    language: str = "en",
    creditor: Creditor | None = None,
    purpose: str = Template.Purpose.COLLECTION,
) -> Template:
    """Save a new version of a template after checking its merge fields and its content. A template
    whose `purpose` is a statement or a notice may not ask for payment (NO-PAY-REQUEST)."""
    code = code.strip()
    if not code or not code.replace("-", "").isalnum() or code != code.lower():
        raise UnableToSend(f"code: '{code}' must be lower-case letters, digits and hyphens (first-reminder)")
    if channel not in Channel.values:
        raise UnableToSend(f"channel: '{channel}' is not one of {', '.join(Channel.values)}")
    if not body.strip():
        raise UnableToSend("body: write the message")
    if channel == Channel.EMAIL and not subject.strip():
        raise UnableToSend("subject: an email needs a subject")
    if channel == Channel.SMS and subject.strip():
        raise UnableToSend("subject: a text message has no subject")
    if purpose not in Template.Purpose.values:
        raise UnableToSend(f"purpose: '{purpose}' is not one of {', '.join(Template.Purpose.values)}")
    problems = template_problems(subject, part="subject") + template_problems(body)
    if problems:
        raise UnableToSend("; ".join(str(p) for p in problems))
    blocks = [
        p
        for p in content_problems(f"{subject}\n{body}", _template_facts(channel, creditor, purpose))
        if p.severity is Severity.BLOCK
    ]
    if blocks:
        raise UnableToSend("; ".join(f"{p.rule}: {p.text}" for p in blocks))
    with transaction.atomic():
        same = Template.objects.select_for_update().filter(
            code=code, channel=channel, language=language, creditor=creditor
        )
        version = (same.aggregate(top=Max("version"))["top"] or 0) + 1
        template = Template.objects.create(
            code=code,
            channel=channel,
            language=language,
            creditor=creditor,
            version=version,
            subject=subject.strip(),
            body=body,
            purpose=purpose,
            created_by=actor,
            created_at=now,
        )
        record_event(
            event=Event.TEMPLATE_SAVED,
            subject_id=template.pk,
            occurred_at=now,
            actor=actor,
            after={"code": code, "channel": channel, "language": language, "version": version, "purpose": purpose},
        )
    return template


def current_template(*, code: str, channel: str, creditor: Creditor, language: str = "en") -> Template | None:
    """The latest version in the debtor's language, else in English: the creditor's own template if
    it has one, else the one for every creditor."""
    for wanted in dict.fromkeys([language or "en", "en"]):
        same = Template.objects.filter(code=code, channel=channel, language=wanted).order_by("-version")
        found = same.filter(creditor=creditor).first() or same.filter(creditor__isnull=True).first()
        if found is not None:
            return found
    return None


def template_choices(*, creditor: Creditor) -> list[tuple[str, str]]:
    """Every (channel, code) usable for the creditor's accounts, in one query."""
    return sorted(
        set(Template.objects.filter(Q(creditor=creditor) | Q(creditor__isnull=True)).values_list("channel", "code"))
    )


@dataclass(frozen=True)
class Preview:
    subject: str
    text: str
    html: str
    problems: list[str]  # merge-field problems and content rules (BLOCK and WARN), in words


def preview(*, subject: str, body: str, channel: str, account: Account, now: datetime) -> Preview:
    """What a draft template would say to this account's debtor, and what is wrong with it."""
    problems = [str(p) for p in template_problems(subject, part="subject") + template_problems(body)]
    if problems:
        return Preview("", "", "", problems)
    debtor = _primary(account)
    values = merge_values(account, debtor, delivery_key="preview", now=now)
    empty = _empty_fields(f"{subject}\n{body}", values)
    rendered_subject = render_text(subject, values)
    facts = _account_facts(account, debtor, channel, now)
    body = _with_time_barred_disclosure(body, render_text(body, values), facts)
    text = render_text(body, values)
    found = [
        f"{p.rule} ({'blocks' if p.severity is Severity.BLOCK else 'warning'}): {p.text}"
        for p in content_problems(f"{rendered_subject}\n{text}", facts)
    ]
    if empty:
        found.insert(0, f"Not sendable to this account: {empty}")
    return Preview(rendered_subject, text, render_html(body, values), found)


# ---- merge values ------------------------------------------------------------------------------


def unsubscribe_token(message_key: str) -> str:
    return signing.dumps(message_key, salt=UNSUBSCRIBE_SALT)


def message_for_token(token: str) -> Message | None:
    try:
        key = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Message.objects.filter(delivery_key=key).select_related("debtor", "contact_point").first()


def merge_values(account: Account, debtor: Debtor, *, delivery_key: str, now: datetime) -> dict[str, str]:
    """The value of every merge field for this account and debtor (see core.messages.MERGE_FIELDS)."""
    today = legal_date(account, now, debtor)  # the date the letter or message bears, where it is read
    statement = account_statement(account=account, as_of=today, last_transactions=0)
    balances = {component.value: str(amount) for component, amount in statement.balances.items()}
    upcoming = (
        Due.objects.filter(arrangement__account=account, arrangement__state="active", status__in=["pending", "due"])
        .order_by("due_date")
        .first()
    )
    officer = account.assigned_officer
    values = {
        "debtor_name": debtor.display_name,
        "debtor_first_name": debtor.given_name or debtor.display_name,
        "account_reference": account.reference,
        "creditor_name": account.creditor.name,
        "original_creditor": account.original_creditor or account.creditor.name,
        "balance": str(statement.total),
        "principal": balances.get("principal", ""),
        "interest": balances.get("interest", ""),
        "fees": balances.get("fees", ""),
        "costs": balances.get("costs", ""),
        "itemization_date": f"{account.itemization_date:%-d %B %Y}" if account.itemization_date else "",
        "itemization_amount": str(Money.from_minor(account.itemization_amount_minor, account.currency))
        if account.itemization_amount_minor is not None
        else "",
        "next_payment": f"{Money.from_minor(upcoming.amount_minor, account.currency)} on {upcoming.due_date:%-d %B %Y}"
        if upcoming is not None
        else "",
        "payment_link": "",
        "officer_name": (officer.get_full_name() or officer.username) if officer is not None else "",
        "collector_name": settings.COLLECTOR_NAME,
        "collector_phone": settings.COLLECTOR_PHONE,
        "unsubscribe_url": unsubscribe_url(delivery_key),
        "today": f"{today:%-d %B %Y}",
    }
    assert set(values) == set(MERGE_FIELDS)
    return values


# ---- queueing ----------------------------------------------------------------------------------


# Why a merge field can be empty, for the message that refuses to send with a blank in it.
EMPTY_BECAUSE = {
    "next_payment": "the account has no plan or promise with a payment to come",
    "officer_name": "nobody works the account",
    "collector_name": "RECOUP_COLLECTOR_NAME is not set",
    "collector_phone": "RECOUP_COLLECTOR_PHONE is not set",
    "itemization_date": "the account has no itemization date",
    "itemization_amount": "the account has no itemization amount",
    "payment_link": "no payment page is configured",
}


def _empty_fields(text: str, values: dict[str, str]) -> str:
    """The merge fields the text uses that have no value for this account, with why; "" if none.
    A message is never sent with a blank where a fact should be."""
    blank = sorted(name for name in fields_used(text) if name in values and not values[name].strip())
    return "; ".join(f"{{{{ {name} }}}} is empty: {EMPTY_BECAUSE.get(name, 'no value')}" for name in blank)


def _event(message: Message, status: str, at: datetime, detail: str = "") -> None:
    MessageEvent.objects.create(message=message, status=status, at=at, detail=detail)


def _primary(account: Account) -> Debtor:
    debtor = primary_debtor(account)
    if debtor is None:
        raise UnableToSend("debtor: the account has no primary debtor")
    return debtor


def _contact_point(debtor: Debtor, channel: str) -> ContactPoint:
    """The number or address an email or text goes to: the primary one the channel can use
    (`core.contact_rules.POINT_NEEDS`: any email address; for a text, a mobile number), not opted out."""
    need = POINT_NEEDS[channel]
    points = ContactPoint.objects.filter(debtor=debtor, kind=need.kind, do_not_contact=False)
    if need.phone_type:
        points = points.filter(phone_type=need.phone_type)
    point = points.order_by("-is_primary", "id").first()
    if point is None:
        words = "mobile number" if need.phone_type else "email address"
        raise UnableToSend(f"{channel}: no usable {words} is on record for {debtor.display_name}")
    return point


def postal_address(debtor: Debtor) -> str:
    lines = [debtor.address_line1, debtor.address_line2, f"{debtor.city} {debtor.region} {debtor.postal_code}".strip()]
    return ", ".join(line for line in lines if line)


def _check_postal(debtor: Debtor) -> None:
    if not has_postal_address(address_line1=debtor.address_line1, city=debtor.city, postal_code=debtor.postal_code):
        raise UnableToSend(f"address: {debtor.display_name} has no full postal address to write to")
    if not settings.COLLECTOR_NAME or not settings.COLLECTOR_ADDRESS:
        raise UnableToSend(NO_COLLECTOR_IDENTITY)


def letter_document(account: Account, debtor: Debtor, *, title: str, body_html: str, today: date) -> str:
    """The whole letter as HTML: letterhead, the recipient in the envelope window, the body, page numbers."""
    third_party = account.creditor.collector_type == Creditor.CollectorType.THIRD_PARTY
    sender = settings.COLLECTOR_NAME
    recipient = [
        debtor.display_name,
        debtor.address_line1,
        debtor.address_line2,
        f"{debtor.city} {debtor.region} {debtor.postal_code}".strip(),
        debtor.country if debtor.country != account.creditor.country else "",
    ]
    masked = masked_account_number(account.reference)
    return render_to_string(
        "communications/letter.html",
        {
            "title": title,
            "language": debtor.preferred_language or "en",
            "page_size": LETTER_PAGE.get(debtor.country, "A4"),
            "letterhead": sender if third_party else account.creditor.name,
            "on_behalf_of": account.creditor.name if third_party else "",
            "sender_address": [line.strip() for line in settings.COLLECTOR_ADDRESS.split("|") if line.strip()],
            "recipient": [line for line in recipient if line],
            "account_number": masked,
            "reference_line": masked,
            "letter_date": f"{today:%-d %B %Y}",
            "body": body_html,
        },
    )


@dataclass(frozen=True)
class _Prepared:
    """A message rendered, checked and answered by the gate, not yet written."""

    debtor: Debtor
    point: ContactPoint | None
    template: Template
    key: str
    subject: str
    text: str
    html: str
    allowed: bool
    not_before: datetime
    reasons: str

    @property
    def to_address(self) -> str:
        return self.point.value if self.point is not None else postal_address(self.debtor)


def _prepare(*, account: Account, template_code: str, channel: str, now: datetime) -> _Prepared:
    """Everything queue_message checks, without writing: refused (UnableToSend, naming the reason)
    when there is no address or template, a merge field is empty, a content rule blocks the words,
    or the gate blocks the contact for good."""
    if channel not in Channel.values:
        raise UnableToSend(f"channel: '{channel}' is not one of {', '.join(Channel.values)}")
    debtor = _primary(account)
    point: ContactPoint | None = None
    if channel in (Channel.EMAIL, Channel.SMS):
        point = _contact_point(debtor, channel)
    else:
        _check_postal(debtor)
    template = current_template(
        code=template_code, channel=channel, creditor=account.creditor, language=debtor.preferred_language
    )
    if template is None:
        raise UnableToSend(f"template: no {channel} template '{template_code}' for {account.creditor.name}")
    key = uuid.uuid4().hex
    values = merge_values(account, debtor, delivery_key=key, now=now)
    empty = _empty_fields(f"{template.subject}\n{template.body}", values)
    if empty:
        raise UnableToSend(f"template: {empty}")
    facts = _account_facts(account, debtor, channel, now, template.purpose)
    try:
        subject = render_text(template.subject, values)
        body = _with_time_barred_disclosure(template.body, render_text(template.body, values), facts)
        text = render_text(body, values)
        body_html = render_html(body, values)
    except TemplateError as exc:
        raise UnableToSend(f"template: {exc}") from None
    if channel == Channel.LETTER:
        body_html = letter_document(
            account, debtor, title=subject, body_html=body_html, today=legal_date(account, now, debtor)
        )
    blocks = [p for p in content_problems(f"{subject}\n{text}", facts) if p.severity is Severity.BLOCK]
    if blocks:
        raise UnableToSend("; ".join(f"{p.rule}: {p.text}" for p in blocks))
    gate = GATE_CHANNELS[Channel(channel)]
    answer = evaluate(
        account=account,
        debtor=debtor,
        channel=gate,
        at=now,
        purpose=Purpose(template.purpose),
        contact_point=point,
        automated=channel == Channel.SMS,
    ).decision
    reasons = "; ".join(f"{r.rule}: {r.text}" for r in answer.reasons)
    if not answer.allowed and answer.next_allowed is None:
        raise UnableToSend(f"{channel} blocked: {reasons}")
    return _Prepared(
        debtor=debtor,
        point=point,
        template=template,
        key=key,
        subject=subject,
        text=text,
        html=body_html,
        allowed=answer.allowed,
        not_before=now if answer.allowed or answer.next_allowed is None else answer.next_allowed,
        reasons="" if answer.allowed else reasons,
    )


def queue_message(*, account: Account, template_code: str, channel: str, now: datetime, actor: Actor) -> Message:
    """Render a message from the current template and put it in the outbox (queued, or deferred to
    the next allowed time). Refused, naming the reason, when the gate blocks it for good or the
    rendered words break a content rule for this account (see _prepare)."""
    ready = _prepare(account=account, template_code=template_code, channel=channel, now=now)
    status = Message.Status.QUEUED if ready.allowed else Message.Status.DEFERRED
    with transaction.atomic():
        message = Message.objects.create(
            account=account,
            debtor=ready.debtor,
            contact_point=ready.point,
            channel=channel,
            template=ready.template,
            status=status,
            to_address=ready.to_address,
            subject=ready.subject,
            body_text=ready.text,
            body_html=ready.html,
            not_before=ready.not_before,
            delivery_key=ready.key,
            created_by=actor,
            created_at=now,
        )
        _event(message, status, now, ready.reasons)
        record_event(
            event=Event.MESSAGE_QUEUED,
            subject_id=message.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={
                "channel": channel,
                "to": ready.to_address,
                "subject": ready.subject,
                "template": f"{ready.template.code} v{ready.template.version}",
                "status": status,
                "not_before": message.not_before.isoformat(),
            },
        )
    return message


# ---- bulk sends --------------------------------------------------------------------------------

BULK_LIMIT = 2_000  # each account is checked by the gate one by one; larger sends belong to the daily run


@dataclass
class BulkPreview:
    """What a bulk send would do: how many now, how many later (and when), how many not, and why."""

    total: int = 0
    send_now: int = 0
    deferred: int = 0
    refused: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # why refused (or deferred), by the first rule
    examples: list[tuple[str, str]] = field(default_factory=list)  # (reference, what happens), the first few


def _reason_key(text: str) -> str:
    """ "US-01: Email contact is allowed only..." -> "US-01"; "email: no usable email address ..." kept whole."""
    head = text.split(": ", 1)[0]
    return head if head[:2].isupper() and "-" in head else text.split(" for ", 1)[0][:80]


def bulk_send(
    *, accounts: list[Account], template_code: str, channel: str, now: datetime, actor: Actor, write: bool
) -> BulkPreview:
    """Preview (write=False) or make (write=True) a message from one template to each account. The
    same checks as one message: each account is answered by the gate and the content rules."""
    if len(accounts) > BULK_LIMIT:
        raise UnableToSend(f"accounts: {len(accounts):,} chosen; a bulk send takes at most {BULK_LIMIT:,}")
    result = BulkPreview(total=len(accounts))
    for account in accounts:
        try:
            if write:
                message = queue_message(
                    account=account, template_code=template_code, channel=channel, now=now, actor=actor
                )
                allowed = message.status == Message.Status.QUEUED
                later, reasons = message.not_before, message.events.first().detail if not allowed else ""  # type: ignore[union-attr]
            else:
                ready = _prepare(account=account, template_code=template_code, channel=channel, now=now)
                allowed, later, reasons = ready.allowed, ready.not_before, ready.reasons
        except UnableToSend as exc:
            text = str(exc).removeprefix(f"{channel} blocked: ")
            result.refused += 1
            key = _reason_key(text)
            result.reasons[key] = result.reasons.get(key, 0) + 1
            if len(result.examples) < 10:
                result.examples.append((account.reference, f"not sent: {text}"))
            continue
        if allowed:
            result.send_now += 1
        else:
            result.deferred += 1
            key = f"deferred: {_reason_key(reasons)}"
            result.reasons[key] = result.reasons.get(key, 0) + 1
            if len(result.examples) < 10:
                result.examples.append((account.reference, f"waits until {later:%a %d %b %H:%M %Z}: {reasons}"))
    latest = Template.objects.filter(code=template_code, channel=channel).order_by("-version").first()
    if write and latest is not None:
        record_event(
            event=Event.BULK_SENT,
            subject_id=latest.pk,
            occurred_at=now,
            actor=actor,
            after={
                "template": template_code,
                "channel": channel,
                "accounts": result.total,
                "now": result.send_now,
                "deferred": result.deferred,
                "refused": result.refused,
            },
        )
    return result


# ---- delivery ----------------------------------------------------------------------------------


@dataclass
class DeliveryRun:
    sent: int = 0
    deferred: int = 0
    blocked: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(now: datetime) -> Message | None:
    """Take the next message due (or in doubt past its lease) and lease it: committed before sending."""
    due = Q(status__in=[Message.Status.QUEUED, Message.Status.DEFERRED]) | Q(status=Message.Status.SENDING)
    with transaction.atomic():
        candidates = (
            Message.objects.filter(due, not_before__lte=now)
            .exclude(channel=Channel.LETTER)  # letters go out in print batches
            .order_by("not_before", "id")
        )
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True)
        message = candidates.first()
        if message is None:
            return None
        in_doubt = message.status == Message.Status.SENDING
        message.status = Message.Status.SENDING
        message.not_before = now + LEASE
        message.attempts += 1
        message.save(update_fields=["status", "not_before", "attempts"])
        _event(message, Message.Status.SENDING, now, "sent again: the last attempt did not finish" if in_doubt else "")
    return message


def backoff(attempts: int) -> timedelta:
    """Wait before retry n: 1, 2, 4, 8 ... minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def deliver_due(*, now: datetime, limit: int = 200, mail: Any = None, sms: SmsProvider | None = None) -> DeliveryRun:
    """Send what is due, one message at a time, each through the gate at the moment of sending.
    `mail` (an SMTP connection) and `sms` (a provider) default to the configured ones."""
    run = DeliveryRun()
    mail = mail or open_connection()
    sms = sms or sms_provider()
    for _ in range(limit):
        message = _claim(now)
        if message is None:
            break
        _deliver_one(message, now, mail, sms, run)
    return run


def _deliver_one(message: Message, now: datetime, mail: Any, sms: SmsProvider, run: DeliveryRun) -> None:
    account = message.account
    decision = authorise_contact(
        account=account,
        debtor=message.debtor,
        channel=GATE_CHANNELS[Channel(message.channel)],
        at=now,
        now=now,
        actor=None,
        contact_point=message.contact_point,
        automated=message.channel == Channel.SMS,
        purpose=message.gate_purpose,
    )
    if not decision.usable:
        reasons = "; ".join(f"{r['rule']}: {r['text']}" for r in decision.reasons)
        with transaction.atomic():
            if decision.next_allowed is not None:
                _set(
                    message, Message.Status.DEFERRED, now, reasons, not_before=decision.next_allowed, decision=decision
                )
                run.deferred += 1
            else:
                _set(message, Message.Status.BLOCKED, now, reasons, decision=decision)
                run.blocked += 1
        return
    provider_id = ""
    try:
        if message.channel == Channel.SMS:
            provider_id = send_sms(message, decision=decision, provider=sms)
        else:
            send_email(message, decision=decision, mail=mail)
    except TemporaryFailure as exc:
        with transaction.atomic():
            if message.attempts >= MAX_ATTEMPTS:
                _set(message, Message.Status.FAILED, now, f"gave up after {message.attempts} attempts: {exc}")
                run.failed += 1
            else:
                retry = now + backoff(message.attempts)
                _set(message, Message.Status.DEFERRED, now, str(exc), not_before=retry, decision=decision)
                run.deferred += 1
        run.errors.append(str(exc))
        return
    except PermanentFailure as exc:
        with transaction.atomic():
            _set(message, Message.Status.FAILED, now, str(exc), decision=decision)
        run.failed += 1
        run.errors.append(str(exc))
        return
    with transaction.atomic():
        _set(message, Message.Status.SENT, now, "", decision=decision, sent_at=now, provider_id=provider_id)
        record_contact(token=str(decision.token), outcome=Outcome.DELIVERED, at=now, now=now, actor=None)
        record_event(
            event=Event.MESSAGE_SENT,
            subject_id=message.pk,
            account_id=message.account_id,
            occurred_at=now,
            actor=None,
            after={"channel": message.channel, "to": message.to_address, "subject": message.subject},
        )
    run.sent += 1


def _set(message: Message, status: str, now: datetime, detail: str, **changes: Any) -> None:
    message.status = status
    message.last_error = detail if status != Message.Status.SENT else ""
    fields = ["status", "last_error"]
    for name, value in changes.items():
        setattr(message, name, value)
        fields.append(name)
    message.save(update_fields=fields)
    _event(message, status, now, detail)


# ---- opt-out -----------------------------------------------------------------------------------


def unsubscribe(*, message: Message, now: datetime) -> Hold:
    """The debtor's unsubscribe link: no more email to them (a do-not-contact hold on email, US-07)."""
    existing = Hold.objects.filter(
        debtor=message.debtor, kind=Hold.Kind.DO_NOT_CONTACT, channel=GateChannel.EMAIL.value, lifted_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        return place_hold(
            kind=Hold.Kind.DO_NOT_CONTACT,
            channel=GateChannel.EMAIL.value,
            reason="opted out of email with the unsubscribe link",
            evidence=f"message {message.pk} to {message.to_address}",
            starts_at=now,
            now=now,
            actor=None,
            debtor=message.debtor,
        )
    except UnableToContact as exc:  # pragma: no cover - the arguments above are always valid
        raise UnableToSend(str(exc)) from None


# ---- bounces -----------------------------------------------------------------------------------


def record_bounce(*, delivery_key: str, permanent: bool, reason: str, now: datetime) -> Message | None:
    """The mail provider says a sent email bounced. A permanent (hard) bounce marks the message
    bounced and the address not to be used (the gate then refuses email to it); a temporary (soft)
    one is noted on the message. The same bounce reported twice changes nothing more. None if no
    message has that key."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("contact_point")
            .filter(delivery_key=delivery_key)
            .first()
        )
        if message is None:
            return None
        words = reason.strip()[:500] or "no reason given"
        if not permanent:
            _event(message, message.status, now, f"soft bounce: {words}")
            return message
        if message.status == Message.Status.BOUNCED:
            return message
        _set(message, Message.Status.BOUNCED, now, f"hard bounce: {words}")
        point = message.contact_point
        if point is not None and not point.do_not_contact:
            with contextlib.suppress(UnableToSaveParty):  # marked by another bounce a moment ago
                stop_using_contact_point(
                    point=point, reason=f"email bounced: {words}", now=now, actor=None, account_id=message.account_id
                )
        record_event(
            event=Event.MESSAGE_BOUNCED,
            subject_id=message.pk,
            account_id=message.account_id,
            occurred_at=now,
            actor=None,
            after={"to": message.to_address, "reason": words},
        )
    return message


# ---- the validation notice ---------------------------------------------------------------------

VALIDATION_NOTICE = "validation_notice"


def queue_validation_notice(*, account: Account, now: datetime, actor: Actor) -> Message:
    """The US validation notice (US-12) as a letter for the next print batch, written by the
    compliance engine from the account's parties and ledger, with the state's time-barred disclosure
    on its front when the debt is time-barred there (US-16). Refused, naming every missing part.
    When its batch is printed the notice is recorded as sent (its clocks start: US-13)."""
    from recoup.compliance.services import build_validation_notice
    from recoup.core.compliance import missing_parts, render_notice

    debtor = _primary(account)
    _check_postal(debtor)
    if Message.objects.filter(
        account=account, document=VALIDATION_NOTICE, status__in=[Message.Status.QUEUED, Message.Status.SENDING]
    ).exists():
        raise UnableToSend("validation notice: one is already waiting for the print batch")
    today = legal_date(account, now, debtor)
    notice = build_validation_notice(account=account, sent_on=today)
    missing = missing_parts(notice)
    if missing:
        raise UnableToSend(f"validation notice: missing or wrong: {', '.join(missing)}")
    facts = account_message_facts(account=account, debtor=debtor, channel=GateChannel.LETTER, on=today)
    text = render_notice(notice, time_barred_disclosure=required_wording(facts))
    blocks = [p for p in content_problems(text, facts) if p.severity is Severity.BLOCK]
    if blocks:
        raise UnableToSend("validation notice: " + "; ".join(f"{p.rule}: {p.text}" for p in blocks))
    title = "Validation notice"
    body_html = render_html(text.replace("{{", "{ {").replace("}}", "} }"), {})
    answer = evaluate(account=account, debtor=debtor, channel=GateChannel.LETTER, at=now, purpose=Purpose.COLLECTION)
    if not answer.decision.allowed and answer.decision.next_allowed is None:
        reasons = "; ".join(f"{r.rule}: {r.text}" for r in answer.decision.reasons)
        raise UnableToSend(f"letter blocked: {reasons}")
    later = answer.decision.next_allowed
    with transaction.atomic():
        message = Message.objects.create(
            account=account,
            debtor=debtor,
            channel=Channel.LETTER,
            template=None,
            document=VALIDATION_NOTICE,
            status=Message.Status.QUEUED if answer.decision.allowed else Message.Status.DEFERRED,
            to_address=postal_address(debtor),
            subject=title,
            body_text=text,
            body_html=letter_document(
                account, debtor, title=title, body_html=body_html, today=legal_date(account, now, debtor)
            ),
            not_before=later if later is not None and not answer.decision.allowed else now,
            delivery_key=uuid.uuid4().hex,
            created_by=actor,
            created_at=now,
        )
        _event(message, message.status, now, "the validation notice (US-12), written by the compliance engine")
        record_event(
            event=Event.MESSAGE_QUEUED,
            subject_id=message.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={"channel": "letter", "to": message.to_address, "subject": title, "template": "validation notice"},
        )
    return message
