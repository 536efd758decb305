"""Running one import: the job record, the single transaction, all-or-nothing, rejects, progress.

Every kind of import (placements, payments) is a parser of chunks and a writer of good rows; this
module runs them the same way. The file is one database transaction: read and validated in chunks,
each chunk's good rows written as soon as they are known good. If a row is bad and the import is
all-or-nothing, writing stops, the rest of the file is still validated so that every problem is
reported, and the transaction rolls back. A process killed at any point leaves the database as it
was: the job's record is written inside the same transaction (or, for a refused or unreadable file,
in its own afterwards).

An importer whose parser needs no database (`parses_without_database`) has the file read and the
next chunks validated in a background thread while this one is written: Python validates while the
database writes. The thread is refused any query, so nothing it does can escape the transaction.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction

from recoup.imports.formats import Column
from recoup.imports.models import ImportJob
from recoup.imports.reading import Chunk, FileProblem, FileSettings, Problem, file_digest, read_chunks, text
from recoup.parties.models import Creditor
from recoup.platform.bulk import RANGE_RESERVATION_THRESHOLD, produced_in_background

Actor = AbstractBaseUser | AnonymousUser | None
PROBLEMS_KEPT = 1_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportOutcome:
    job_id: int | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    """The first PROBLEMS_KEPT problems; the rejects file has them all."""
    rejects_path: Path | None = None

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "problems": self.problem_count,
        }


class ImportRefused(Exception):
    """Bad rows in an all-or-nothing import: nothing was written; `outcome` lists the problems."""

    def __init__(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        shown = "; ".join(str(p) for p in outcome.problems[:5])
        more = f" (and {outcome.problem_count - 5} more)" if outcome.problem_count > 5 else ""
        super().__init__(f"{outcome.rejected:,} of {outcome.rows:,} rows refused, nothing written: {shown}{more}")


class Importer(Protocol):
    """One kind of import: parse a chunk into good rows and problems; write good rows."""

    @property
    def kind(self) -> str: ...

    @property
    def columns(self) -> Sequence[Column]: ...

    @property
    def parses_without_database(self) -> bool:
        """True if parse() makes no query: chunks are then read and parsed in a background thread."""
        ...

    def parse(self, chunk: Chunk) -> tuple[list[Any], list[Problem]]: ...

    def write(self, rows: list[Any], job: ImportJob, outcome: ImportOutcome) -> list[Problem]:
        """Write the rows; return problems only found while writing (their rows were not written)."""
        ...


class _Rejects:
    """Rejected rows written as they are found, with row number, columns and reasons, then the values."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        handle, name = tempfile.mkstemp(prefix="recoup-rejects-", suffix=".csv")
        self.path = Path(name)
        self.file = os.fdopen(handle, "w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.file)
        self.writer.writerow(["row", "column", "reason", *self.columns])

    def add(self, chunk: Chunk, index: int, problems: Sequence[Problem]) -> None:
        row = chunk.rows[index]
        values = [safe_cell(text(chunk.values[c][index])) if c in chunk.values else "" for c in self.columns]
        self.writer.writerow(
            [
                row,
                "; ".join(dict.fromkeys(p.column for p in problems)),
                "; ".join(str(p) for p in problems),
                *values,
            ]
        )

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()


def safe_cell(value: str) -> str:
    """A value going back to someone who opens it in a spreadsheet: never a live formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _report(chunk: Chunk, problems: list[Problem], rejects: _Rejects, outcome: ImportOutcome) -> None:
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(problem)
        if len(outcome.problems) < PROBLEMS_KEPT:
            outcome.problems.append(problem)
    index_of = {row: index for index, row in enumerate(chunk.rows)}
    for row, row_problems in sorted(by_row.items()):
        rejects.add(chunk, index_of[row], row_problems)
    outcome.rejected += len(by_row)
    outcome.problem_count += len(problems)


class _Refused(Exception):
    pass


def run_import(
    importer: Importer,
    *,
    path: Path,
    creditor: Creditor | None,
    settings: FileSettings,
    now: datetime,
    actor: Actor,
    accept_valid: bool = False,
    chunk_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Import the file with `importer`. Raises FileProblem for an unreadable file and ImportRefused for
    bad rows in an all-or-nothing import; then nothing was written except the job's record."""
    sha256, size = file_digest(path)
    outcome = ImportOutcome()
    rejects = _Rejects([c.name for c in importer.columns])
    job_fields: dict[str, Any] = {
        "kind": importer.kind,
        "creditor": creditor,
        "file_name": path.name,
        "file_sha256": sha256,
        "file_size": size,
        "mode": ImportJob.Mode.ACCEPT_VALID if accept_valid else ImportJob.Mode.ALL_OR_NOTHING,
        "requested_by": actor if actor is not None and actor.is_authenticated else None,
        "started_at": now,
    }
    try:
        with transaction.atomic():
            _lock_imports(importer.kind, creditor)
            job = ImportJob.objects.create(**job_fields)
            writing = True
            chunks = read_chunks(
                path,
                settings,
                known=[c.name for c in importer.columns],
                required=[c.name for c in importer.columns if c.required],
                chunk_size=chunk_size,
            )
            for chunk, rows, problems in _parsed(importer, chunks):
                problems.sort(key=lambda p: p.row)
                if problems:
                    _report(chunk, problems, rejects, outcome)
                    writing = writing and accept_valid
                if writing and rows:
                    late = importer.write(rows, job, outcome)
                    if late:
                        _report(chunk, late, rejects, outcome)
                        writing = accept_valid
                outcome.rows += len(chunk)
                if progress is not None:
                    progress(outcome.rows)
            rejects.close()
            if outcome.problem_count and not accept_valid:
                raise _Refused
            outcome.job_id = job.pk
            if outcome.problem_count:
                outcome.rejects_path = _keep_rejects(rejects.path, job.pk)
            job.status = ImportJob.Status.SUCCEEDED
            job.total_rows = job.processed_rows = outcome.rows
            job.summary = outcome.summary()
            job.rejects_path = str(outcome.rejects_path or "")
            job.finished_at = now
            job.save()
    except _Refused:
        outcome.created = outcome.updated = outcome.unchanged = 0
        with transaction.atomic():
            job = ImportJob.objects.create(
                **job_fields,
                status=ImportJob.Status.REFUSED,
                total_rows=outcome.rows,
                processed_rows=outcome.rows,
                summary=outcome.summary(),
                finished_at=now,
            )
            outcome.job_id = job.pk
            outcome.rejects_path = _keep_rejects(rejects.path, job.pk)
            job.rejects_path = str(outcome.rejects_path)
            job.save(update_fields=["rejects_path"])
        raise ImportRefused(outcome) from None
    except FileProblem as exc:
        rejects.close()
        rejects.path.unlink(missing_ok=True)
        ImportJob.objects.create(
            **job_fields, status=ImportJob.Status.FAILED, error=str(exc), total_rows=outcome.rows, finished_at=now
        )
        raise
    finally:
        rejects.close()
        if outcome.rejects_path is None:
            rejects.path.unlink(missing_ok=True)
    return outcome


def _parsed(importer: Importer, chunks: Iterator[Chunk]) -> Iterator[tuple[Chunk, list[Any], list[Problem]]]:
    """Each chunk with its good rows and problems, in file order; parsed ahead in a background
    thread when the importer's parser makes no query."""

    def parse(chunk: Chunk) -> tuple[Chunk, list[Any], list[Problem]]:
        rows, problems = importer.parse(chunk)
        return chunk, rows, problems

    if not importer.parses_without_database:
        yield from map(parse, chunks)
        return

    def parse_offline(chunk: Chunk) -> tuple[Chunk, list[Any], list[Problem]]:
        # `connection` here is the background thread's own: a query would run outside the import's
        # transaction, so it is an error, never a silent second connection.
        with connection.execute_wrapper(_no_queries):
            return parse(chunk)

    yield from produced_in_background(_ramped(chunks), parse_offline, ahead=1)


# The first chunk's head: writing starts once these rows are validated instead of a whole chunk, and
# the background thread validates the rest meanwhile (validating a row takes about a third of the
# time writing it does). Not fewer rows than the bulk writer reserves keys for as one range
# (platform.bulk.RANGE_RESERVATION_THRESHOLD): keys drawn one by one first would make every later
# range reservation wait on this transaction's own hold on the sequence.
FIRST_PIECE_ROWS = RANGE_RESERVATION_THRESHOLD


def _ramped(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """The chunks, the first one cut in two (a head of FIRST_PIECE_ROWS, then the rest) when it is
    large enough; the same rows in the same order."""
    first = next(chunks, None)
    if first is None:
        return
    if len(first) < 2 * FIRST_PIECE_ROWS:
        yield first
    else:
        for piece in (slice(0, FIRST_PIECE_ROWS), slice(FIRST_PIECE_ROWS, None)):
            yield Chunk(first.rows[piece], {name: values[piece] for name, values in first.values.items()})
    yield from chunks


def _no_queries(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    raise RuntimeError(f"an import's parser ran a query in the background thread: {sql[:80]}")


def _keep_rejects(temporary: Path, job_id: int) -> Path:
    folder = Path(django_settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"rejects-{job_id}.csv"
    temporary.replace(kept)
    return kept


def _lock_imports(kind: str, creditor: Creditor | None) -> None:
    """One import of a kind per creditor at a time (two at once could both create the same reference)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                [f"recoup.import.{kind}", creditor.pk if creditor else 0],
            )
