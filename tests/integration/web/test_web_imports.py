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
    assert web.client(web.user("ada", Role.AUDITOR)).get("/imports/").status_code == 403
    page = web.client(web.user("mona", Role.MANAGER)).get("/imports/")
    assert page.status_code == 200
    assert "Import a file" in page.content.decode()


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
