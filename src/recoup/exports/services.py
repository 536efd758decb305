"""Exports of accounts, payments and activities to CSV or XLSX, and the audit event each download writes.

`export_accounts`, `export_payments` and `export_activities` write a file to a binary file object
and return the row count. Exports carry personal data, so interfaces go through `run_export` or
`csv_download` / `xlsx_download`, which also record an `exports.export.downloaded` audit event with the
kind, format, filters and row count.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any

from django.utils import timezone

from recoup.accounts.models import Account
from recoup.audit.events import Event
from recoup.audit.models import AuditEvent
from recoup.audit.services import record_event
from recoup.exports.sources import (
    EXPORT_LABELS,
    ExportKind,
    RowSource,
    accounts_source,
    activities_source,
    payments_source,
)
from recoup.exports.writers import CountedRows, csv_chunks, write_csv, write_xlsx
from recoup.parties.models import Creditor

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

SPOOL_BYTES = 8 * 1024 * 1024
"""An XLSX download stays in memory up to this size, then spills to a temporary file."""


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES: dict[ExportFormat, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UnableToExport(Exception):
    """Filters that do not fit the export (a status for payments, a range that ends before it starts)."""


@dataclass(frozen=True)
class ExportFilters:
    """What to export. Statuses and as_of apply to accounts; the date range to payments and activities."""

    creditor: Creditor | None = None
    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    as_of: date | None = None
    """The date days past due are counted to (accounts); None means today."""

    def for_audit(self) -> dict[str, Any]:
        """The filters that were set, as JSON-ready values (the creditor by code)."""
        values: dict[str, Any] = {}
        if self.creditor is not None:
            values["creditor"] = self.creditor.code
        if self.statuses:
            values["statuses"] = list(self.statuses)
        if self.date_from is not None:
            values["from"] = self.date_from.isoformat()
        if self.date_to is not None:
            values["to"] = self.date_to.isoformat()
        if self.as_of is not None:
            values["as_of"] = self.as_of.isoformat()
        return values


@dataclass
class ExportResult:
    """How a download went: rows written, and whether the whole file was written."""

    rows: int = 0
    completed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def check_filters(*, kind: ExportKind, filters: ExportFilters) -> None:
    """Raise UnableToExport naming the first filter that does not fit the export."""
    allowed = Account.Status.values
    unknown = [status for status in filters.statuses if status not in allowed]
    if unknown:
        raise UnableToExport(f"status: '{unknown[0]}' is not an account status (statuses: {', '.join(allowed)})")
    if kind is ExportKind.ACCOUNTS:
        if filters.date_from is not None or filters.date_to is not None:
            raise UnableToExport("from/to: the accounts export has no date range; use as_of for days past due")
        return
    if filters.statuses:
        raise UnableToExport(f"status: only the accounts export filters by status, not {kind.value}")
    if filters.as_of is not None:
        raise UnableToExport(f"as_of: only the accounts export counts days past due, not {kind.value}")
    if filters.date_from is not None and filters.date_to is not None and filters.date_from > filters.date_to:
        raise UnableToExport(
            f"from/to: the range starts on {filters.date_from.isoformat()}, after it ends on "
            f"{filters.date_to.isoformat()}"
        )


def row_source(*, kind: ExportKind, filters: ExportFilters) -> RowSource:
    """The rows of the export, checked against the filters first (UnableToExport when they do not fit)."""
    check_filters(kind=kind, filters=filters)
    creditor_id = filters.creditor.pk if filters.creditor is not None else None
    if kind is ExportKind.ACCOUNTS:
        return accounts_source(
            creditor_id=creditor_id,
            statuses=filters.statuses,
            as_of=filters.as_of or timezone.localdate(),
        )
    if kind is ExportKind.PAYMENTS:
        return payments_source(creditor_id=creditor_id, received_from=filters.date_from, received_to=filters.date_to)
    return activities_source(creditor_id=creditor_id, occurred_from=filters.date_from, occurred_to=filters.date_to)


def write_export(*, kind: ExportKind, filters: ExportFilters, fmt: ExportFormat, out: IO[bytes]) -> int:
    """Write the export to the binary file `out` in the format; return the row count. Records nothing."""
    source = row_source(kind=kind, filters=filters)
    with source.open() as rows:
        if fmt is ExportFormat.XLSX:
            return write_xlsx(out, source.columns, rows, sheet_title=EXPORT_LABELS[kind])
        return write_csv(out, source.columns, rows)


def export_accounts(
    *,
    out: IO[bytes],
    fmt: ExportFormat = ExportFormat.CSV,
    creditor: Creditor | None = None,
    statuses: Collection[str] = (),
    as_of: date | None = None,
) -> int:
    """Write accounts with balances and days past due at `as_of` (default today) to `out`; return the count."""
    filters = ExportFilters(creditor=creditor, statuses=tuple(statuses), as_of=as_of)
    return write_export(kind=ExportKind.ACCOUNTS, filters=filters, fmt=fmt, out=out)


def export_payments(
    *,
    out: IO[bytes],
    fmt: ExportFormat = ExportFormat.CSV,
    creditor: Creditor | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
) -> int:
    """Write payments received on UTC days `received_from` to `received_to` (inclusive) to `out`."""
    filters = ExportFilters(creditor=creditor, date_from=received_from, date_to=received_to)
    return write_export(kind=ExportKind.PAYMENTS, filters=filters, fmt=fmt, out=out)


def export_activities(
    *,
    out: IO[bytes],
    fmt: ExportFormat = ExportFormat.CSV,
    creditor: Creditor | None = None,
    occurred_from: date | None = None,
    occurred_to: date | None = None,
) -> int:
    """Write the accounts' audit trail on UTC days `occurred_from` to `occurred_to` (inclusive) to `out`."""
    filters = ExportFilters(creditor=creditor, date_from=occurred_from, date_to=occurred_to)
    return write_export(kind=ExportKind.ACTIVITIES, filters=filters, fmt=fmt, out=out)


# Audited downloads -------------------------------------------------------------------------------------


def record_export(
    *,
    kind: ExportKind,
    fmt: ExportFormat,
    filters: ExportFilters,
    result: ExportResult,
    channel: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    now: datetime,
) -> AuditEvent:
    """Record that an export left the system: who, which kind and format, the filters and the row count."""
    return record_event(
        event=Event.EXPORT_DOWNLOADED,
        subject_id=0,
        occurred_at=now,
        actor=actor,
        after={
            "kind": kind.value,
            "format": fmt.value,
            "filters": filters.for_audit(),
            "rows": result.rows,
            "completed": result.completed,
            "channel": channel,
            **result.extra,
        },
    )


def run_export(
    *,
    kind: ExportKind,
    filters: ExportFilters,
    fmt: ExportFormat,
    out: IO[bytes],
    channel: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> int:
    """Write the export to `out` and record `exports.export.downloaded`, also when writing stops half-way.

    Filters that do not fit raise UnableToExport before anything is read or recorded.
    """
    source = row_source(kind=kind, filters=filters)
    result = ExportResult(extra=dict(extra or {}))
    counted: CountedRows | None = None
    try:
        with source.open() as rows:
            counted = CountedRows(rows)
            if fmt is ExportFormat.XLSX:
                write_xlsx(out, source.columns, counted, sheet_title=EXPORT_LABELS[kind])
            else:
                write_csv(out, source.columns, counted)
        result.completed = True
    finally:
        result.rows = counted.count if counted is not None else 0
        record_export(kind=kind, fmt=fmt, filters=filters, result=result, channel=channel, actor=actor, now=now)
    return result.rows


def csv_download(
    *,
    kind: ExportKind,
    filters: ExportFilters,
    actor: AbstractBaseUser | AnonymousUser | None,
    now: datetime,
    bom: bool = False,
) -> Iterator[bytes]:
    """The CSV export as byte chunks for a streaming response; recorded when the stream ends.

    The audit event carries the rows actually sent and `completed: false` when the client went away
    before the end. Filters are checked at once: UnableToExport is raised by this call, not mid-stream.
    """
    source = row_source(kind=kind, filters=filters)

    def chunks() -> Iterator[bytes]:
        result = ExportResult()
        counted: CountedRows | None = None
        try:
            with source.open() as rows:
                counted = CountedRows(rows)
                yield from csv_chunks(source.columns, counted, bom=bom)
            result.completed = True
        finally:
            result.rows = counted.count if counted is not None else 0
            record_export(
                kind=kind,
                fmt=ExportFormat.CSV,
                filters=filters,
                result=result,
                channel="web",
                actor=actor,
                now=now,
            )

    return chunks()


def xlsx_download(
    *,
    kind: ExportKind,
    filters: ExportFilters,
    actor: AbstractBaseUser | AnonymousUser | None,
    now: datetime,
) -> tuple[IO[bytes], int]:
    """The XLSX export in a spooled temporary file (rewound) and its row count; the download is recorded.

    An XLSX file is a zip whose directory comes last, so it is written whole before it is sent.
    The caller closes the file (a FileResponse does).
    """
    spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    try:
        count = run_export(
            kind=kind, filters=filters, fmt=ExportFormat.XLSX, out=spooled, channel="web", actor=actor, now=now
        )
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled, count


def export_filename(*, kind: ExportKind, fmt: ExportFormat, filters: ExportFilters, today: date) -> str:
    """A file name that says what is inside: recoup-accounts-2026-11-23.csv, with the creditor when filtered."""
    creditor = f"-{filters.creditor.code}" if filters.creditor is not None else ""
    return f"recoup-{kind.value}{creditor}-{today.isoformat()}.{fmt.value}"


__all__ = [
    "CONTENT_TYPES",
    "EXPORT_LABELS",
    "ExportFilters",
    "ExportFormat",
    "ExportKind",
    "ExportResult",
    "UnableToExport",
    "check_filters",
    "csv_download",
    "export_accounts",
    "export_activities",
    "export_filename",
    "export_payments",
    "record_export",
    "row_source",
    "run_export",
    "write_export",
    "xlsx_download",
]
