"""Bank statements exported as CSV, read with a column mapping into the same Statement the CAMT.053,
MT940 and OFX parsers give (see statements.py), so matching and posting are the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recoup.core.money import Money, MoneyError, minor_units, validate_currency
from recoup.imports.formats import BANK_CSV_COLUMNS
from recoup.imports.reading import (
    FileProblem,
    FileSettings,
    Problem,
    parse_amounts,
    parse_dates,
    parse_text,
    read_chunks,
    text,
)
from recoup.imports.statements import Statement, StatementError, statement_from_lines

SHOWN_PROBLEMS = 5


def parse_csv_statement(path: Path, settings: FileSettings) -> Statement:
    """Read a CSV statement; any bad row stops it (a statement is posted whole or not at all).

    Raises StatementError naming the first bad rows and columns, or the whole-file problem.
    """
    problems: list[Problem] = []
    lines: list[tuple[Any, ...]] = []
    accounts: set[str] = set()
    currencies: set[str] = set()
    try:
        for chunk in read_chunks(
            path,
            settings,
            known=[c.name for c in BANK_CSV_COLUMNS],
            required=[c.name for c in BANK_CSV_COLUMNS if c.required],
        ):
            rows = chunk.rows

            def column(name: str, count: int = len(rows), values: dict[str, list[Any]] = chunk.values) -> list[Any]:
                return values.get(name) or [None] * count

            booked = parse_dates("booked_on", rows, column("booked_on"), problems, settings, required=True)
            valued = parse_dates("value_date", rows, column("value_date"), problems, settings)
            names = parse_text(
                "counterparty", rows, column("counterparty"), problems, max_length=200, formula_check=False
            )
            references = parse_text(
                "reference", rows, column("reference"), problems, max_length=500, formula_check=False
            )
            bank_references = parse_text(
                "bank_reference", rows, column("bank_reference"), problems, max_length=100, formula_check=False
            )
            account_values = [text(v) for v in column("account")]
            codes = [text(v).upper() for v in column("currency")]
            for row, code in zip(rows, codes, strict=True):
                try:
                    validate_currency(code)
                except MoneyError:
                    problems.append(Problem(row, "currency", code, "is not an ISO 4217 currency code"))
            places = [minor_units(c) if len(c) == 3 and c.isalpha() else 2 for c in codes]
            amounts = [0] * len(rows)
            raw_amounts = column("amount")
            for digits in set(places):
                indexes = [i for i, p in enumerate(places) if p == digits]
                parsed = parse_amounts(
                    "amount",
                    [rows[i] for i in indexes],
                    [raw_amounts[i] for i in indexes],
                    problems,
                    settings,
                    places=digits,
                    allow_negative=True,
                    required=True,
                )
                for i, minor in zip(indexes, parsed, strict=True):
                    amounts[i] = minor
            bad = {p.row for p in problems}
            for i, row in enumerate(rows):
                if row in bad:
                    continue
                day = booked[i]
                assert day is not None
                accounts.add(account_values[i])
                currencies.add(codes[i])
                lines.append(
                    (
                        row,
                        day,
                        valued[i],
                        Money.from_minor(amounts[i], codes[i]),
                        names[i],
                        references[i],
                        bank_references[i],
                    )
                )
    except FileProblem as exc:
        raise StatementError("file", "csv", str(exc)) from None
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        shown = "; ".join(str(p) for p in problems[1:SHOWN_PROBLEMS])
        raise StatementError(
            f"row {first.row}", first.column, f"'{first.value}' {first.reason}{more}{'; ' + shown if shown else ''}"
        )
    if not lines:
        raise StatementError("file", "rows", "the statement has no lines")
    if len(accounts) > 1:
        raise StatementError("file", "account", f"the file holds {len(accounts)} accounts; export one per file")
    if len(currencies) > 1:
        raise StatementError("file", "currency", f"the file mixes {', '.join(sorted(currencies))}; one per file")
    account = next(iter(accounts)) or path.stem
    return statement_from_lines("csv", account, next(iter(currencies)), lines)
