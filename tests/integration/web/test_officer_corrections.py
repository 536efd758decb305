"""Putting things right from the account page (issue 20.9): reverse a payment (the officer their own,
recently; a team lead any), cancel or replace a plan (the account's officer), and ask a team lead to
lift a hold. Each is audited, each refusal says why, and nothing is done twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing, usd
from recoup.accounts.models import Account, Payment
from recoup.accounts.services import record_payment
from recoup.audit.models import AuditEvent
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.users.services import create_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> User:
    return UserFactory(role=Role.OFFICER)  # type: ignore[no-any-return]


@pytest.fixture
def account(officer: User) -> Account:
    debtor = DebtorFactory(time_zone="America/New_York")
    ContactPointFactory(debtor=debtor, value="+15185550100")
    return owing(
        AccountFactory(creditor=CreditorFactory(), debtor=debtor, assigned_officer=officer), principal="600.00"
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pay(account: Account, actor: User | None, amount: str = "150.00", *, days_ago: int = 0) -> Payment:
    when = timezone.now() - timedelta(days=days_ago)
    return record_payment(account=account, amount=usd(amount), received_at=when, method="card", now=when, actor=actor)


def _teammate(officer: User) -> User:
    """Another officer in the same team: they see the account but did not record its payments."""
    team = create_team(name="Recoveries", now=timezone.now())
    colleague = UserFactory(role=Role.OFFICER)
    User.objects.filter(pk__in=[officer.pk, colleague.pk]).update(team=team)
    Account.objects.filter(assigned_officer=officer).update(team=team)
    colleague.refresh_from_db()
    return colleague  # type: ignore[no-any-return]


# Reversing a payment -----------------------------------------------------------------------------


def test_an_officer_reverses_a_payment_they_recorded_once_with_a_reason(officer: User, account: Account) -> None:
    payment = _pay(account, officer)
    client = signed_in(officer)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert f'aria-label="Reverse payment {payment.pk}"' in page
    url = f"/accounts/{account.pk}/payments/{payment.pk}/reverse/"
    missing = client.post(url, {"reason": " "}, follow=True).content.decode()
    assert "Why reverse it: This field is required." in missing
    done = client.post(url, {"reason": "cheque returned unpaid"}, follow=True).content.decode()
    assert f"Payment {payment.pk} of 150.00 USD reversed." in done
    account.refresh_from_db()
    assert account.principal_minor == 60000
    payment.refresh_from_db()
    assert payment.reversal_reason == "cheque returned unpaid"
    event = AuditEvent.objects.get(name="accounts.transaction.payment_reversal")
    assert (event.actor_id, event.account_id, event.after["reason"]) == (
        officer.pk,
        account.pk,
        "cheque returned unpaid",
    )
    again = client.post(url, {"reason": "cheque returned unpaid"}, follow=True).content.decode()
    assert "already reversed" in again
    assert "nothing was reversed twice" in again
    assert AuditEvent.objects.filter(name="accounts.transaction.payment_reversal").count() == 1
    account.refresh_from_db()
    assert account.principal_minor == 60000
    assert f'aria-label="Reverse payment {payment.pk}"' not in client.get(f"/accounts/{account.pk}/").content.decode()


def test_an_officer_may_not_reverse_a_colleagues_payment_or_an_old_one(officer: User, account: Account) -> None:
    colleague = _teammate(officer)
    theirs = _pay(account, colleague, "10.00")
    old = _pay(account, officer, "20.00", days_ago=15)
    client = signed_in(officer)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert f'aria-label="Reverse payment {theirs.pk}"' not in page
    assert f'aria-label="Reverse payment {old.pk}"' not in page
    for payment in (theirs, old):
        refused = client.post(
            f"/accounts/{account.pk}/payments/{payment.pk}/reverse/", {"reason": "wrong"}, follow=True
        ).content.decode()
        assert "you may reverse only a payment you recorded yourself, within 14 days" in refused
    assert not Payment.objects.filter(reversal__isnull=False).exists()
    assert not AuditEvent.objects.filter(name="accounts.transaction.payment_reversal").exists()


def test_a_team_lead_reverses_any_payment_on_an_account(officer: User, account: Account) -> None:
    old = _pay(account, None, "20.00", days_ago=40)  # a bank file's, long ago
    lead = UserFactory(role=Role.TEAM_LEAD)
    client = signed_in(lead)
    assert f'aria-label="Reverse payment {old.pk}"' in client.get(f"/accounts/{account.pk}/").content.decode()
    done = client.post(
        f"/accounts/{account.pk}/payments/{old.pk}/reverse/", {"reason": "chargeback"}, follow=True
    ).content.decode()
    assert f"Payment {old.pk} of 20.00 USD reversed." in done
    assert AuditEvent.objects.get(name="accounts.transaction.payment_reversal").actor_id == lead.pk


def test_another_accounts_payment_is_not_found_and_the_auditor_may_not_reverse(officer: User, account: Account) -> None:
    other = owing(AccountFactory(creditor=CreditorFactory(), assigned_officer=officer), principal="50.00")
    foreign = _pay(other, officer, "5.00")
    client = signed_in(officer)
    assert client.post(f"/accounts/{account.pk}/payments/{foreign.pk}/reverse/", {"reason": "x"}).status_code == 404
    auditor = UserFactory(role=Role.AUDITOR)
    mine = _pay(account, officer, "5.00")
    assert (
        signed_in(auditor).post(f"/accounts/{account.pk}/payments/{mine.pk}/reverse/", {"reason": "x"}).status_code
        == 403
    )
    assert not Payment.objects.filter(reversal__isnull=False).exists()


# Cancelling and replacing a plan ----------------------------------------------------------------


def _plan(account: Account, actor: User) -> int:
    from recoup.arrangements.services import PlanRequest, create_plan
    from recoup.core.arrangements import Frequency

    plan = create_plan(
        account=account,
        request=PlanRequest(frequency=Frequency.MONTHLY, first_due=timezone.localdate() + timedelta(days=3), count=6),
        now=timezone.now(),
        actor=actor,
    )
    return plan.pk


def test_the_accounts_officer_cancels_its_plan_with_a_reason(officer: User, account: Account) -> None:
    from recoup.arrangements.models import Arrangement

    plan_id = _plan(account, officer)
    client = signed_in(officer)
    page = client.get(f"/accounts/{account.pk}/plans/").content.decode()
    assert f'aria-label="Cancel payment plan {plan_id}"' in page
    url = f"/accounts/{account.pk}/plans/{plan_id}/cancel/"
    missing = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "say why the arrangement is cancelled" in missing
    done = client.post(url, {"reason": "debtor lost their job; will re-plan"}, follow=True).content.decode()
    assert f"Cancelled payment plan {plan_id}." in done
    assert Arrangement.objects.get(pk=plan_id).state == Arrangement.State.CANCELLED
    event = AuditEvent.objects.get(name="arrangements.arrangement.cancelled", subject_id=plan_id)
    assert (event.actor_id, event.after["reason"]) == (officer.pk, "debtor lost their job; will re-plan")
    again = client.post(url, {"reason": "again"}, follow=True).content.decode()
    assert f"{plan_id} is already cancelled" in again
    assert AuditEvent.objects.filter(name="arrangements.arrangement.cancelled").count() == 1


def test_another_officer_may_not_cancel_the_plan(officer: User, account: Account) -> None:
    from recoup.arrangements.models import Arrangement

    plan_id = _plan(account, officer)
    colleague = _teammate(officer)  # sees the account (same team) but does not work it
    client = signed_in(colleague)
    assert 'aria-label="Cancel payment plan' not in client.get(f"/accounts/{account.pk}/plans/").content.decode()
    assert client.post(f"/accounts/{account.pk}/plans/{plan_id}/cancel/", {"reason": "x"}).status_code == 403
    stranger = UserFactory(role=Role.OFFICER)  # does not even see it
    assert (
        signed_in(stranger).post(f"/accounts/{account.pk}/plans/{plan_id}/cancel/", {"reason": "x"}).status_code == 404
    )
    assert Arrangement.objects.get(pk=plan_id).state == Arrangement.State.ACTIVE
    assert not AuditEvent.objects.filter(name="arrangements.arrangement.cancelled").exists()


def test_a_settlement_is_cancelled_by_a_team_lead_not_the_officer(officer: User, account: Account) -> None:
    from recoup.arrangements.models import Arrangement
    from recoup.arrangements.services import create_settlement

    lead = UserFactory(role=Role.TEAM_LEAD)
    settlement = create_settlement(
        account=account,
        amounts=[(timezone.localdate() + timedelta(days=5), usd("570.00"))],
        now=timezone.now(),
        actor=lead,
        approval_reason="one payment now",
    )
    url = f"/accounts/{account.pk}/plans/{settlement.pk}/cancel/"
    refused = signed_in(officer).post(url, {"reason": "asked"}, follow=True).content.decode()
    assert "is cancelled by a team lead" in refused
    assert Arrangement.objects.get(pk=settlement.pk).is_open
    assert (
        f"Cancelled settlement {settlement.pk}."
        in signed_in(lead).post(url, {"reason": "asked"}, follow=True).content.decode()
    )


def test_the_plans_page_says_a_new_plan_replaces_the_open_one(officer: User, account: Account) -> None:
    from recoup.arrangements.models import Arrangement

    plan_id = _plan(account, officer)
    client = signed_in(officer)
    page = client.get(f"/accounts/{account.pk}/plans/").content.decode()
    assert f"A new plan replaces payment plan {plan_id}." in page
    done = client.post(
        f"/accounts/{account.pk}/plans/new/",
        {"frequency": "monthly", "first_due": (timezone.localdate() + timedelta(days=7)).isoformat(), "count": "12"},
        follow=True,
    ).content.decode()
    assert "agreed: 12 payments" in done
    old = Arrangement.objects.get(pk=plan_id)
    assert old.state == Arrangement.State.REPLACED
    new = Arrangement.objects.get(replaces=old)
    assert f"replaces {plan_id}" in client.get(f"/accounts/{account.pk}/plans/").content.decode()
    assert AuditEvent.objects.filter(name="arrangements.arrangement.replaced", subject_id=plan_id).exists()
    assert (
        f"A new plan replaces payment plan {new.pk}." in client.get(f"/accounts/{account.pk}/plans/").content.decode()
    )


# Asking a team lead to lift a hold ----------------------------------------------------------------


def _hold(account: Account, kind: str = "vulnerability", actor: User | None = None) -> int:
    from recoup.compliance.services import place_hold

    now = timezone.now()
    return place_hold(kind=kind, reason="placed", starts_at=now, now=now, actor=actor, account=account).pk


def test_an_officer_asks_and_a_team_lead_approves_the_lift(officer: User, account: Account) -> None:
    from recoup.compliance.models import Hold, HoldLiftRequest

    hold_id = _hold(account)
    client = signed_in(officer)
    assert 'aria-label="Ask to lift the vulnerability hold"' in client.get(f"/accounts/{account.pk}/").content.decode()
    url = f"/accounts/{account.pk}/holds/{hold_id}/lift-request/"
    done = client.post(url, {"reason": "assessed: no longer vulnerable"}, follow=True).content.decode()
    assert "Asked a team lead to lift the vulnerability hold." in done
    assert "Lift asked by" in done
    again = client.post(url, {"reason": "again"}, follow=True).content.decode()
    assert "was already asked for" in again
    assert HoldLiftRequest.objects.count() == 1
    asked = HoldLiftRequest.objects.get()
    assert AuditEvent.objects.get(name="compliance.hold.lift_requested").actor_id == officer.pk
    assert (
        client.post(
            f"/accounts/{account.pk}/hold-lift-requests/{asked.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )  # an officer does not decide
    lead = UserFactory(role=Role.TEAM_LEAD)
    lead_client = signed_in(lead)
    home = lead_client.get("/").content.decode()
    assert "Hold lift requests" in home
    assert "assessed: no longer vulnerable" in home
    assert account.reference in home
    decided = lead_client.post(
        f"/accounts/{account.pk}/hold-lift-requests/{asked.pk}/decide/",
        {"decision": "approve", "note": "", "back": "home"},
        follow=True,
    ).content.decode()
    assert f"The vulnerability hold on {account.reference} is lifted." in decided
    assert Hold.objects.get(pk=hold_id).lifted_at is not None
    asked.refresh_from_db()
    assert (asked.decision, asked.decided_by_id) == ("approved", lead.pk)
    assert AuditEvent.objects.filter(name="compliance.hold.lifted", subject_id=hold_id, actor_id=lead.pk).exists()
    assert AuditEvent.objects.filter(name="compliance.hold.lift_request_approved", actor_id=lead.pk).exists()
    twice = lead_client.post(
        f"/accounts/{account.pk}/hold-lift-requests/{asked.pk}/decide/", {"decision": "approve"}, follow=True
    ).content.decode()
    assert "was already approved" in twice


def test_a_decline_needs_a_note_and_keeps_the_hold(officer: User, account: Account) -> None:
    from recoup.compliance.lift_requests import request_lift
    from recoup.compliance.models import Hold, HoldLiftRequest

    hold = Hold.objects.get(pk=_hold(account))
    asked = request_lift(hold=hold, account=account, reason="better now", now=timezone.now(), actor=officer)
    client = signed_in(UserFactory(role=Role.MANAGER))
    url = f"/accounts/{account.pk}/hold-lift-requests/{asked.pk}/decide/"
    assert "say why the hold stays" in client.post(url, {"decision": "decline"}, follow=True).content.decode()
    done = client.post(url, {"decision": "decline", "note": "wait for the review"}, follow=True).content.decode()
    assert "kept: the request was declined" in done
    assert Hold.objects.get(pk=hold.pk).lifted_at is None
    assert HoldLiftRequest.objects.get().decision_note == "wait for the review"
    assert AuditEvent.objects.filter(name="compliance.hold.lift_request_declined").count() == 1


def test_a_hold_lifted_directly_answers_the_open_request_to_lift_it(officer: User, account: Account) -> None:
    """Nobody is left waiting: the request is approved by whoever lifted the hold, with their reason."""
    from recoup.compliance.lift_requests import request_lift
    from recoup.compliance.models import Hold, HoldLiftRequest
    from recoup.compliance.services import lift_hold

    hold = Hold.objects.get(pk=_hold(account))
    asked = request_lift(hold=hold, account=account, reason="better now", now=timezone.now(), actor=officer)
    manager = UserFactory(role=Role.MANAGER)
    lift_hold(hold=hold, reason="reviewed with the customer", now=timezone.now(), actor=manager)
    asked.refresh_from_db()
    assert (asked.decision, asked.decided_by_id) == (HoldLiftRequest.Decision.APPROVED, manager.pk)
    assert asked.decision_note == "the hold was lifted directly: reviewed with the customer"
    assert AuditEvent.objects.filter(name="compliance.hold.lift_request_approved", actor_id=manager.pk).count() == 1
    assert not HoldLiftRequest.objects.filter(decided_at__isnull=True).exists()


def test_legal_holds_need_evidence_breathing_space_is_not_lifted_on_request_and_the_asker_does_not_decide(
    officer: User, account: Account
) -> None:
    from recoup.compliance.lift_requests import request_lift
    from recoup.compliance.models import Hold

    lead = UserFactory(role=Role.TEAM_LEAD)
    dispute = Hold.objects.get(pk=_hold(account, "dispute"))
    asked = request_lift(hold=dispute, account=account, reason="they paid", now=timezone.now(), actor=officer)
    url = f"/accounts/{account.pk}/hold-lift-requests/{asked.pk}/decide/"
    refused = signed_in(lead).post(url, {"decision": "approve"}, follow=True).content.decode()
    assert "lifted only once the debt is verified" in refused
    assert Hold.objects.get(pk=dispute.pk).lifted_at is None
    ok = signed_in(lead).post(url, {"decision": "approve", "note": "verification mailed 2 Dec"}, follow=True)
    assert "is lifted" in ok.content.decode()
    breathing = _hold(account, "breathing_space")
    no = (
        signed_in(officer)
        .post(f"/accounts/{account.pk}/holds/{breathing}/lift-request/", {"reason": "ended"}, follow=True)
        .content.decode()
    )
    assert "not lifted on request" in no
    own = Hold.objects.get(pk=_hold(account, "vulnerability"))
    mine = request_lift(hold=own, account=account, reason="fine", now=timezone.now(), actor=lead)
    self_decided = (
        signed_in(lead)
        .post(f"/accounts/{account.pk}/hold-lift-requests/{mine.pk}/decide/", {"decision": "approve"}, follow=True)
        .content.decode()
    )
    assert "you asked for this lift" in self_decided
    assert Hold.objects.get(pk=own.pk).lifted_at is None


def test_one_open_request_per_hold_is_a_database_rule(officer: User, account: Account) -> None:
    from django.db import IntegrityError, transaction

    from recoup.compliance.models import HoldLiftRequest

    hold_id = _hold(account)
    HoldLiftRequest.objects.create(hold_id=hold_id, account=account, reason="a", requested_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        HoldLiftRequest.objects.create(hold_id=hold_id, account=account, reason="b", requested_at=timezone.now())
