"""The daily print batch: the letters due, each through the gate, in one merged PDF with a manifest
CSV for the print vendor (see PrintBatch for how a crash never loses or doubles a letter).

Files go to `<data dir>/print/batch-<id>.pdf` and `batch-<id>.csv`; the manifest is written last, so
a vendor that picks up manifests never takes a half-written batch. Each manifest row is one letter:
its sequence, first page and page count in the PDF, the recipient and address as printed on it, the
account (masked) and the message's delivery key.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from recoup.accounts.dates import legal_date
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.communications.models import Channel, Message, MessageEvent, PrintBatch
from recoup.compliance.deadlines import record_notice
from recoup.compliance.services import authorise_contact, record_contact
from recoup.core.compliance import Channel as GateChannel
from recoup.core.compliance import Outcome, masked_account_number

MANIFEST_COLUMNS = ["sequence", "first_page", "pages", "recipient", "address", "account", "message", "delivery_key"]


@dataclass(frozen=True)
class BatchResult:
    batch: PrintBatch | None
    letters: int
    deferred: int
    blocked: int


def print_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "print"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_print_batch(*, now: datetime) -> BatchResult:
    """Finish a batch a crash left half-done, or gather the letters due into a new one; then write
    its files and mark its letters sent. Returns the batch (None when no letter is due)."""
    batch = PrintBatch.objects.filter(status=PrintBatch.Status.PREPARING).order_by("id").first()
    deferred = blocked = 0
    if batch is None:
        batch, deferred, blocked = _gather(now)
    if batch is None:
        return BatchResult(None, 0, deferred, blocked)
    _finish(batch, now)
    batch.refresh_from_db()
    return BatchResult(batch, batch.letters, deferred, blocked)


def _gather(now: datetime) -> tuple[PrintBatch | None, int, int]:
    """Record a new batch with every letter the gate allows now (committed before any file is made)."""
    deferred = blocked = 0
    with transaction.atomic():
        due = list(
            Message.objects.select_for_update(of=("self",))
            .filter(
                channel=Channel.LETTER, status__in=[Message.Status.QUEUED, Message.Status.DEFERRED], not_before__lte=now
            )
            .select_related("account", "debtor", "template")
            .order_by("id")
        )
        allowed: list[tuple[Message, str]] = []
        for message in due:
            decision = authorise_contact(
                account=message.account,
                debtor=message.debtor,
                channel=GateChannel.LETTER,
                at=now,
                now=now,
                actor=None,
                purpose=message.gate_purpose,
            )
            if decision.usable:
                message.decision = decision
                allowed.append((message, str(decision.token)))
                continue
            reasons = "; ".join(f"{r['rule']}: {r['text']}" for r in decision.reasons)
            if decision.next_allowed is not None:
                message.status, message.not_before = Message.Status.DEFERRED, decision.next_allowed
                deferred += 1
            else:
                message.status = Message.Status.BLOCKED
                blocked += 1
            message.last_error, message.decision = reasons, decision
            message.save(update_fields=["status", "not_before", "last_error", "decision"])
            MessageEvent.objects.create(message=message, status=message.status, at=now, detail=reasons)
        if not allowed:
            return None, deferred, blocked
        batch = PrintBatch.objects.create(status=PrintBatch.Status.PREPARING, created_at=now, letters=len(allowed))
        for message, _token in allowed:
            message.status, message.batch = Message.Status.SENDING, batch
            message.attempts += 1
            message.save(update_fields=["status", "batch", "decision", "attempts"])
            MessageEvent.objects.create(
                message=message, status=Message.Status.SENDING, at=now, detail=f"print batch {batch.pk}"
            )
    return batch, deferred, blocked


def _render(messages: list[Message]) -> tuple[bytes, list[tuple[int, int]]]:
    """One PDF of every letter, in order; each letter's first page (1-based) and page count."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    documents = [HTML(string=m.body_html).render() for m in messages]
    spans: list[tuple[int, int]] = []
    first = 1
    for document in documents:
        spans.append((first, len(document.pages)))
        first += len(document.pages)
    pages = [page for document in documents for page in document.pages]
    pdf = documents[0].copy(pages).write_pdf()
    assert pdf is not None
    return bytes(pdf), spans


def _write(path: Path, content: bytes) -> None:
    """Write a file whole or not at all (a temporary name, then renamed)."""
    temporary = path.with_suffix(path.suffix + ".partial")
    with temporary.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def _finish(batch: PrintBatch, now: datetime) -> None:
    messages = list(batch.messages.select_related("account", "debtor", "decision").order_by("id"))
    pdf, spans = _render(messages)
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(MANIFEST_COLUMNS)
    for sequence, (message, (first, count)) in enumerate(zip(messages, spans, strict=True), start=1):
        writer.writerow(
            [
                sequence,
                first,
                count,
                message.debtor.display_name,
                message.to_address,
                masked_account_number(message.account.reference),
                message.pk,
                message.delivery_key,
            ]
        )
    folder = print_folder()
    pdf_path, manifest_path = folder / f"batch-{batch.pk}.pdf", folder / f"batch-{batch.pk}.csv"
    _write(pdf_path, pdf)
    _write(manifest_path, rows.getvalue().encode("utf-8"))  # last: the vendor's signal
    with transaction.atomic():
        locked = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == PrintBatch.Status.READY:
            return
        for message in messages:
            message.status, message.sent_at = Message.Status.SENT, now
            message.provider_id = f"print-batch-{batch.pk}"
            message.save(update_fields=["status", "sent_at", "provider_id"])
            MessageEvent.objects.create(
                message=message, status=Message.Status.SENT, at=now, detail=f"printed in batch {batch.pk}"
            )
            assert message.decision is not None
            # The letter is posted as decided when its batch was made (a resumed batch keeps that time).
            at = message.decision.proposed_at
            record_contact(token=str(message.decision.token), outcome=Outcome.DELIVERED, at=at, now=now, actor=None)
            if message.document == "validation_notice":  # its clocks start now (US-13)
                record_notice(
                    account=message.account,
                    kind="validation",
                    sent_on=legal_date(message.account, at, message.debtor),
                    channel="letter",
                    reference=f"print batch {batch.pk}, message {message.pk}",
                    now=now,
                    actor=None,
                )
            record_event(
                event=Event.MESSAGE_SENT,
                subject_id=message.pk,
                account_id=message.account_id,
                occurred_at=now,
                actor=None,
                after={"channel": "letter", "to": message.to_address, "subject": message.subject, "batch": batch.pk},
            )
        locked.status, locked.ready_at = PrintBatch.Status.READY, now
        locked.pages = sum(count for _first, count in spans)
        locked.pdf_path, locked.manifest_path = str(pdf_path), str(manifest_path)
        locked.save(update_fields=["status", "ready_at", "pages", "pdf_path", "manifest_path"])
