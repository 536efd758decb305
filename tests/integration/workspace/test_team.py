"""The team lead's page: workloads, untouched accounts, and a reassignment previewed then confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from factories import AccountFactory, CreditorFactory, TeamFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.compliance.models import Contact
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.workspace.team import UnableToReassign, preview_reassign, reassign, untouched_accounts, workloads

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def team() -> dict[str, User]:
    lead = UserFactory(role=Role.TEAM_LEAD, username="lena")
    mine, other = TeamFactory(lead=lead), TeamFactory()
    return {
        "lead": lead,
        "ana": UserFactory(role=Role.OFFICER, username="ana", team=mine),
        "ben": UserFactory(role=Role.OFFICER, username="ben", team=mine),
        "zed": UserFactory(role=Role.OFFICER, username="zed", team=other),
    }


@pytest.fixture
def accounts(team: dict[str, User]) -> dict[str, Account]:
    creditor = CreditorFactory()
    made = {
        ref: owing(AccountFactory(creditor=creditor, reference=ref, assigned_officer=team[who]), principal=owed)
        for ref, who, owed in [
            ("A-1", "ana", "900.00"),
            ("A-2", "ana", "100.00"),
            ("B-1", "ben", "50.00"),
            ("Z-1", "zed", "10.00"),
        ]
    }
    Contact.objects.create(
        account=made["A-2"],
        debtor=made["A-2"].debtors.get(),
        channel="call",
        direction="inbound",
        outcome="connected_conversation",
        at=NOW - timedelta(days=2),
        recorded_at=NOW,
    )
    return made


def test_the_lead_sees_their_officers_workloads_and_untouched_accounts(
    team: dict[str, User], accounts: dict[str, Account]
) -> None:
    from recoup.workspace.team import officers_for

    officers = officers_for(team["lead"])
    assert [o.username for o in officers] == ["ana", "ben"]
    loads = {w.officer.username: w for w in workloads(officers, now=NOW)}
    assert (loads["ana"].accounts, [str(m) for m in loads["ana"].owed], loads["ana"].untouched) == (
        2,
        ["1,000.00 USD"],
        1,
    )
    assert (loads["ben"].accounts, loads["ben"].untouched) == (1, 1)
    assert [(ref, who) for _pk, ref, who in untouched_accounts(officers, now=NOW)] == [("A-1", "ana"), ("B-1", "ben")]


def test_a_reassignment_is_previewed_then_made_and_audited(team: dict[str, User], accounts: dict[str, Account]) -> None:
    ids = [accounts["A-1"].pk, accounts["B-1"].pk]
    preview = preview_reassign(lead=team["lead"], account_ids=ids, to_officer_id=team["ben"].pk)
    assert (preview.account_ids, preview.from_officers) == ((accounts["A-1"].pk,), {"ana": 1})  # B-1 is already Ben's
    assert Account.objects.get(reference="A-1").assigned_officer == team["ana"]  # a preview changes nothing
    with pytest.raises(UnableToReassign, match="reason: say why"):
        reassign(lead=team["lead"], account_ids=ids, to_officer_id=team["ben"].pk, reason=" ", now=NOW)
    reassign(lead=team["lead"], account_ids=ids, to_officer_id=team["ben"].pk, reason="Ana on leave", now=NOW)
    assert Account.objects.get(reference="A-1").assigned_officer == team["ben"]
    event = AuditEvent.objects.get(name="accounts.account.reassigned")
    assert (event.before, event.after) == (
        {"assigned_officer": team["ana"].pk},
        {"assigned_officer": team["ben"].pk, "reason": "Ana on leave"},
    )
    with pytest.raises(UnableToReassign, match="belong to officers outside your teams"):
        preview_reassign(lead=team["lead"], account_ids=[accounts["Z-1"].pk], to_officer_id=team["ben"].pk)
    with pytest.raises(UnableToReassign, match="to: choose one of the officers you lead"):
        preview_reassign(lead=team["lead"], account_ids=ids, to_officer_id=team["zed"].pk)


def test_the_team_page_previews_and_confirms(team: dict[str, User], accounts: dict[str, Account]) -> None:
    client = Client()
    client.force_login(team["lead"])
    page = client.get("/team/").content.decode()
    assert "Workloads" in page
    assert "A-1" in page
    previewed = client.post(
        "/team/", {"account": [accounts["A-1"].pk], "to": team["ben"].pk, "reason": "leave"}
    ).content.decode()
    assert "Move 1 account to" in previewed
    assert "1 from ana" in previewed
    assert Account.objects.get(reference="A-1").assigned_officer == team["ana"]
    done = client.post(
        "/team/",
        {"account": [accounts["A-1"].pk], "to": team["ben"].pk, "reason": "leave", "confirm": "1"},
        follow=True,
    ).content.decode()
    assert "Moved 1 account(s) to ben." in done
    assert Account.objects.get(reference="A-1").assigned_officer == team["ben"]
    auditor = Client()
    auditor.force_login(UserFactory(role=Role.AUDITOR))
    assert auditor.get("/team/").status_code == 200
    assert auditor.post("/team/", {"account": [accounts["A-1"].pk], "to": team["ana"].pk}).status_code == 403


def test_a_lead_assigns_only_their_teams_accounts_and_a_manager_any(team: dict[str, User]) -> None:
    """Issue 20.5: a lead could give another team's unassigned account to one of their officers."""
    lead, ana = team["lead"], team["ana"]
    mine, other = team["ana"].team, team["zed"].team
    creditor = CreditorFactory()
    ours = AccountFactory(creditor=creditor, reference="OURS-1", team=mine, assigned_officer=None)
    theirs = AccountFactory(creditor=creditor, reference="THEIRS-1", team=other, assigned_officer=None)
    nobodys = AccountFactory(creditor=creditor, reference="NONE-1", team=None, assigned_officer=None)
    theirs_at_ana = AccountFactory(creditor=creditor, reference="THEIRS-2", team=other, assigned_officer=ana)

    for refused in (theirs, nobodys, theirs_at_ana):
        with pytest.raises(UnableToReassign, match="1 of them are not your teams' accounts.*a manager can assign"):
            reassign(lead=lead, account_ids=[refused.pk], to_officer_id=ana.pk, reason="spare capacity", now=NOW)
        with pytest.raises(UnableToReassign, match="not your teams' accounts"):  # mixed in with their own
            reassign(lead=lead, account_ids=[ours.pk, refused.pk], to_officer_id=ana.pk, reason="spare", now=NOW)
    assert set(Account.objects.filter(assigned_officer=ana).values_list("reference", flat=True)) == {"THEIRS-2"}
    assert not AuditEvent.objects.filter(name="accounts.account.reassigned").exists()

    reassign(lead=lead, account_ids=[ours.pk], to_officer_id=ana.pk, reason="new placement", now=NOW)
    assert Account.objects.get(reference="OURS-1").assigned_officer == ana
    manager = UserFactory(role=Role.MANAGER)
    reassign(lead=manager, account_ids=[theirs.pk, nobodys.pk], to_officer_id=ana.pk, reason="cover", now=NOW)
    assert Account.objects.get(reference="THEIRS-1").assigned_officer == ana


def test_the_account_page_refuses_a_lead_another_teams_account(team: dict[str, User]) -> None:
    theirs = AccountFactory(creditor=CreditorFactory(), reference="THEIRS-3", team=team["zed"].team)
    client = Client()
    client.force_login(team["lead"])
    page = client.post(
        f"/accounts/{theirs.pk}/assign/", {"officer": team["ana"].pk, "reason": "spare capacity"}, follow=True
    ).content.decode()
    assert "1 of them are not your teams&#x27; accounts" in page
    theirs.refresh_from_db()
    assert theirs.assigned_officer is None


def test_home_and_the_team_page_count_the_same_open_accounts_in_every_status(team: dict[str, User]) -> None:
    """Issue 20.9: Home said 351 open accounts and Team 338; one definition of "open" for both."""
    from recoup.accounts.selectors import officer_workloads
    from recoup.workspace.team import officers_for

    creditor = CreditorFactory()
    for status in Account.Status.values:
        for who in ("ana", "ben"):
            AccountFactory(creditor=creditor, assigned_officer=team[who], status=status)
    officers = officers_for(team["lead"])
    team_page = {w.officer.username: w.accounts for w in workloads(officers, now=NOW)}
    home = {w.username: w.open_count for w in officer_workloads(team_ids=[team["ana"].team_id])}
    assert team_page == home
    assert team_page["ana"] == 5  # active, in arrangement, on hold, disputed, legal
