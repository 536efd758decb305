"""`recoup import accounts|invoices|payments FILE` and `recoup import mapping save|list`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django

DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", ",": ",", ";": ";", "|": "|"}


def _ready() -> None:
    setup_django()
    ensure_database_reachable()
    ensure_migrated()


def _creditor(code: str | None, *, required: bool) -> Any:
    from recoup.parties.models import Creditor

    if not code:
        if required:
            raise OperatorError("--creditor: which creditor's file is this? (give its code)")
        return None
    creditor = Creditor.objects.filter(code=code).first()
    if creditor is None:
        known = ", ".join(Creditor.objects.order_by("code").values_list("code", flat=True)) or "none yet"
        raise OperatorError(f"--creditor: no creditor with code '{code}' (creditors: {known})")
    return creditor


def file_options(function: Any) -> Any:
    """Options that say how to read a file, overriding a saved mapping's."""
    options = [
        click.option(
            "--mapping",
            "mapping_name",
            help="A saved column mapping for this kind of file: the creditor's own, else one for any creditor.",
        ),
        click.option("--encoding", type=click.Choice(["utf-8", "latin-1", "cp1252"]), help="Default utf-8."),
        click.option("--delimiter", type=click.Choice(sorted(DELIMITER_NAMES)), help="Default comma."),
        click.option("--decimal", "decimal_separator", type=click.Choice([".", ","]), help="Default '.'."),
        click.option("--thousands", "thousands_separator", help="Thousands separator, e.g. '.' or ' '; default none."),
        click.option("--date-format", help="e.g. %d/%m/%Y; default %Y-%m-%d."),
        click.option(
            "--column",
            "columns",
            multiple=True,
            metavar="OURS=THEIRS",
            help="Our column name and the header in the file, e.g. --column account_reference=AcctNo (repeatable).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _settings(kind: str, creditor: Any, mapping_name: str | None, overrides: dict[str, Any]) -> tuple[Any, Any]:
    from recoup.imports.mappings import settings_for
    from recoup.imports.reading import FileProblem

    columns: dict[str, str] = {}
    for pair in overrides.pop("columns", ()) or ():
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise OperatorError(f"--column: '{pair}' should be OURS=THEIRS, e.g. account_reference=AcctNo")
        columns[ours.strip()] = theirs.strip()
    if overrides.get("delimiter"):
        overrides["delimiter"] = DELIMITER_NAMES[overrides["delimiter"]]
    try:
        return settings_for(
            kind=kind,
            creditor=_mapping_owner(kind, creditor, mapping_name),
            mapping_name=mapping_name,
            overrides=overrides,
            columns=columns,
        )
    except (FileProblem, LookupError) as exc:
        raise OperatorError(str(exc)) from None


def _mapping_owner(kind: str, creditor: Any, mapping_name: str | None) -> Any:
    """Whose mapping `--mapping NAME` means: the creditor's own of that name, else the one for any creditor.

    Raises OperatorError naming the mappings there are when neither exists.
    """
    from django.db.models import Q

    from recoup.imports.models import ColumnMapping

    if not mapping_name:
        return creditor
    same_name = ColumnMapping.objects.filter(kind=kind, name=mapping_name)
    if creditor is None or same_name.filter(creditor=creditor).exists():
        return creditor  # settings_for names what there is if it does not exist
    if same_name.filter(creditor=None).exists():
        return None
    usable = ColumnMapping.objects.filter(kind=kind).filter(Q(creditor=creditor) | Q(creditor=None))
    known = ", ".join(
        f"{m.name}{'' if m.creditor_id else ' (any creditor)'}"
        for m in sorted(usable, key=lambda m: (m.name, m.creditor_id is None))
    )
    raise OperatorError(
        f"--mapping: no {kind} mapping named '{mapping_name}' for {creditor.code} or for any creditor"
        f" (saved: {known or 'none'})"
    )


def _report(outcome: Any, what: str) -> None:
    summary = outcome.summary()
    click.echo(
        f"Imported {summary['rows']:,} rows of {what}: {summary['created']:,} created, {summary['updated']:,} updated, "
        f"{summary['unchanged']:,} unchanged, {summary['rejected']:,} rejected (import {outcome.job_id})."
    )
    if outcome.rejects_path:
        click.echo(f"Rejected rows with their reasons: {outcome.rejects_path}")
        for problem in outcome.problems[:10]:
            click.echo(f"  {problem}")


def _refused(exc: Any) -> None:
    outcome = exc.outcome
    click.echo(
        f"Refused: {outcome.rejected:,} of {outcome.rows:,} rows have problems, so nothing was written"
        f" (import {outcome.job_id}; use --accept-valid to import the good rows).",
        err=True,
    )
    for problem in outcome.problems[:20]:
        click.echo(f"  {problem}", err=True)
    if outcome.problem_count > 20:
        click.echo(f"  ... and {outcome.problem_count - 20:,} more", err=True)
    click.echo(f"Every problem, with the rejected rows: {outcome.rejects_path}", err=True)
    sys.exit(1)


@click.group("import")
def import_group() -> None:
    """Import account placements, invoices and payments from CSV or Excel files."""


@import_group.command("accounts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--creditor", "creditor_code", required=True, help="The creditor placing these accounts (its code).")
@click.option("--accept-valid", is_flag=True, help="Import the good rows and write the bad ones to a rejects file.")
@file_options
def import_accounts_command(
    file: Path, creditor_code: str, accept_valid: bool, mapping_name: str | None, **overrides: Any
) -> None:
    """Debtors, contact points, accounts and balances from a placement file (see docs/import-formats.md).

    All or nothing by default: one bad row and nothing is written, with every problem listed by row
    and column. Importing the same file again changes nothing; a changed balance becomes an adjustment.
    """
    _ready()
    from recoup.imports.accounts_import import import_accounts

    creditor = _creditor(creditor_code, required=True)
    click.echo(f"Importing {file.name} for {creditor.name}...")
    _run_file_import(import_accounts, "accounts", file, creditor, accept_valid, mapping_name, overrides)


@import_group.command("parties")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--creditor", "creditor_code", required=True, help="The creditor whose accounts these are (its code).")
@click.option("--accept-valid", is_flag=True, help="Import the good rows and write the bad ones to a rejects file.")
@file_options
def import_parties_command(
    file: Path, creditor_code: str, accept_valid: bool, mapping_name: str | None, **overrides: Any
) -> None:
    """Co-debtors and guarantors of accounts already placed, one row per party (see docs/import-formats.md).

    All or nothing by default. Importing the same file again changes nothing; changed details are
    updated and audited; a file never removes a party.
    """
    _ready()
    from recoup.imports.parties_import import import_parties

    creditor = _creditor(creditor_code, required=True)
    click.echo(f"Importing co-debtors and guarantors from {file.name} for {creditor.name}...")
    _run_file_import(import_parties, "parties", file, creditor, accept_valid, mapping_name, overrides)


@import_group.command("invoices")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--creditor", "creditor_code", required=True, help="The creditor whose accounts these are (its code).")
@click.option("--accept-valid", is_flag=True, help="Import the good rows and write the bad ones to a rejects file.")
@file_options
def import_invoices_command(
    file: Path, creditor_code: str, accept_valid: bool, mapping_name: str | None, **overrides: Any
) -> None:
    """B2B invoices, one row per invoice, as open items of accounts already placed (see docs/import-formats.md).

    All or nothing by default: one bad row and nothing is written, with every problem listed by row
    and column. Importing the same file again changes nothing; a changed amount becomes an adjustment.
    """
    _ready()
    from recoup.imports.invoices_import import import_invoices

    creditor = _creditor(creditor_code, required=True)
    click.echo(f"Importing invoices from {file.name} for {creditor.name}...")
    _run_file_import(import_invoices, "invoices", file, creditor, accept_valid, mapping_name, overrides)


@import_group.command("payments")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--creditor", "creditor_code", help="The creditor whose accounts these are, if the file has no creditor column."
)
@click.option("--accept-valid", is_flag=True, help="Post the good rows and write the bad ones to a rejects file.")
@file_options
def import_payments_command(
    file: Path, creditor_code: str | None, accept_valid: bool, mapping_name: str | None, **overrides: Any
) -> None:
    """Payments to post against accounts, allocated by each creditor's waterfall.

    Each row's payment_reference makes it idempotent: importing the same file twice posts nothing twice.
    """
    _ready()
    from recoup.imports.payments_import import import_payments

    creditor = _creditor(creditor_code, required=False)
    click.echo(f"Importing payments from {file.name}...")
    _run_file_import(import_payments, "payments", file, creditor, accept_valid, mapping_name, overrides)


def _run_file_import(
    importer: Any,
    kind: str,
    file: Path,
    creditor: Any,
    accept_valid: bool,
    mapping_name: str | None,
    overrides: dict[str, Any],
) -> None:
    """Run a row-file import (placements, invoices or payments) and report it as an operator reads it."""
    from django.utils import timezone

    from recoup.imports.reading import FileProblem
    from recoup.imports.running import ImportRefused

    settings, _ = _settings(kind, creditor, mapping_name, overrides)
    try:
        outcome = importer(
            path=file,
            creditor=creditor,
            settings=settings,
            now=timezone.now(),
            actor=None,
            accept_valid=accept_valid,
            progress=_progress,
        )
    except FileProblem as exc:
        raise OperatorError(f"{file.name}: {exc}") from None
    except ImportRefused as exc:
        _refused(exc)
        return
    _report(outcome, kind)


@import_group.command("bank-statement")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--creditor", "creditor_code", help="Match only this creditor's accounts (a client account).")
@file_options
def import_bank_statement_command(
    file: Path, creditor_code: str | None, mapping_name: str | None, **overrides: Any
) -> None:
    """A bank statement (CAMT.053, MT940, OFX or CSV): credits matched to accounts, sure matches posted.

    Credits that name exactly one account's reference are posted; the rest wait on the unmatched
    payments page. Importing the same statement twice posts nothing twice.
    """
    _ready()
    from django.utils import timezone

    from recoup.imports.bank import import_bank_statement
    from recoup.imports.statements import StatementError

    creditor = _creditor(creditor_code, required=False)
    settings, _ = _settings("bank_statement", creditor, mapping_name, overrides)
    try:
        outcome = import_bank_statement(
            path=file,
            now=timezone.now(),
            actor=None,
            creditor=creditor,
            settings=settings,
            progress=_statement_progress,
        )
    except StatementError as exc:
        raise OperatorError(f"{file.name}: {exc}") from None
    s = outcome.summary()
    named = " ".join(filter(None, [outcome.statement.format, "statement", outcome.statement.statement_id]))
    click.echo(
        f"Read {s['lines']:,} lines of {named}"
        f" for {outcome.statement.account}: {s['posted']:,} payments posted, {s['unmatched']:,} waiting to be"
        f" matched, {s['not_credits']:,} money out, {s['already_imported']:,} already imported"
        f" (import {outcome.job_id})."
    )


def _progress(rows: int) -> None:
    click.echo(f"  {rows:,} rows read", err=True)


def _statement_progress(done: int, total: int) -> None:
    if done:
        click.echo(f"  {done:,} of {total:,} lines processed", err=True)


@import_group.group("mapping")
def mapping_group() -> None:
    """Saved column mappings: how to read one sender's files."""


@mapping_group.command("save")
@click.argument("name")
@click.option(
    "--kind", type=click.Choice(["accounts", "parties", "invoices", "payments", "bank_statement"]), required=True
)
@click.option("--creditor", "creditor_code", help="The creditor the mapping is for (none: any creditor).")
@file_options
def mapping_save(name: str, kind: str, creditor_code: str | None, mapping_name: str | None, **overrides: Any) -> None:
    """Save (or replace) how files of this kind from this creditor are read."""
    _ready()
    from django.utils import timezone

    from recoup.imports.mappings import save_mapping

    creditor = _creditor(creditor_code, required=False)
    settings, _ = _settings(kind, creditor, mapping_name, overrides)
    mapping = save_mapping(name=name, kind=kind, creditor=creditor, settings=settings, now=timezone.now(), actor=None)
    click.echo(f"Saved mapping '{mapping.name}' for {kind} files{f' of {creditor.code}' if creditor else ''}.")


@mapping_group.command("list")
def mapping_list() -> None:
    """The saved mappings."""
    _ready()
    from recoup.imports.models import ColumnMapping

    mappings = ColumnMapping.objects.select_related("creditor").order_by("kind", "name")
    if not mappings:
        click.echo("No saved mappings.")
    for m in mappings:
        columns = ", ".join(f"{ours}={theirs}" for ours, theirs in sorted(m.columns.items())) or "our headers"
        click.echo(
            f"{m.kind:<9} {m.name:<20} {m.creditor.code if m.creditor else '(any)':<10} {m.encoding}, "
            f"delimiter {m.delimiter!r}, decimal {m.decimal_separator!r}, thousands {m.thousands_separator!r}, "
            f"dates {m.date_format}; columns: {columns}"
        )
