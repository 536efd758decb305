"""`recoup export accounts|payments|activities`: CSV or XLSX files an operator hands on.

Each export is recorded in the audit log (`exports.export.downloaded`, channel cli) because it carries
personal data. A file is written under a temporary name, readable only by its owner, and renamed
into place when complete, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import getpass
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django

DATE = click.DateTime(formats=["%Y-%m-%d"])
FORMATS = ("csv", "xlsx")


def _ready() -> None:
    setup_django()
    ensure_database_reachable()
    ensure_migrated()


def _creditor(code: str | None) -> Any:
    if not code:
        return None
    from recoup.parties.models import Creditor

    creditor = Creditor.objects.filter(code=code).first()
    if creditor is None:
        known = ", ".join(Creditor.objects.order_by("code").values_list("code", flat=True)) or "none yet"
        raise OperatorError(f"--creditor: no creditor with code '{code}' (creditors: {known})")
    return creditor


def _format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, else the output file's extension when it names one, else csv."""
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if fmt is None:
        return suffix if suffix in FORMATS else "csv"
    if suffix in FORMATS and suffix != fmt:
        raise OperatorError(f"--format: {fmt} does not match the output file {output} (.{suffix}); change one")
    return fmt


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _plural(count: int, kind: str) -> str:
    noun = kind if count != 1 else {"accounts": "account", "payments": "payment", "activities": "activity"}[kind]
    return f"{count:,} {noun}"


def _run(
    *,
    kind: str,
    fmt_option: str | None,
    output: Path | None,
    creditor_code: str | None,
    statuses: tuple[str, ...] = (),
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    as_of: datetime | None = None,
) -> None:
    fmt_name = _format(fmt_option, output)
    if fmt_name == "xlsx" and output is None:
        raise OperatorError("--output: an XLSX workbook is a zip file; name the file to write, e.g. --output x.xlsx")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise OperatorError(
            f"--from: {date_from:%Y-%m-%d} is after --to {date_to:%Y-%m-%d}; the range must not end before it starts"
        )
    _ready()
    from django.utils import timezone

    from recoup.accounts.models import Account
    from recoup.exports.services import ExportFilters, ExportFormat, ExportKind, UnableToExport, run_export

    allowed = Account.Status.values
    for status in statuses:
        if status not in allowed:
            raise OperatorError(f"--status: '{status}' is not an account status (statuses: {', '.join(allowed)})")
    filters = ExportFilters(
        creditor=_creditor(creditor_code),
        statuses=statuses,
        date_from=date_from.date() if date_from is not None else None,
        date_to=date_to.date() if date_to is not None else None,
        as_of=as_of.date() if as_of is not None else None,
    )
    fmt = ExportFormat(fmt_name)
    export_kind = ExportKind(kind)
    extra = {"output": str(output) if output is not None else "stdout", "os_user": _os_user()}

    def export_to(out: Any) -> int:
        return run_export(
            kind=export_kind,
            filters=filters,
            fmt=fmt,
            out=out,
            channel="cli",
            actor=None,
            now=timezone.now(),
            extra=extra,
        )

    try:
        if output is None:
            sys.stdout.flush()
            count = export_to(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            count = _write_file(output, export_to)
    except UnableToExport as exc:
        raise OperatorError(str(exc)) from None
    except BrokenPipeError:
        raise OperatorError("standard output was closed before the export finished (recorded as incomplete)") from None
    where = str(output) if output is not None else "standard output"
    click.echo(f"Exported {_plural(count, kind)} to {where}", err=True)


def _write_file(output: Path, export_to: Callable[[Any], int]) -> int:
    """Write to a temporary file beside `output` (mode 0600), then rename it into place."""
    folder = output.parent if str(output.parent) else Path()
    if not folder.is_dir():
        raise OperatorError(f"--output: the folder {folder} does not exist")
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{output.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            count = export_to(handle)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _common(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="File to write; default standard output (CSV only).",
    )(command)
    command = click.option(
        "--format",
        "fmt_option",
        type=click.Choice(FORMATS),
        help="csv or xlsx; default from the output file's extension, else csv.",
    )(command)
    command = click.option("--creditor", "creditor_code", help="Only this creditor (code).")(command)
    return command


@click.group()
def export() -> None:
    """Export accounts, payments or activities to CSV or XLSX (each export is audited)."""


@export.command("accounts")
@_common
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="Only accounts in this status (repeat for several), e.g. --status active --status legal.",
)
@click.option("--as-of", "as_of", type=DATE, help="Count days past due to this date (YYYY-MM-DD); default today.")
def export_accounts(
    output: Path | None,
    fmt_option: str | None,
    creditor_code: str | None,
    statuses: tuple[str, ...],
    as_of: datetime | None,
) -> None:
    """Accounts with debtors, balances by component, days past due, officer and team."""
    _run(
        kind="accounts",
        fmt_option=fmt_option,
        output=output,
        creditor_code=creditor_code,
        statuses=statuses,
        as_of=as_of,
    )


@export.command("payments")
@_common
@click.option("--from", "date_from", type=DATE, help="Received on or after this UTC day (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Received on or before this UTC day (YYYY-MM-DD).")
def export_payments(
    output: Path | None,
    fmt_option: str | None,
    creditor_code: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> None:
    """Payments received, with their method, references and reversal."""
    _run(
        kind="payments",
        fmt_option=fmt_option,
        output=output,
        creditor_code=creditor_code,
        date_from=date_from,
        date_to=date_to,
    )


@export.command("activities")
@_common
@click.option("--from", "date_from", type=DATE, help="Happened on or after this UTC day (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Happened on or before this UTC day (YYYY-MM-DD).")
def export_activities(
    output: Path | None,
    fmt_option: str | None,
    creditor_code: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> None:
    """The accounts' audit trail: what happened, when, by whom, with the values after each change."""
    _run(
        kind="activities",
        fmt_option=fmt_option,
        output=output,
        creditor_code=creditor_code,
        date_from=date_from,
        date_to=date_to,
    )
