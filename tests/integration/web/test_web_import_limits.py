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
