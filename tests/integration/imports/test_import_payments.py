"""Importing payment files: posted through the payment service, idempotent by payment reference."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, owing, usd
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, Payment
from recoup.cli.main import cli
from recoup.core.ledger import Component
from recoup.imports.models import ColumnMapping
from recoup.imports.payments_import import import_payments
from recoup.imports.reading import FileSettings
from recoup.imports.running import ImportRefused
from recoup.parties.models import Creditor

pytestmark = pytest.mark.django_db

HEADER = ["account_reference", "amount", "received_date", "method", "payment_reference"]


@pytest.fixture
def accounts() -> tuple[Creditor, Account]:
    creditor = CreditorFactory(code="lnb")
    return creditor, owing(AccountFactory(creditor=creditor, reference="P-1"), principal="300.00", fees="20.00")


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_payments_post_by_the_waterfall_and_a_second_import_posts_nothing(
    accounts: tuple[Creditor, Account], tmp_path: Path
) -> None:
    creditor, account = accounts
    path = write(
        tmp_path / "payments.csv",
        [["P-1", "50.00", "2026-11-02", "card", "R-1"], ["P-1", "25.00", "2026-11-03", "cheque", "R-2"]],
    )
    first = import_payments(path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None)
    second = import_payments(path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None)
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    account.refresh_from_db()
    assert account.balances[Component.FEES] == usd("0.00")
    assert account.balances[Component.PRINCIPAL] == usd("245.00")
    assert list(Payment.objects.values_list("external_reference", flat=True).order_by("id")) == ["R-1", "R-2"]
    assert verify_ledger().ok


def test_bad_rows_are_refused_with_row_and_column_and_nothing_is_posted(
    accounts: tuple[Creditor, Account], tmp_path: Path
) -> None:
    creditor, _ = accounts
    path = write(
        tmp_path / "payments.csv",
        [
            ["P-1", "50.00", "2026-11-02", "card", "R-1"],
            ["NOPE", "5.00", "2026-11-02", "card", "R-2"],
            ["P-1", "0", "2026-11-02", "card", "R-3"],
            ["P-1", "5.00", "2026-12-25", "card", "R-4"],
            ["P-1", "5.00", "2026-11-02", "card", "R-1"],
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_payments(path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None)
    found = [str(p) for p in refused.value.outcome.problems]
    assert "row 3: account_reference: 'NOPE' is not an account of lnb" in found
    assert "row 4: amount: '0' must be more than zero" in found
    assert "row 5: received_date: '2026-12-25' is after 2026-11-20" in found
    assert "row 6: payment_reference: 'R-1' appears again (first on row 2)" in found
    assert not Payment.objects.exists()


def test_the_command_line_uses_a_saved_mapping(accounts: tuple[Creditor, Account], tmp_path: Path) -> None:
    runner = CliRunner()
    saved = runner.invoke(
        cli,
        [
            "import",
            "mapping",
            "save",
            "bank-export",
            "--kind",
            "payments",
            "--creditor",
            "lnb",
            "--delimiter",
            "semicolon",
            "--decimal",
            ",",
            "--date-format",
            "%d/%m/%Y",
            "--column",
            "account_reference=Konto",
            "--column",
            "amount=Betrag",
            "--column",
            "payment_reference=Ref",
        ],
        catch_exceptions=False,
    )
    assert saved.exit_code == 0, saved.output
    assert ColumnMapping.objects.get().columns["amount"] == "Betrag"
    path = write(
        tmp_path / "export.csv",
        [["P-1", "12,50", "02/11/2026", "bank_transfer", "B-77"]],
        header=["Konto", "Betrag", "received_date", "method", "Ref"],
        delimiter=";",
    )
    result = runner.invoke(
        cli, ["import", "payments", str(path), "--creditor", "lnb", "--mapping", "bank-export"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    assert Payment.objects.get().amount_minor == 1250


def test_the_command_line_reports_a_refused_file_and_exits_non_zero(
    accounts: tuple[Creditor, Account], tmp_path: Path
) -> None:
    path = write(tmp_path / "payments.csv", [["P-1", "abc", "2026-11-02", "card", "R-1"]])
    result = CliRunner().invoke(cli, ["import", "payments", str(path), "--creditor", "lnb"])
    assert result.exit_code == 1
    assert "row 2: amount: 'abc' is not an amount" in result.output
    assert "nothing was written" in result.output


def test_the_import_formats_document_lists_every_column() -> None:
    from recoup.imports.formats import (
        ACCOUNT_COLUMNS,
        BANK_CSV_COLUMNS,
        INVOICE_COLUMNS,
        PARTY_COLUMNS,
        PAYMENT_COLUMNS,
    )

    document = (Path(__file__).resolve().parents[3] / "docs" / "import-formats.md").read_text(encoding="utf-8")
    for column in [*ACCOUNT_COLUMNS, *PARTY_COLUMNS, *INVOICE_COLUMNS, *PAYMENT_COLUMNS, *BANK_CSV_COLUMNS]:
        required = "yes" if column.required else "no"
        assert f"| `{column.name}` | {column.type} | {required} |" in document, column.name


def test_the_command_line_finds_a_mapping_saved_for_any_creditor_and_prefers_the_creditors_own(
    accounts: tuple[Creditor, Account], tmp_path: Path
) -> None:
    from click.testing import Result

    runner = CliRunner()

    def save(*options: str) -> None:
        saved = runner.invoke(
            cli,
            ["import", "mapping", "save", "bank-export", "--kind", "payments", "--delimiter", "semicolon", *options],
            catch_exceptions=False,
        )
        assert saved.exit_code == 0, saved.output

    def import_file(name: str, amount_header: str, reference: str, mapping: str = "bank-export") -> Result:
        path = write(
            tmp_path / name,
            [["P-1", "12,50", "02/11/2026", "card", reference]],
            header=["account_reference", amount_header, "received_date", "method", "payment_reference"],
            delimiter=";",
        )
        return runner.invoke(cli, ["import", "payments", str(path), "--creditor", "lnb", "--mapping", mapping])

    save("--decimal", ",", "--date-format", "%d/%m/%Y", "--column", "amount=Betrag")  # for any creditor
    result = import_file("any.csv", "Betrag", "B-1")
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    assert Payment.objects.get(external_reference="B-1").amount_minor == 1250

    save("--creditor", "lnb", "--decimal", ",", "--date-format", "%d/%m/%Y", "--column", "amount=Summe")
    result = import_file("own.csv", "Summe", "B-2")  # lnb's own mapping of that name is the one used
    assert result.exit_code == 0, result.output
    assert Payment.objects.get(external_reference="B-2").amount_minor == 1250
    refused = import_file("any-again.csv", "Betrag", "B-3")  # not the any-creditor one, now lnb has its own
    assert refused.exit_code != 0
    assert "amount (as 'Summe')" in refused.output

    unknown = import_file("unknown.csv", "Summe", "B-4", mapping="nope")
    assert unknown.exit_code != 0
    assert (
        "--mapping: no payments mapping named 'nope' for lnb or for any creditor"
        " (saved: bank-export, bank-export (any creditor))"
    ) in unknown.output
    assert not Payment.objects.filter(external_reference__in=["B-3", "B-4"]).exists()
