"""Imports started from the web page: the file is kept, the import runs in the background, and its
progress is published in the shared cache for the page to poll.

The import itself is exactly the command line's (same services, same single transaction); this only
adds a token to follow it by, the progress, and the outcome a person reads at the end.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from recoup.imports.models import ColumnMapping
from recoup.imports.reading import (
    ENCODINGS,
    MAX_LINE_BYTES,
    FileProblem,
    FileSettings,
    check_file,
    import_limits,
    open_workbook,
)
from recoup.imports.running import ImportOutcome, ImportRefused
from recoup.imports.statements import StatementError
from recoup.parties.models import Creditor
from recoup.platform.jobs import start_in_background

TASK = "recoup.imports.run_upload"
PROGRESS_SECONDS = 7 * 24 * 3600
KINDS = {
    "accounts": "Account placements",
    "parties": "Co-debtors and guarantors",
    "invoices": "Invoices (B2B)",
    "payments": "Payments",
    "bank_statement": "Bank statement",
}
# Files that belong to one creditor's accounts, so the upload must say which creditor.
NEEDS_CREDITOR = {"accounts", "parties", "invoices"}


@dataclass
class UploadProgress:
    """What the imports page shows while a file is imported and after."""

    token: str
    kind: str
    file_name: str
    size: int
    state: str = "queued"  # queued, running, succeeded, refused, failed
    rows: int = 0  # rows read (a bank statement: lines processed) so far
    total: int = 0  # rows in the file, counted before the import starts (a statement: its lines); 0 if unknown
    job_id: int | None = None
    summary: dict[str, int] = field(default_factory=dict)
    message: str = ""
    problems: list[str] = field(default_factory=list)
    has_rejects: bool = False
    started_by: int | None = None

    @property
    def finished(self) -> bool:
        return self.state in {"succeeded", "refused", "failed"}

    @property
    def unit(self) -> str:
        return "lines" if self.kind == "bank_statement" else "rows"

    @property
    def bar_max(self) -> int:
        """The progress bar's end: the rows in the file (never less than those read, were the count short)."""
        return max(self.total, self.rows)


def _key(token: str) -> str:
    return f"imports:upload:{token}"


def progress_of(token: str) -> UploadProgress | None:
    raw = cache.get(_key(token))
    return UploadProgress(**raw) if isinstance(raw, dict) else None


def _publish(progress: UploadProgress) -> None:
    cache.set(_key(progress.token), asdict(progress), PROGRESS_SECONDS)


def uploads_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_upload(
    *,
    kind: str,
    file_name: str,
    chunks: Any,
    creditor: Creditor | None,
    mapping: ColumnMapping | None,
    accept_valid: bool,
    user_id: int | None,
) -> UploadProgress:
    """Keep the uploaded file and start its import in the background; return its progress record."""
    token = uuid.uuid4().hex
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(file_name).name)[-120:] or "upload"
    folder = uploads_folder() / token
    folder.mkdir()
    path = folder / safe_name  # the import job records the file's own name
    size = 0
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
    progress = UploadProgress(token=token, kind=kind, file_name=Path(file_name).name, size=size, started_by=user_id)
    _publish(progress)
    start_in_background(
        TASK,
        token=token,
        path=str(path),
        kind=kind,
        creditor_id=creditor.pk if creditor else None,
        mapping_id=mapping.pk if mapping else None,
        accept_valid=accept_valid,
        user_id=user_id,
    )
    return progress


def run_upload(
    *,
    token: str,
    path: str,
    kind: str,
    creditor_id: int | None,
    mapping_id: int | None,
    accept_valid: bool,
    user_id: int | None,
) -> None:
    """The background task: run the import, publishing rows read as it goes and the outcome at the end."""
    from recoup.imports.accounts_import import import_accounts
    from recoup.imports.bank import import_bank_statement
    from recoup.imports.mappings import SETTING_FIELDS
    from recoup.imports.payments_import import import_payments
    from recoup.users.models import User

    progress = progress_of(token) or UploadProgress(token, kind, Path(path).name, Path(path).stat().st_size)
    progress.state = "running"
    _publish(progress)
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    creditor = Creditor.objects.filter(pk=creditor_id).first() if creditor_id else None
    mapping = ColumnMapping.objects.filter(pk=mapping_id).first() if mapping_id else None
    file_settings = (
        FileSettings(**{f: getattr(mapping, f) for f in SETTING_FIELDS}, columns=dict(mapping.columns))
        if mapping
        else FileSettings()
    )

    def advance(rows: int) -> None:
        progress.rows = rows
        _publish(progress)

    def advance_lines(done: int, total: int) -> None:
        progress.rows, progress.total = done, total
        _publish(progress)

    try:
        if kind == "bank_statement":
            statement = import_bank_statement(
                path=Path(path),
                now=timezone.now(),
                actor=actor,
                creditor=creditor,
                settings=file_settings,
                progress=advance_lines,
            )
            progress.job_id = statement.job_id
            progress.summary = statement.summary()
            progress.rows = progress.total = statement.lines
        else:
            if kind in NEEDS_CREDITOR and creditor is None:
                raise FileProblem(f"creditor: a file of {KINDS[kind].lower()} needs its creditor")
            progress.total = count_rows(Path(path), file_settings)  # the bar's end, before the first row is read
            _publish(progress)
            common: dict[str, Any] = {
                "path": Path(path),
                "settings": file_settings,
                "now": timezone.now(),
                "actor": actor,
                "accept_valid": accept_valid,
                "progress": advance,
            }
            if kind == "accounts":
                assert creditor is not None
                outcome = import_accounts(creditor=creditor, **common)
            elif kind == "parties":
                from recoup.imports.parties_import import import_parties

                assert creditor is not None
                outcome = import_parties(creditor=creditor, **common)
            elif kind == "invoices":
                from recoup.imports.invoices_import import import_invoices

                assert creditor is not None
                outcome = import_invoices(creditor=creditor, **common)
            else:
                outcome = import_payments(creditor=creditor, **common)
            _finish(progress, outcome)
        progress.state = "succeeded"
    except ImportRefused as exc:
        _finish(progress, exc.outcome)
        progress.state = "refused"
        progress.message = "Some rows have problems, so nothing was written."
    except (FileProblem, StatementError) as exc:
        progress.state = "failed"
        progress.message = str(exc)
    except Exception:
        progress.state = "failed"
        progress.message = "The import stopped on an unexpected error; nothing was written. The log has the details."
        _publish(progress)
        raise
    finally:
        Path(path).unlink(missing_ok=True)
        if Path(path).parent.parent == uploads_folder():
            Path(path).parent.rmdir()
    _publish(progress)


def _finish(progress: UploadProgress, outcome: ImportOutcome) -> None:
    progress.job_id = outcome.job_id
    progress.summary = outcome.summary()
    progress.rows = progress.total = outcome.rows  # every row was read, good or bad
    progress.problems = [str(p) for p in outcome.problems[:50]]
    progress.has_rejects = outcome.rejects_path is not None


def count_rows(path: Path, file_settings: FileSettings) -> int:
    """The data rows in a CSV or Excel file, counted as the importer counts them (blank lines are not rows),
    for the progress bar's end; 0 when they cannot be counted (the import then says why).

    A file over the import limits is not opened at all (`check_file`), and counting stops past the row
    limit, so counting never costs more than the import would.
    """
    suffix = path.suffix.lower()
    try:
        limits = import_limits()
        check_file(path, limits)
        if suffix == ".xlsx":
            workbook = open_workbook(path)
            try:
                rows = workbook.worksheets[0].max_row if workbook.worksheets else None
            finally:
                workbook.close()
            return max((rows or 0) - 1, 0)
        if suffix not in {".csv", ".txt", ".tsv"}:
            return 0
        csv.field_size_limit(MAX_LINE_BYTES)
        with path.open(encoding=ENCODINGS[file_settings.encoding], errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=file_settings.delimiter)
            count = 0
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    count += 1
                    if count > limits.rows + 1:
                        break
        return max(count - 1, 0)  # the header is not a row
    except Exception:  # an unreadable file fails the import itself, which says why
        return 0
