"""The imports page: upload, the import running in the background with progress, outcome and rejects."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recoup.accounts.models import Account
from recoup.imports.models import ImportJob
from recoup.imports.uploads import UploadProgress, progress_of
from recoup.users.roles import Role
from web_data import WebData

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def finished(token: str) -> UploadProgress:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        progress = progress_of(token)
        if progress is not None and progress.finished:
            return progress
        time.sleep(0.1)
    raise AssertionError(f"import {token} did not finish")


def upload(client: object, name: str, content: bytes, **fields: object) -> str:
    response = client.post(  # type: ignore[attr-defined]
        "/imports/", {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **fields}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"]).rstrip("/").rsplit("/", 1)[-1]


def test_only_managers_and_admins_may_import(web: WebData) -> None:
    assert web.client(web.user("olive", Role.OFFICER)).get("/imports/").status_code == 403
    page = web.client(web.user("mona", Role.MANAGER)).get("/imports/")
    assert page.status_code == 200
    assert "Import a file" in page.content.decode()


def test_the_auditor_reads_imports_and_mappings_and_changes_nothing(web: WebData) -> None:
    """Issue 20: the auditor reads everything, the imports pages included, but uploads and edits nothing."""
    from recoup.imports.models import ColumnMapping

    creditor = web.creditor("lnb")
    manager = web.client(web.user("mona", Role.MANAGER))
    bad = b"account_reference,product_type,opened_date,principal,family_name,time_zone\nA-1,boat,2024-01-01,5,Lee,UTC\n"
    token = upload(manager, "bad.csv", bad, kind="accounts", creditor=creditor.pk)
    job_id = finished(token).job_id
    mapping = {"name": "Kontoexport", "encoding": "utf-8", "delimiter": ";", "decimal_separator": ","}
    mapping |= {"thousands_separator": "", "date_format": "%d.%m.%Y", "column_amount": "Betrag"}
    assert manager.post("/imports/mappings/new/payments/", mapping).status_code == 302
    saved = ColumnMapping.objects.get()

    auditor = web.client(web.user("audrey", Role.AUDITOR))
    listing = auditor.get("/imports/")
    assert listing.status_code == 200
    assert "bad.csv" in listing.content.decode()
    assert "Import a file" not in listing.content.decode()  # no upload form to fill in for nothing
    assert auditor.get(f"/imports/progress/{token}/").status_code == 200
    rejects = auditor.get(f"/imports/{job_id}/rejects/")
    assert rejects.status_code == 200
    assert b"product_type" in b"".join(rejects.streaming_content)  # type: ignore[attr-defined]
    mappings = auditor.get("/imports/mappings/")
    assert mappings.status_code == 200
    assert "Kontoexport" in mappings.content.decode()
    assert "/imports/mappings/new/" not in mappings.content.decode()

    csv = SimpleUploadedFile("accounts.csv", (EXAMPLES / "accounts.csv").read_bytes(), content_type="text/csv")
    refused = auditor.post("/imports/", {"file": csv, "kind": "accounts", "creditor": creditor.pk})
    assert refused.status_code == 403
    assert auditor.post("/imports/mappings/", {}).status_code == 405  # a list: nothing to post to
    assert auditor.get("/imports/mappings/new/payments/").status_code == 403
    assert auditor.post("/imports/mappings/new/payments/", mapping | {"name": "Other"}).status_code == 403
    assert auditor.post(f"/imports/mappings/payments/{saved.pk}/", mapping | {"name": "Renamed"}).status_code == 403
    assert ImportJob.objects.count() == 1
    assert list(ColumnMapping.objects.values_list("name", flat=True)) == ["Kontoexport"]


def test_a_placement_file_is_imported_in_the_background_and_the_page_shows_the_outcome(web: WebData) -> None:
    creditor = web.creditor("demo-us-card", "Lakeshore National Bank")
    manager = web.client(web.user("mona", Role.MANAGER))
    token = upload(
        manager, "accounts.csv", (EXAMPLES / "accounts.csv").read_bytes(), kind="accounts", creditor=creditor.pk
    )
    progress = finished(token)
    assert progress.state == "succeeded", progress.message
    assert progress.summary["created"] == 5
    assert Account.objects.filter(creditor=creditor).count() == 5
    page = manager.get(f"/imports/progress/{token}/").content.decode()
    assert "Imported (import" in page
    assert "hx-trigger" not in page  # finished: the page stops asking
    listing = manager.get("/imports/").content.decode()
    assert "accounts.csv" in listing
    assert ImportJob.objects.get().requested_by is not None


def test_a_refused_file_lists_its_rows_and_offers_the_rejects(web: WebData) -> None:
    creditor = web.creditor("lnb")
    manager = web.client(web.user("mona", Role.MANAGER))
    bad = b"account_reference,product_type,opened_date,principal,family_name,time_zone\nA-1,boat,2024-01-01,5,Lee,UTC\n"
    token = upload(manager, "bad.csv", bad, kind="accounts", creditor=creditor.pk)
    progress = finished(token)
    assert progress.state == "refused"
    assert progress.problems == [
        "row 2: product_type: 'boat' is not one of credit_card, personal_loan, utility, medical, b2b_invoice, other"
    ]
    page = manager.get(f"/imports/progress/{token}/").content.decode()
    assert "Refused" in page
    rejects = manager.get(f"/imports/{progress.job_id}/rejects/")
    assert rejects.status_code == 200
    body = b"".join(rejects.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.splitlines()[1].startswith("2,product_type,")
    assert not Account.objects.exists()


def test_a_placement_needs_its_creditor(web: WebData) -> None:
    manager = web.client(web.user("mona", Role.MANAGER))
    response = manager.post(
        "/imports/", {"kind": "accounts", "file": SimpleUploadedFile("a.csv", b"x", content_type="text/csv")}
    )
    assert response.status_code == 400
    assert "Choose the creditor whose accounts the file is about." in response.content.decode()


def test_a_party_file_is_imported_from_the_page_after_its_accounts(web: WebData) -> None:
    from recoup.accounts.models import AccountDebtor

    creditor = web.creditor("demo-us-card", "Lakeshore National Bank")
    manager = web.client(web.user("mona", Role.MANAGER))
    placed = upload(
        manager, "accounts.csv", (EXAMPLES / "accounts.csv").read_bytes(), kind="accounts", creditor=creditor.pk
    )
    assert finished(placed).state == "succeeded"
    token = upload(
        manager, "parties.csv", (EXAMPLES / "parties.csv").read_bytes(), kind="parties", creditor=creditor.pk
    )
    progress = finished(token)
    assert progress.state == "succeeded", progress.message
    assert progress.summary["created"] == 2
    assert set(AccountDebtor.objects.exclude(role="primary").values_list("role", flat=True)) == {
        "co_debtor",
        "guarantor",
    }
    response = manager.post(
        "/imports/",
        {
            "file": SimpleUploadedFile("parties.csv", (EXAMPLES / "parties.csv").read_bytes(), content_type="text/csv"),
            "kind": "parties",
        },
    )
    assert "Choose the creditor whose accounts the file is about." in response.content.decode()


def published_while(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Every (state, rows, total) the imports page could have shown, in order."""
    from recoup.imports import uploads

    seen: list[tuple[str, int, int]] = []
    publish = uploads._publish

    def recording(progress: UploadProgress) -> None:
        seen.append((progress.state, progress.rows, progress.total))
        publish(progress)

    monkeypatch.setattr(uploads, "_publish", recording)
    return seen


def test_a_statement_upload_shows_lines_processed_of_its_lines_as_it_goes(
    web: WebData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from ledger_helpers import owing
    from recoup.accounts.models import Payment
    from recoup.imports.bank import STATEMENT_BATCH

    creditor = web.creditor("lnb", "Lakeshore National Bank")
    owing(web.account(creditor=creditor, reference="A-1"), principal="100000.00")
    lines = 2 * STATEMENT_BATCH + 500
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    content = "booked_on,amount,currency,counterparty,reference,bank_reference\n" + "".join(
        f"{day},1.00,USD,PAYER {n},{'ACCT A-1' if n % 2 else 'no reference'},B-{n}\n" for n in range(lines)
    )
    seen = published_while(monkeypatch)
    manager = web.client(web.user("mona", Role.MANAGER))
    progress = finished(upload(manager, "statement.csv", content.encode(), kind="bank_statement"))
    assert progress.state == "succeeded", progress.message

    running = [(rows, total) for state, rows, total in seen if state == "running" and total]
    assert running == [(0, lines), (STATEMENT_BATCH, lines), (2 * STATEMENT_BATCH, lines), (lines, lines)]
    assert (progress.rows, progress.total) == (lines, lines)
    assert progress.summary["posted"] == lines // 2 == Payment.objects.count()


def test_a_placement_upload_counts_its_rows_first_so_the_bar_ends_at_the_file_end(
    web: WebData, monkeypatch: pytest.MonkeyPatch
) -> None:
    creditor = web.creditor("demo-us-card", "Lakeshore National Bank")
    seen = published_while(monkeypatch)
    manager = web.client(web.user("mona", Role.MANAGER))
    content = (EXAMPLES / "accounts.csv").read_bytes() + b"\n\n"  # blank lines are not rows
    progress = finished(upload(manager, "accounts.csv", content, kind="accounts", creditor=creditor.pk))
    assert progress.state == "succeeded", progress.message

    assert ("running", 0, 5) in seen  # the end is known before the first row is read
    assert all(rows <= total for state, rows, total in seen if state == "running" and total)
    assert (progress.rows, progress.total, progress.summary["created"]) == (5, 5, 5)


def test_the_progress_bar_is_a_real_fraction_or_honestly_indeterminate(web: WebData) -> None:
    from recoup.imports.uploads import _publish

    manager = web.client(web.user("mona", Role.MANAGER))
    _publish(UploadProgress("t-rows", "accounts", "a.csv", 1, state="running", rows=20_000, total=80_000))
    _publish(UploadProgress("t-lines", "bank_statement", "s.xml", 1, state="running", rows=1_000, total=2_500))
    _publish(UploadProgress("t-counting", "accounts", "b.csv", 1, state="running"))

    rows = manager.get("/imports/progress/t-rows/", headers={"HX-Request": "true"}).content.decode()
    assert "20,000 of 80,000 rows read so far" in rows
    assert 'value="20000" max="80000"' in rows
    lines = manager.get("/imports/progress/t-lines/", headers={"HX-Request": "true"}).content.decode()
    assert "1,000 of 2,500 lines processed so far" in lines
    assert 'value="1000" max="2500"' in lines
    counting = manager.get("/imports/progress/t-counting/", headers={"HX-Request": "true"}).content.decode()
    assert "<progress" in counting
    assert "value=" not in counting  # no end known yet: an indeterminate bar, not a made-up one
