"""The account page: balances, items, holds, limitation, and the compliance gate's answer per channel."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ledger_helpers import owing
from recoup.compliance.services import place_hold
from recoup.users.roles import Role
from web_data import WebData


def test_the_page_shows_money_holds_and_whether_each_channel_may_be_used_now(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    creditor = web.creditor("lnb", "Lakeshore National Bank")
    account = owing(web.account(creditor=creditor, reference="CC-1", officer=officer), principal="250.00", fees="15.00")
    debtor = account.debtors.get()
    place_hold(
        kind="do_not_contact",
        channel="sms",
        reason="Replied STOP to a text",
        starts_at=timezone.now() - timedelta(days=1),
        now=timezone.now(),
        actor=None,
        debtor=debtor,
    )
    page = web.client(officer).get(f"/accounts/{account.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "$265.00" in html
    assert "Replied STOP to a text" in html
    assert "Sms: no" in html
    assert "US-07" in html
    assert "Limitation" in html
    listing = web.client(officer).get("/accounts/").content.decode()
    assert f'href="/accounts/{account.pk}/"' in listing


def test_an_officer_cannot_open_someone_elses_account(web: WebData) -> None:
    mine = web.user("olive", Role.OFFICER)
    theirs = web.user("otto", Role.OFFICER)
    creditor = web.creditor("lnb")
    account = web.account(creditor=creditor, reference="CC-2", officer=theirs)
    assert web.client(mine).get(f"/accounts/{account.pk}/").status_code == 404
    assert web.client(web.user("ada", Role.AUDITOR)).get(f"/accounts/{account.pk}/").status_code == 200
