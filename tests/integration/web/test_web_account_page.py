"""The account page: balances, items, holds, limitation, and the compliance gate's answer per channel."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from factories import ContactPointFactory
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
    assert "SMS: no" in html
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


def test_an_officer_places_a_hold_and_a_manager_lifts_it(web: WebData) -> None:
    from recoup.compliance.models import Hold

    officer = web.user("olive", Role.OFFICER)
    manager = web.user("mona", Role.MANAGER)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-3", officer=officer)
    as_officer = web.client(officer)
    response = as_officer.post(
        f"/accounts/{account.pk}/holds/",
        {"kind": "do_not_contact", "on": "debtor", "channel": "", "reason": "Asked us not to"},
    )
    assert response.status_code == 302
    assert "a do-not-contact hold names the channel" in as_officer.get(f"/accounts/{account.pk}/").content.decode()
    as_officer.post(
        f"/accounts/{account.pk}/holds/",
        {"kind": "dispute", "on": "account", "reason": "Says the debt was paid in 2024", "evidence": "call note"},
    )
    hold = Hold.objects.get()
    assert (hold.kind, hold.account_id, hold.created_by_id) == ("dispute", account.pk, officer.pk)
    page = as_officer.get(f"/accounts/{account.pk}/").content.decode()
    assert "Call: no" in page
    assert "US-15" in page
    assert "Lift</button>" not in page  # officers place holds; lifting is for managers
    assert as_officer.post(f"/accounts/{account.pk}/holds/{hold.pk}/lift/", {"reason": "x"}).status_code == 403
    web.client(manager).post(f"/accounts/{account.pk}/holds/{hold.pk}/lift/", {"reason": "Verified: not paid"})
    hold.refresh_from_db()
    assert (hold.lift_reason, hold.lifted_by_id) == ("Verified: not paid", manager.pk)
    assert "US-15" not in web.client(manager).get(f"/accounts/{account.pk}/").content.decode()


def test_an_officer_records_when_the_debtor_wants_calls_and_the_gate_follows_it(web: WebData) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from recoup.compliance.models import ContactWish
    from recoup.compliance.services import evaluate
    from recoup.core.compliance import Channel

    officer = web.user("olive", Role.OFFICER)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-4", officer=officer)
    client = web.client(officer)
    response = client.post(
        f"/accounts/{account.pk}/wishes/",
        {
            "channel": "call",
            "weekdays": ["0", "1", "2", "3", "4"],
            "starts": "18:00",
            "ends": "20:00",
            "note": "works days",
        },
    )
    assert response.status_code == 302
    wish = ContactWish.objects.get()
    assert (wish.weekdays, wish.channel) == ([0, 1, 2, 3, 4], "call")
    assert "Mon, Tue, Wed, Thu, Fri 18:00 to 20:00" in client.get(f"/accounts/{account.pk}/").content.decode()
    noon = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    debtor = account.debtors.get()
    ContactPointFactory(debtor=debtor, value="+12125550100")
    decision = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=noon).decision
    assert [r.rule for r in decision.reasons] == ["US-01"]
    assert decision.next_allowed == datetime(2026, 6, 10, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    client.post(f"/accounts/{account.pk}/wishes/{wish.pk}/withdraw/")
    assert evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=noon).decision.allowed
    bad = client.post(f"/accounts/{account.pk}/wishes/", {"weekdays": ["1"], "starts": "20:00", "ends": "18:00"})
    assert bad.status_code == 302
    assert "ends: 18:00 must be after 20:00" in client.get(f"/accounts/{account.pk}/").content.decode()


def test_a_refused_form_comes_back_as_typed_in_its_open_section_with_the_field_named(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    account = owing(web.account(creditor=web.creditor("lnb"), reference="CC-2", officer=officer), principal="250.00")
    client = web.client(officer)
    sent = {
        "kind": "hardship",
        "on": "account",
        "channel": "",
        "reason": "",
        "evidence": "Call note 14:02",
        "ends_on": "",
    }
    page = client.post(f"/accounts/{account.pk}/holds/", sent, follow=True).content.decode()
    assert "Reason: This field is required." in page
    assert 'id="holds-section" data-collapsible="shown"' in page
    assert 'value="Call note 14:02"' in page
    assert '<option value="hardship" selected>' in page
    # Drawn once: the next visit shows a fresh form, its section as usual.
    again = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Call note 14:02" not in again
    assert 'id="holds-section" data-collapsible="closed"' in again


def test_a_call_refused_by_the_service_keeps_the_note_and_names_the_field_by_its_label(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    account = owing(web.account(creditor=web.creditor("lnb"), reference="CC-3", officer=officer), principal="250.00")
    ContactPointFactory(debtor=account.debtors.get(), value="+15185550100")
    call = {
        "outcome": "promise",
        "note": "Pays on Friday from her wages",
        "promise_amount": "0.001",
        "promise_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }
    page = web.client(officer).post(f"/accounts/{account.pk}/calls/", call, follow=True).content.decode()
    assert "Promised amount:" in page
    assert "promise_amount" not in page.split('role="status"')[1].split("</ul>")[0]
    assert 'value="Pays on Friday from her wages"' in page


def test_a_debtor_nobody_can_place_is_shown_as_such_with_what_to_do(web: WebData) -> None:
    """Issue 22.4: no time zone and only a toll-free number: the gate asks for a location."""
    officer = web.user("olive", Role.OFFICER)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-4", officer=officer)
    debtor = account.debtors.get()
    debtor.time_zone = ""
    debtor.save(update_fields=["time_zone"])
    debtor.contact_points.all().delete()
    ContactPointFactory(debtor=debtor, value="+18005550100")
    html = web.client(officer).get(f"/accounts/{account.pk}/").content.decode()
    assert "Their time: not known: no address or time zone on record" in html
    assert "no time zone on record" in html
    assert "Call: no" in html
    assert "No location known for this debtor: add an address or a time zone before calling." in html
    assert "Not until the reason above is resolved." in html
