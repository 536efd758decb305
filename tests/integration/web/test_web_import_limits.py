"""Issue 20.2: a workbook over the import limits, uploaded on the imports page, is refused with its
reason on the page, and nothing is imported."""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from test_web_imports import finished, upload

from recoup.accounts.models import Account
from recoup.imports.models import ImportJob
from recoup.users.roles import Role
from web_data import WebData

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_uploaded_zip_bomb_is_refused_on_the_page_and_nothing_is_imported(web: WebData) -> None:
    creditor = web.creditor("lnb")
    manager = web.client(web.user("mona", Role.MANAGER))
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(20):
            member.write(b"A" * (1 << 20))
    token = upload(manager, "bomb.xlsx", buffer.getvalue(), kind="accounts", creditor=creditor.pk)
    progress = finished(token)
    assert progress.state == "failed"
    assert "'bomb.xlsx' is refused as a zip bomb" in progress.message
    page = html.unescape(manager.get(f"/imports/progress/{token}/").content.decode())
    assert "'bomb.xlsx' is refused as a zip bomb" in page
    assert not Account.objects.exists()
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


HEADER = b"account_reference,product_type,opened_date,principal,family_name,time_zone\n"


@pytest.mark.parametrize(
    ("limits", "body", "expected"),
    [
        (
            {"rows": 3},
            b"".join(b"A-%d,other,2024-01-01,5.00,Lee,UTC\n" % i for i in range(4)),
            "file: 'many.csv' has more than 3 rows, over the limit of 3 rows"
            " (set RECOUP_IMPORT_MAX_ROWS to allow more)",
        ),
        (
            {"cell_chars": 40},
            b"A-1,other,2024-01-01,5.00,Lee,UTC\nA-2,other,2024-01-01,5.00," + b"L" * 41 + b",UTC\n",
            "row 3: family_name: 'LLLL",
        ),
    ],
    ids=["rows", "value length"],
)
def test_an_upload_over_the_row_or_value_limit_is_refused_on_the_page_and_nothing_is_imported(
    web: WebData, settings: object, limits: dict[str, int], body: bytes, expected: str
) -> None:
    from recoup.platform.config import ImportLimits

    settings.IMPORT_LIMITS = ImportLimits(**limits)  # type: ignore[attr-defined]
    creditor = web.creditor("lnb")
    manager = web.client(web.user("mona", Role.MANAGER))
    token = upload(manager, "many.csv", HEADER + body, kind="accounts", creditor=creditor.pk)
    progress = finished(token)
    assert progress.state == "failed"
    assert progress.message.startswith(expected)
    page = html.unescape(manager.get(f"/imports/progress/{token}/").content.decode())
    assert expected in page
    assert not Account.objects.exists()
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
