"""The account page's legal clocks: notices, hardship steps and call consent, by role, with bad input."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from recoup.audit.models import AuditEvent
from recoup.compliance.models import CallConsent, HardshipNotice, Hold, Notice
from recoup.users.roles import Role
from web_data import WebData


def test_an_officer_records_a_notice_and_sees_it_meet_the_clock(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-10", officer=officer)
    client = web.client(officer)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Legal clocks and gates" in page
    assert "Credit reporting today: no" in page
    assert "No notice is recorded as sent." in page

    today = timezone.localdate()
    sent = client.post(
        f"/accounts/{account.pk}/notices/",
        {"kind": "first_letter", "sent_on": today.isoformat(), "channel": "letter", "reference": "BATCH-7"},
        follow=True,
    )
    assert "Recorded the first letter about the debt sent" in sent.content.decode()
    notice = Notice.objects.get()
    assert (notice.kind, notice.reference, notice.recorded_by_id) == ("first_letter", "BATCH-7", officer.pk)
    assert "reporting waits 14 days" in sent.content.decode()

    returned = client.post(f"/accounts/{account.pk}/notices/{notice.pk}/undeliverable/", follow=True)
    assert "Marked as returned undeliverable." in returned.content.decode()
    notice.refresh_from_db()
    assert notice.undeliverable_on == today


def test_bad_notice_input_names_the_field_and_writes_nothing(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-11", officer=officer)
    client = web.client(officer)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/accounts/{account.pk}/notices/", {"kind": "validation", "sent_on": future, "channel": "letter"}, follow=True
    )
    assert "sent_on:" in response.content.decode()
    assert "is in the future" in response.content.decode()
    missing = client.post(f"/accounts/{account.pk}/notices/", {"kind": "validation", "channel": "letter"}, follow=True)
    assert "Sent on: This field is required." in missing.content.decode()
    assert Notice.objects.count() == 0
    assert not AuditEvent.objects.filter(name="compliance.notice.recorded").exists()


def test_an_officer_records_hardship_and_only_a_team_lead_decides_it(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    lead = web.user("tess", Role.TEAM_LEAD)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-12", officer=officer)
    today = timezone.localdate().isoformat()
    as_officer = web.client(officer)
    recorded = as_officer.post(
        f"/accounts/{account.pk}/hardship/",
        {"received_on": today, "how": "oral", "summary": "hours cut at work"},
        follow=True,
    )
    assert "its clocks are running" in recorded.content.decode()
    notice = HardshipNotice.objects.get()
    assert Hold.objects.get(kind="hardship").lifted_at is None
    step = {"step": "decided", "on": today, "decision": "agreed", "note": "3 months at $40"}
    assert as_officer.post(f"/accounts/{account.pk}/hardship/{notice.pk}/", step).status_code == 403

    as_lead = web.client(lead)
    no_note = as_lead.post(f"/accounts/{account.pk}/hardship/{notice.pk}/", {**step, "note": ""}, follow=True)
    assert "note: give the change agreed" in no_note.content.decode()
    decided = as_lead.post(f"/accounts/{account.pk}/hardship/{notice.pk}/", step, follow=True)
    assert "Recorded the decision: agreed." in decided.content.decode()
    notice.refresh_from_db()
    assert (notice.decision, notice.decision_note) == ("agreed", "3 months at $40")
    assert Hold.objects.get(kind="hardship").lifted_at is not None


def test_consent_to_be_called_is_recorded_for_at_most_seven_days(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-13", officer=officer)
    client = web.client(officer)
    too_long = client.post(f"/accounts/{account.pk}/call-consent/", {"hours": "200", "note": "call me"}, follow=True)
    assert "For how long (hours): Ensure this value is less than or equal to 168." in too_long.content.decode()
    assert CallConsent.objects.count() == 0
    ok = client.post(f"/accounts/{account.pk}/call-consent/", {"hours": "24", "note": "call me after 2pm"}, follow=True)
    assert "Recorded their consent to be called until" in ok.content.decode()
    consent = CallConsent.objects.get()
    assert consent.ends_at - consent.given_at == timedelta(hours=24)


def test_an_auditor_sees_the_clocks_but_cannot_change_them(web: WebData) -> None:
    officer = web.user("olive", Role.OFFICER)
    auditor = web.user("ada", Role.AUDITOR)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-14", officer=officer)
    client = web.client(auditor)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Legal clocks and gates" in page
    assert "Record notice" not in page
    assert "Record hardship notice" not in page
    today = timezone.localdate().isoformat()
    assert client.post(f"/accounts/{account.pk}/notices/", {"kind": "validation", "sent_on": today}).status_code == 403
    assert client.post(f"/accounts/{account.pk}/hardship/", {"received_on": today}).status_code == 403
    assert client.post(f"/accounts/{account.pk}/call-consent/", {"hours": "1", "note": "x"}).status_code == 403
    other = web.user("otto", Role.OFFICER)
    assert web.client(other).post(f"/accounts/{account.pk}/notices/", {"kind": "validation"}).status_code == 404


def test_an_officer_records_forbearance_from_the_account_page(web: WebData) -> None:
    from recoup.compliance.models import Forbearance

    officer = web.user("olive", Role.OFFICER)
    account = web.account(creditor=web.creditor("lnb"), reference="CC-15", officer=officer)
    client = web.client(officer)
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/accounts/{account.pk}/forbearance/",
        {"option": "interest_suspended", "outcome": "agreed", "starts_on": today, "reason": "illness; off work"},
        follow=True,
    )
    html = response.content.decode()
    assert "Recorded: interest and charges suspended, agreed; interest and charges are frozen" in html
    assert "charges frozen" in html
    assert Forbearance.objects.get().freeze is not None
    auditor = web.client(web.user("ada", Role.AUDITOR))
    assert auditor.post(f"/accounts/{account.pk}/forbearance/", {"option": "adviser"}).status_code == 403


def test_the_plan_page_by_role(web: WebData) -> None:
    from ledger_helpers import owing

    officer = web.user("olive", Role.OFFICER)
    account = owing(web.account(creditor=web.creditor("lnb"), reference="CC-16", officer=officer), principal="600.00")
    client = web.client(officer)
    page = client.get(f"/accounts/{account.pk}/plans/").content.decode()
    assert "No plan, promise or settlement has been made on this account." in page
    first = (timezone.localdate() + timedelta(days=7)).isoformat()
    made = client.post(
        f"/accounts/{account.pk}/plans/new/", {"frequency": "weekly", "first_due": first, "count": "4"}, follow=True
    ).content.decode()
    assert "agreed: 4 payments." in made
    assert "$150.00" in made
    both = client.post(
        f"/accounts/{account.pk}/plans/new/",
        {"frequency": "weekly", "first_due": first, "count": "4", "instalment": "10"},
        follow=True,
    ).content.decode()
    assert "Give the number of payments or the amount of each, not both." in both
    auditor = web.client(web.user("ada", Role.AUDITOR))
    assert auditor.get(f"/accounts/{account.pk}/plans/").status_code == 200
    assert auditor.post(f"/accounts/{account.pk}/promises/new/", {"amount": "5", "on": first}).status_code == 403
    from recoup.arrangements.models import Arrangement

    plan = Arrangement.objects.get()
    assert client.post(f"/accounts/{account.pk}/plans/{plan.pk}/approve/").status_code == 403


def test_the_plan_letter_downloads_as_a_pdf_or_says_what_is_missing(web: WebData) -> None:
    from django.test import override_settings

    from ledger_helpers import owing
    from recoup.arrangements.models import Arrangement

    officer = web.user("olive", Role.OFFICER)
    account = owing(web.account(creditor=web.creditor("lnb"), reference="CC-17", officer=officer), principal="300.00")
    client = web.client(officer)
    first = (timezone.localdate() + timedelta(days=7)).isoformat()
    client.post(f"/accounts/{account.pk}/plans/new/", {"frequency": "weekly", "first_due": first, "count": "3"})
    plan = Arrangement.objects.get()
    debtor = account.debtors.get()
    debtor.address_line1, debtor.city, debtor.postal_code = "9 Elm Row", "Albany", "12207"
    debtor.save()
    url = f"/accounts/{account.pk}/plans/{plan.pk}/letter.pdf"
    with override_settings(COLLECTOR_NAME="", COLLECTOR_ADDRESS=""):
        refused = client.get(url, follow=True).content.decode()
    assert "The letter cannot be made: Letters cannot be made yet" in refused
    assert "RECOUP_" not in refused  # the officer reads what to do, not a setting name
    with override_settings(COLLECTOR_NAME="Lakeshore Recoveries", COLLECTOR_ADDRESS="1 Main St|Albany NY 12207"):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(name="arrangements.letter.produced", subject_id=plan.pk).count() == 1


def test_the_statement_page_records_and_lists(web: WebData) -> None:
    from ledger_helpers import owing
    from recoup.arrangements.models import Affordability
    from recoup.parties.models import Creditor

    officer = web.user("olive", Role.OFFICER)
    creditor: Creditor = web.creditor("lnb")
    account = owing(web.account(creditor=creditor, reference="CC-20", officer=officer), principal="800.00")
    client = web.client(officer)
    page = client.get(f"/accounts/{account.pk}/affordability/").content.decode()
    assert "Earnings from employment" in page
    assert 'name="amount-groceries"' in page
    done = client.post(
        f"/accounts/{account.pk}/affordability/",
        {
            "adults": "1",
            "children": "0",
            "debt_share": "100",
            "frequency": "weekly",
            "amount-earnings_from_employment": "1800",
            "amount-rent": "900",
            "amount-groceries": "300",
        },
        follow=True,
    ).content.decode()
    assert "Recorded. Suggested payment: 138.46 USD (weekly)." in done  # 600 a month * 12 / 52, rounded down
    bad = client.post(f"/accounts/{account.pk}/affordability/", {"adults": "1", "amount-rent": "lots"}, follow=True)
    assert "is not an amount" in bad.content.decode()
    assert Affordability.objects.count() == 1
    auditor = web.client(web.user("ada", Role.AUDITOR))
    assert auditor.get(f"/accounts/{account.pk}/affordability/").status_code == 200
    assert auditor.post(f"/accounts/{account.pk}/affordability/", {"adults": "1"}).status_code == 403


def test_a_settlement_from_the_plan_page_within_and_above_authority(web: WebData) -> None:
    from ledger_helpers import owing
    from recoup.arrangements.models import Arrangement

    creditor = web.creditor("lnb")
    creditor.settlement_authority = {"officer": 10}
    creditor.save()
    officer = web.user("olive", Role.OFFICER)
    account = owing(web.account(creditor=creditor, reference="CC-21", officer=officer), principal="1000.00")
    client = web.client(officer)
    by = (timezone.localdate() + timedelta(days=14)).isoformat()
    above = client.post(f"/accounts/{account.pk}/settlements/new/", {"amount": "700", "on": by}, follow=True)
    assert "a discount of 30.00% is more than your settlement authority (10%)" in above.content.decode()
    waiting = client.post(
        f"/accounts/{account.pk}/settlements/new/",
        {"amount": "700", "on": by, "approval_reason": "medical hardship; lump sum from family"},
        follow=True,
    )
    assert "is waiting for approval" in waiting.content.decode()
    assert Arrangement.objects.get().state == "pending_approval"
    within = client.post(f"/accounts/{account.pk}/settlements/new/", {"amount": "950", "on": by}, follow=True)
    assert "agreed: 950.00 USD by" in within.content.decode()
    assert list(Arrangement.objects.order_by("id").values_list("state", flat=True)) == ["replaced", "active"]
