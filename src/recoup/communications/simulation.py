"""The compliance simulation's messages: what a held account is sent, through the product's own outbox.

`compliance.simulation.simulate` places holds partway through its run and, with an `OutboxMessenger`,
tries messages on the held accounts every few days, before and after the hold: a collection email
(the starter `payment-reminder`), which the hold must stop, and the statement or notice the law still
requires (templates of purpose `statement`, `required_notice` and, once after a cease-communication
request, `cease_notice`), which the hold must let through where its rule allows that purpose (UK-07
allows statements and required notices, US-04 only its notices). Each is queued with `queue_message`
(the content rules, NO-PAY-REQUEST among them, and the gate at queueing) and sent by `deliver_due`
(the gate again at the moment of sending) to an inbox in memory: nothing leaves the machine.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from recoup.accounts.models import Account
from recoup.communications.models import Message, MessageEvent, Template
from recoup.communications.services import UnableToSend, deliver_due, queue_message, save_template
from recoup.communications.starter import create_starter_templates
from recoup.compliance.deadlines import record_notice
from recoup.compliance.models import Hold, Notice
from recoup.compliance.simulation import MessageTally, PlannedHold

COLLECTION = "payment-reminder"  # a starter template
_FOOTER = "\n\nThis communication is from a debt collector.\n\nTo stop emails from us: {{ unsubscribe_url }}"
TEMPLATES = {
    # code: (purpose, subject, body); none asks for payment (NO-PAY-REQUEST refuses it if one does)
    "simulated-statement": (
        Template.Purpose.STATEMENT,
        "Your statement for account {{ account_reference }}",
        "Dear {{ debtor_first_name }},\n\nThis is the statement the law requires us to send you for your "
        "{{ creditor_name }} account {{ account_reference }}. The balance on the statement date was {{ balance }}."
        "\n\nIf you are in a breathing space, you do not need to pay anything now, and no interest or charges "
        "are added." + _FOOTER,
    ),
    "simulated-arrears-notice": (
        Template.Purpose.REQUIRED_NOTICE,
        "A notice about your account {{ account_reference }}",
        "Dear {{ debtor_first_name }},\n\nThe law requires us to tell you that your {{ creditor_name }} account "
        "{{ account_reference }} is in arrears; the balance is {{ balance }}. This notice does not ask you for "
        "anything. Free, independent debt advice is available if you would like it." + _FOOTER,
    ),
    "simulated-collection-stopped": (
        Template.Purpose.CEASE_NOTICE,
        "We have stopped collecting account {{ account_reference }}",
        "Dear {{ debtor_first_name }},\n\nAs you asked, we will make no further attempt to collect your "
        "{{ creditor_name }} account {{ account_reference }}." + _FOOTER,
    ),
}
NOTICES = ["simulated-statement", "simulated-arrears-notice"]  # taken in turn, one with each collection email
RULE = re.compile(r"(?:^|; )([A-Z]+(?:-[A-Z0-9]+)+): ")


class _Inbox:
    """Where the simulated people receive email (an SMTP connection's one method) and texts (a provider)."""

    name = "simulated-inbox"

    def __init__(self) -> None:
        self.delivered = 0

    def send_messages(self, messages: list[Any]) -> int:
        self.delivered += len(messages)
        return len(messages)

    def send(self, *, to: str, body: str, key: str) -> str:
        self.delivered += 1
        return f"simulated-{key}"


class OutboxMessenger:
    """Queues and delivers the simulation's emails; tallies what became of each (see `tally`)."""

    def __init__(self, *, now: datetime) -> None:
        """Saves the templates the simulation sends that do not exist yet (for every creditor)."""
        create_starter_templates(now=now)
        for code, (purpose, subject, body) in TEMPLATES.items():
            if not Template.objects.filter(code=code, channel="email", creditor__isnull=True).exists():
                save_template(
                    code=code, channel="email", subject=subject, body=body, purpose=purpose, now=now, actor=None
                )
        self.inbox = _Inbox()
        self.sent: list[tuple[int, str, str]] = []  # (message, phase, purpose) of every message queued
        self.refused: Counter[tuple[str, str, str]] = Counter()
        self.refused_by: Counter[str] = Counter()
        self.rounds: Counter[int] = Counter()  # per account, how many times it was sent messages
        self.stopped: set[int] = set()  # accounts told that collection has stopped (US-04's notice, once)
        self.noticed: set[int] = set()  # messages already looked at for a validation notice

    def attempt(self, *, account: Account, at: datetime, hold: PlannedHold | None) -> None:
        phase = "during hold" if hold is not None else "before hold"
        codes = [COLLECTION, NOTICES[self.rounds[account.pk] % len(NOTICES)]]
        self.rounds[account.pk] += 1
        if hold is not None and hold.kind == Hold.Kind.CEASE_COMMUNICATION and account.pk not in self.stopped:
            codes.append("simulated-collection-stopped")
            self.stopped.add(account.pk)
        for code in codes:
            purpose = TEMPLATES[code][0].value if code in TEMPLATES else Template.Purpose.COLLECTION.value
            try:
                message = queue_message(account=account, template_code=code, channel="email", now=at, actor=None)
            except UnableToSend as refused:
                self.refused[(phase, purpose, "refused")] += 1
                if hold is not None:
                    self.refused_by.update(_rules(str(refused).removeprefix("email blocked: ")))
                continue
            self.sent.append((message.pk, phase, purpose))
        self.deliver(at=at)

    def deliver(self, *, at: datetime) -> None:
        run = deliver_due(now=at, limit=10_000, mail=self.inbox, sms=self.inbox)
        if run.sent:
            self._validation_notices(at)

    def _validation_notices(self, at: datetime) -> None:
        """A US agency sends its validation notice the day of the first communication (US-11 allows 5)."""
        ids = [pk for pk, _phase, _purpose in self.sent if pk not in self.noticed]
        for message in Message.objects.filter(pk__in=ids, status=Message.Status.SENT).select_related(
            "account__creditor", "debtor"
        ):
            self.noticed.add(message.pk)
            account = message.account
            if (
                account.creditor.collector_type == account.creditor.CollectorType.THIRD_PARTY
                and message.debtor.country == "US"
                and not Notice.objects.filter(account=account, kind=Notice.Kind.VALIDATION).exists()
            ):
                record_notice(account=account, kind=Notice.Kind.VALIDATION, sent_on=at.date(), now=at, actor=None)

    def tally(self) -> MessageTally:
        """What became of every message attempted: sent, still deferred (to the hold's end, or the hours),
        blocked at sending, or refused when queued; and the rules that held back those tried during a hold."""
        outcomes: Counter[tuple[str, str, str]] = Counter(self.refused)
        blocked_by: Counter[str] = Counter(self.refused_by)
        statuses = {
            pk: (status, error)
            for pk, status, error in Message.objects.filter(pk__in=[pk for pk, _, _ in self.sent]).values_list(
                "pk", "status", "last_error"
            )
        }
        for pk, phase, purpose in self.sent:
            status, error = statuses[pk]
            outcomes[(phase, purpose, status)] += 1
            if phase == "during hold" and status in (Message.Status.DEFERRED, Message.Status.BLOCKED):
                # Held back when queued (the reasons are on its first event) or when it was due to be sent.
                events = MessageEvent.objects.filter(message_id=pk).order_by("-at", "-id")
                blocked_by.update(_rules(error or events.values_list("detail", flat=True).first() or ""))
        return MessageTally(outcomes, blocked_by)


def _rules(text: str) -> set[str]:
    """The rule IDs a refusal or deferral names ("UK-07: breathing space ...; UK-04: ..." -> UK-07, UK-04)."""
    return set(RULE.findall(text)) or {text.split(":", 1)[0]}
