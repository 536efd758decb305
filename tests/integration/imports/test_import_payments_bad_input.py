"""Payment files with bad input: every bad value named by row and column, and nothing posted."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from test_import_payments import HEADER, write
from test_import_payments import accounts as accounts  # the fixture

from ledger_helpers import NOW
from recoup.accounts.models import Account, LedgerTransaction, Payment
from recoup.imports.models import ImportJob
from recoup.imports.payments_import import import_payments
from recoup.imports.reading import FileProblem, FileSettings
from recoup.imports.running import ImportOutcome, ImportRefused
from recoup.parties.models import Creditor

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"


def run(path: Path, creditor: Creditor, settings: FileSettings | None = None, **options: int) -> ImportOutcome:
    return import_payments(
        path=path, creditor=creditor, settings=settings or FileSettings(), now=NOW, actor=None, **options
    )


def refused(path: Path, creditor: Creditor, settings: FileSettings | None = None, **options: int) -> ImportOutcome:
    """The outcome of an all-or-nothing import that must be refused, having posted nothing."""
    transactions = LedgerTransaction.objects.count()
    with pytest.raises(ImportRefused) as caught:
        run(path, creditor, settings, **options)
    assert not Payment.objects.exists()
    assert LedgerTransaction.objects.count() == transactions  # only the fixture's charges
    assert ImportJob.objects.get(pk=caught.value.outcome.job_id).status == ImportJob.Status.REFUSED
    return caught.value.outcome


def test_every_bad_value_is_named_by_row_and_column_and_nothing_is_posted(
    accounts: tuple[Creditor, Account], tmp_path: Path
) -> None:
    creditor, account = accounts
    balance = account.balances
    path = write(
        tmp_path / "payments.csv",
        [
            ["P-1", "50.00", "2026-11-02", "card", "R-1", "USD"],
            ["P-1", "-5.00", "2026-11-02", "card", "R-2", "USD"],
            ["P-1", "ten", "2026-11-02", "card", "R-3", "USD"],
            ["P-1", "5.00", "2026-11-02", "card", "R-4", "XYZ"],
            ["P-1", "5.00", "2026-11-02", "card", FORMULA, "USD"],
            [FORMULA, "5.00", "2026-11-02", "card", "R-6", "USD"],
            ["P-9", "5.00", "2026-11-02", "card", "R-7", "USD"],
            ["P-1", "5.00", "2026-11-02", "card", "R-1", "USD"],
            ["P-1", "5.00", "2026-11-02", "gold bars", "R-9", "USD"],
        ],
        header=[*HEADER, "currency"],
    )
    outcome = refused(path, creditor)
    assert [str(p) for p in outcome.problems] == [
        "row 3: amount: '-5.00' is negative",
        "row 4: amount: 'ten' is not an amount",
        "row 5: currency: 'XYZ' is not an ISO 4217 currency code",
        f"row 6: payment_reference: '{FORMULA}' looks like a spreadsheet formula; refused",
        f"row 7: account_reference: '{FORMULA}' looks like a spreadsheet formula; refused",
        f"row 7: account_reference: '{FORMULA}' is not an account of lnb",
        "row 8: account_reference: 'P-9' is not an account of lnb",
        "row 9: payment_reference: 'R-1' appears again (first on row 2)",
        "row 10: method: 'gold bars' is not one of card, bank_transfer, direct_debit, cheque, cash, agency, other",
    ]
    assert outcome.rejected == 8
    account.refresh_from_db()
    assert account.balances == balance
    assert outcome.rejects_path is not None
    with outcome.rejects_path.open(newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [r["row"] for r in rejects] == ["3", "4", "5", "6", "7", "8", "9", "10"]
    assert rejects[3]["payment_reference"] == "'" + FORMULA  # never a live formula in the rejects file


def test_a_reference_repeated_in_a_later_chunk_is_still_caught(
    accounts: tuple[Creditor, Account], tmp_path: Path
) -> None:
    creditor, _ = accounts
    rows = [["P-1", "1.00", "2026-11-02", "card", f"R-{n}"] for n in range(1, 6)]
    path = write(tmp_path / "payments.csv", [*rows, ["P-1", "2.00", "2026-11-03", "card", "R-2"]])
    outcome = refused(path, creditor, chunk_size=2)
    assert [str(p) for p in outcome.problems] == ["row 7: payment_reference: 'R-2' appears again (first on row 3)"]


def test_numbers_and_dates_are_read_only_in_the_mappings_format(
    accounts: tuple[Creditor, Account], tmp_path: Path
) -> None:
    creditor, _ = accounts
    path = write(
        tmp_path / "payments.csv",
        [
            ["P-1", "12.50", "02/11/2026", "card", "R-1"],  # the mapping says 12,50
            ["P-1", "1.234,5", "31/02/2026", "card", "R-2"],
            ["P-1", "5,00", "11/02/2026x", "card", "R-3"],
        ],
        delimiter=";",
    )
    settings = FileSettings(delimiter=";", decimal_separator=",", thousands_separator=".", date_format="%d/%m/%Y")
    outcome = refused(path, creditor, settings)
    assert [str(p) for p in outcome.problems] == [
        "row 2: amount: '12.50' is not an amount",
        "row 3: received_date: '31/02/2026' is not a real date (format DD/MM/YYYY)",
        "row 4: received_date: '11/02/2026x' is not a date (format DD/MM/YYYY)",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"P-1,5.00,2026-11-02,card,R-" + b"9" * 1_100_000 + b"\n",
            f"row 2: payment_reference: 'R-{'9' * 55}...' makes the line longer than 1,000,000 bytes;"
            " no row of an import file is that long (is this the right file?)",
        ),
        (
            b"P-1,5.00,2026-11-02,card,R-1\nP-1,5.00,2026-11-02,ch\xe8que,R-2\n",
            "row 3: method: 'ch\ufffdque' has byte 0xE8, which is not valid utf-8",
        ),
        (b"P-1,5.00,2026-11-02,card,R-1\nP-1,5.00,2026-11-0", "row 3: method: is missing"),
    ],
    ids=["huge-line", "mixed-encoding", "truncated"],
)
def test_an_unreadable_payments_file_is_refused_with_where_and_why(
    accounts: tuple[Creditor, Account], tmp_path: Path, content: bytes, message: str
) -> None:
    creditor, _ = accounts
    path = tmp_path / "payments.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + content)
    with pytest.raises(FileProblem, match=re.escape(message)) as problem:
        run(path, creditor)
    assert "placement" not in str(problem.value)  # a payments file is not called a placement file
    assert not Payment.objects.exists()  # not even row 2, which was fine
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def test_a_currency_other_than_the_accounts_is_refused(accounts: tuple[Creditor, Account], tmp_path: Path) -> None:
    creditor, _ = accounts
    path = write(
        tmp_path / "payments.csv", [["P-1", "5.00", "2026-11-02", "card", "R-1", "EUR"]], header=[*HEADER, "currency"]
    )
    outcome = refused(path, creditor)
    assert [str(p) for p in outcome.problems] == ["row 2: currency: EUR differs from account P-1's currency USD"]
