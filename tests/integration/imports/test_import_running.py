"""The import runner: a parser that runs ahead in a background thread may not touch the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from factories import CreditorFactory
from ledger_helpers import NOW
from recoup.imports.accounts_import import AccountsImporter
from recoup.imports.models import ImportJob
from recoup.imports.reading import Chunk, FileSettings, Problem
from recoup.imports.running import run_import
from recoup.parties.models import Creditor

pytestmark = pytest.mark.django_db


class QueryingParser(AccountsImporter):
    """Claims to parse without the database, then queries it: a query from the background thread
    would run outside the import's transaction."""

    def parse(self, chunk: Chunk) -> tuple[list[Any], list[Problem]]:
        Creditor.objects.count()
        return super().parse(chunk)


def test_a_parser_running_ahead_that_queries_is_stopped_and_nothing_is_written(tmp_path: Path) -> None:
    creditor = CreditorFactory(code="lnb")
    path = tmp_path / "placement.csv"
    path.write_text(
        "account_reference,product_type,opened_date,principal,family_name\nA-1,other,2024-01-01,10.00,Doe\n",
        encoding="utf-8",
    )
    importer = QueryingParser(creditor=creditor, settings=FileSettings(), now=NOW, actor=None)
    with pytest.raises(RuntimeError, match="ran a query in the background thread"):
        run_import(importer, path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None)
    assert not ImportJob.objects.exists()
