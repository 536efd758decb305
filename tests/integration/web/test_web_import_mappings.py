"""Saved column mappings from the Imports pages: create, use for an upload, rename, refuse nonsense."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recoup.audit.models import AuditEvent
from recoup.imports.models import ColumnMapping
from recoup.imports.uploads import progress_of
from recoup.users.roles import Role
from web_data import WebData

pytestmark = pytest.mark.django_db(transaction=True)


def mapping_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Kontoexport",
        "creditor": "",
        "encoding": "cp1252",
        "delimiter": ";",
        "decimal_separator": ",",
        "thousands_separator": ".",
        "date_format": "%d.%m.%Y",
        "column_account_reference": "Konto",
        "column_amount": "Betrag",
        "column_received_date": "Datum",
    }
    data.update(overrides)
    return data


def test_a_manager_saves_a_mapping_and_imports_a_file_with_it(web: WebData) -> None:
    creditor = web.creditor("lnb", "Lakeshore National Bank")
    account = web.account(creditor=creditor, reference="A-1")
    from ledger_helpers import owing

    owing(account, principal="100.00")
    manager = web.client(web.user("mona", Role.MANAGER))
    assert web.client(web.user("olive", Role.OFFICER)).get("/imports/mappings/").status_code == 403
    page = manager.get("/imports/mappings/new/payments/").content.decode()
    assert "Headers in the file" in page
    assert "payment_reference" in page
    response = manager.post("/imports/mappings/new/payments/", mapping_form(creditor=str(creditor.pk)))
    assert response.status_code == 302
    mapping = ColumnMapping.objects.get()
    assert (mapping.encoding, mapping.delimiter, mapping.columns["amount"]) == ("cp1252", ";", "Betrag")
    assert AuditEvent.objects.filter(name="imports.mapping.saved").count() == 1
    listing = manager.get("/imports/mappings/").content.decode()
    assert "Kontoexport" in listing
    assert "<code>Betrag</code> → amount" in listing

    content = "Konto;Betrag;Datum;method;payment_reference\nA-1;1.234,00;02.11.2026;card;K-1\n".encode("cp1252")
    token = (
        str(
            manager.post(
                "/imports/",
                {
                    "kind": "payments",
                    "creditor": creditor.pk,
                    "mapping": mapping.pk,
                    "file": SimpleUploadedFile("konto.csv", content, content_type="text/csv"),
                },
            )["Location"]
        )
        .rstrip("/")
        .rsplit("/", 1)[-1]
    )
    deadline = time.monotonic() + 30
    progress = progress_of(token)
    while progress is not None and not progress.finished and time.monotonic() < deadline:
        time.sleep(0.1)
        progress = progress_of(token)
    assert progress is not None
    assert progress.state == "succeeded", progress.message
    assert progress.summary["created"] == 1

    renamed = manager.post(f"/imports/mappings/payments/{mapping.pk}/", mapping_form(name="Core banking export"))
    assert renamed.status_code == 302
    assert ColumnMapping.objects.get().name == "Core banking export"


def test_a_mapping_that_makes_no_sense_is_refused_with_why(web: WebData) -> None:
    manager = web.client(web.user("mona", Role.MANAGER))
    response = manager.post("/imports/mappings/new/accounts/", mapping_form(decimal_separator=".", column_amount=""))
    assert response.status_code == 400
    assert "cannot be the same as the decimal separator" in response.content.decode()
    assert not ColumnMapping.objects.exists()


def test_an_upload_may_use_only_a_mapping_of_its_creditor_or_of_any_creditor(web: WebData) -> None:
    lakeshore = web.creditor("lnb", "Lakeshore National Bank")
    kestrel = web.creditor("kmc", "Kestrel Medical")
    manager = web.client(web.user("mona", Role.MANAGER))
    assert manager.post("/imports/mappings/new/payments/", mapping_form(creditor=str(lakeshore.pk))).status_code == 302
    assert manager.post("/imports/mappings/new/payments/", mapping_form(name="Any bank")).status_code == 302
    lakeshores = ColumnMapping.objects.get(name="Kontoexport")
    anyones = ColumnMapping.objects.get(name="Any bank")
    content = "Konto;Betrag;Datum;method;payment_reference\nA-1;12,00;02.11.2026;card;K-1\n".encode("cp1252")

    def upload(creditor: object, mapping: ColumnMapping) -> object:
        return manager.post(
            "/imports/",
            {
                "kind": "payments",
                "creditor": getattr(creditor, "pk", ""),
                "mapping": mapping.pk,
                "file": SimpleUploadedFile("konto.csv", content, content_type="text/csv"),
            },
        )

    for creditor in (kestrel, None):  # another creditor's payments, or payments of any creditor
        refused = upload(creditor, lakeshores)
        assert refused.status_code == 400  # type: ignore[attr-defined]
        assert refused.context["form"].errors["mapping"] == [  # type: ignore[attr-defined]
            "That mapping is for Lakeshore National Bank's files: choose Lakeshore National Bank as the creditor,"
            " or a mapping for this creditor or for any creditor."
        ]
        assert "That mapping is for Lakeshore National Bank" in refused.content.decode()  # type: ignore[attr-defined]

    def outcome(token: str) -> str:
        deadline = time.monotonic() + 30
        progress = progress_of(token)
        while progress is not None and not progress.finished and time.monotonic() < deadline:
            time.sleep(0.1)
            progress = progress_of(token)
        assert progress is not None
        return progress.state

    for creditor, mapping in ((lakeshore, lakeshores), (kestrel, anyones), (None, anyones)):
        accepted = upload(creditor, mapping)
        assert accepted.status_code == 302, accepted.content.decode()[:2000]  # type: ignore[attr-defined]
        # Read with the mapping's headers (else "required column missing" fails it); A-1 is nobody's account.
        assert outcome(str(accepted["Location"]).rstrip("/").rsplit("/", 1)[-1]) == "refused"  # type: ignore[index]
