"""Plans, promises and settlements with the database: policy and approval, holds, re-planning with
history, monitoring after payments and daily, settlement write-downs, and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from factories import AccountFactory, CreditorFactory, UserFactory
from ledger_helpers import owing, usd
from recoup.accounts.models import Account, ChargeFreeze
from recoup.accounts.services import post_charge, record_payment
from recoup.arrangements.models import Arrangement, Due
from recoup.arrangements.services import (
    PlanRequest,
    UnableToArrange,
    approve,
    cancel,
    create_plan,
    create_promise,
    create_settlement,
    monitor,
)
from recoup.audit.models import AuditEvent
from recoup.compliance.services import place_hold
from recoup.core.arrangements import Frequency
from recoup.core.ledger import Component
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)


@pytest.fixture
def account() -> Account:
    creditor = CreditorFactory(arrangement_policy={"grace_days": 3, "misses_allowed": 1, "date_rule": "none"})
    return owing(AccountFactory(creditor=creditor), principal="1000.00")


def pay(account: Account, amount: str, on: date, capture: Any) -> None:
    """A payment, committed: the monitoring that listens for payments runs after the commit."""
    with capture(execute=True):
        record_payment(
            account=account,
            amount=usd(amount),
            received_at=at(on),
            method="card",
            now=at(on),
            actor=None,
            idempotency_key=f"pay-{account.pk}-{on.isoformat()}-{amount}",
        )


def statuses(arrangement: Arrangement) -> list[tuple[str, str, str]]:
    return [(str(d.due_date), str(d.amount_minor), d.status) for d in arrangement.dues.order_by("number")]


class TestPlans:
    def test_a_monthly_plan_from_31_january_keeps_the_month_end_and_sums_exactly(self, account: Account) -> None:
        plan = create_plan(
            account=account,
            request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 1, 31), count=3),
            now=NOW,
            actor=None,
        )
        assert plan.state == "active"
        assert statuses(plan) == [
            ("2027-01-31", "33333", "pending"),
            ("2027-02-28", "33333", "pending"),
            ("2027-03-31", "33334", "pending"),
        ]
        assert Account.objects.get(pk=account.pk).status == "in_arrangement"
        assert AuditEvent.objects.filter(name="arrangements.plan.created", subject_id=plan.pk).exists()

    def test_payments_keep_instalments_at_once_and_a_broken_plan_is_replanned_with_its_history(
        self, account: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        plan = create_plan(
            account=account,
            request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), count=4),
            now=NOW,
            actor=None,
        )
        pay(
            account, "250.00", date(2027, 2, 3), django_capture_on_commit_callbacks
        )  # two days late: inside the 3 grace days
        plan.refresh_from_db()
        assert statuses(plan)[0][2] == "kept"  # monitored on the payment, not the next night
        result = monitor(as_of=date(2027, 3, 5), now=at(date(2027, 3, 5)), actor=None)
        assert result.broken == 1
        plan.refresh_from_db()
        assert plan.state == "active"  # one miss is allowed
        monitor(as_of=date(2027, 4, 5), now=at(date(2027, 4, 5)), actor=None)
        plan.refresh_from_db()
        assert plan.state == "broken"
        assert [s for _, _, s in statuses(plan)] == ["kept", "broken", "broken", "pending"]
        assert Account.objects.get(pk=account.pk).status == "active"
        assert AuditEvent.objects.filter(name="arrangements.arrangement.broken", subject_id=plan.pk).exists()

        again = create_plan(
            account=Account.objects.get(pk=account.pk),
            request=PlanRequest(frequency=Frequency.WEEKLY, first_due=date(2027, 4, 9), instalment=usd("100.00")),
            now=at(date(2027, 4, 6)),
            actor=None,
        )
        assert again.total_minor == 75000  # what is still owed
        assert [d.amount_minor for d in again.dues.order_by("number")] == [10000] * 7 + [5000]
        assert Arrangement.objects.filter(account=account).count() == 2
        assert Arrangement.objects.get(pk=plan.pk).state == "broken"  # history kept
        assert again.replaces_id == plan.pk  # the re-plan points back at the broken plan

    def test_the_creditor_says_which_payment_takes_the_rounding_remainder(self, account: Account) -> None:
        creditor = account.creditor
        creditor.arrangement_policy = {"date_rule": "none", "remainder": "first"}
        creditor.save()
        plan = create_plan(
            account=Account.objects.get(pk=account.pk),
            request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), count=3),
            now=NOW,
            actor=None,
        )
        assert [d.amount_minor for d in plan.dues.order_by("number")] == [33334, 33333, 33333]
        creditor.arrangement_policy = {"remainder": "middle"}
        creditor.save()
        with pytest.raises(UnableToArrange, match="remainder must be 'first' or 'last'"):
            create_plan(
                account=Account.objects.get(pk=account.pk),
                request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), count=3),
                now=NOW,
                actor=None,
            )

    def test_a_new_plan_replaces_the_open_one(self, account: Account) -> None:
        first = create_plan(
            account=account,
            request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), count=10),
            now=NOW,
            actor=None,
        )
        second = create_plan(
            account=account,
            request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 15), count=5),
            now=NOW,
            actor=None,
        )
        first.refresh_from_db()
        assert (first.state, second.replaces_id) == ("replaced", first.pk)

    def test_bad_plans_are_refused_with_the_reason_and_nothing_is_written(self, account: Account) -> None:
        cases = [
            (
                PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 1, 1), count=3),
                "first_due: 2027-01-01 is in the past",
            ),
            (
                PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), total=usd("5000.00"), count=3),
                "total: 5,000.00 USD is more than the 1,000.00 USD owed",
            ),
            (PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1)), "count"),
            (PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), count=48), "the plan runs 48 months"),
        ]
        for request, words in cases:
            with pytest.raises(UnableToArrange, match=words):
                create_plan(account=account, request=request, now=NOW, actor=None)
        assert Arrangement.objects.count() == 0
        assert Due.objects.count() == 0

    def test_a_plan_outside_policy_waits_for_a_team_leads_approval(self, account: Account) -> None:
        officer = UserFactory(role=Role.OFFICER)
        lead = UserFactory(role=Role.TEAM_LEAD)
        long_plan = PlanRequest(
            frequency=Frequency.MONTHLY,
            first_due=date(2027, 2, 1),
            count=48,
            freeze_charges=True,
            approval_reason="SFS shows £20 a month spare; 48 months is what she can keep",
        )
        plan = create_plan(account=account, request=long_plan, now=NOW, actor=officer)
        assert plan.state == "pending_approval"
        assert "the plan runs 48 months; the creditor's limit is 36" in plan.approval_reason
        assert ChargeFreeze.objects.count() == 0  # not in force until approved
        with pytest.raises(UnableToArrange, match="permission"):
            approve(arrangement=plan, now=NOW, actor=officer)
        approved = approve(arrangement=plan, now=NOW, actor=lead, note="agreed")
        assert (approved.state, approved.approved_by_id) == ("active", lead.pk)
        freeze = ChargeFreeze.objects.get()
        assert (freeze.source, freeze.ends_on) == ("payment_plan", date(2031, 1, 1))
        with pytest.raises(Exception, match="interest is frozen"):
            post_charge(
                account=account,
                component=Component.INTEREST,
                amount=usd("5.00"),
                due_date=date(2027, 2, 1),
                now=NOW + timedelta(days=1),
                actor=None,
            )
        cancel(arrangement=approved, reason="debtor asked to stop", now=NOW + timedelta(days=2), actor=lead)
        freeze.refresh_from_db()
        assert freeze.ended_on == date(2027, 1, 22)

    def test_no_plan_while_the_debt_is_disputed(self, account: Account) -> None:
        place_hold(kind="dispute", reason="says it was paid", starts_at=NOW, now=NOW, actor=None, account=account)
        with pytest.raises(UnableToArrange, match="the debt is disputed"):
            create_plan(
                account=account,
                request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), count=3),
                now=NOW + timedelta(minutes=1),
                actor=None,
            )


class TestPromisesAndSettlements:
    def test_a_promise_of_two_amounts_is_kept_then_partly_kept(
        self, account: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        promise = create_promise(
            account=account,
            amounts=[(date(2027, 1, 25), usd("100.00")), (date(2027, 2, 25), usd("100.00"))],
            now=NOW,
            actor=None,
            channel="call",
        )
        pay(account, "100.00", date(2027, 1, 25), django_capture_on_commit_callbacks)
        pay(account, "40.00", date(2027, 2, 26), django_capture_on_commit_callbacks)
        monitor(as_of=date(2027, 3, 10), now=at(date(2027, 3, 10)), actor=None)
        promise.refresh_from_db()
        assert [s for _, _, s in statuses(promise)] == ["kept", "partly_kept"]
        with pytest.raises(UnableToArrange, match="date: two promised amounts fall on the same day"):
            create_promise(
                account=account,
                amounts=[(date(2027, 4, 1), usd("1.00")), (date(2027, 4, 1), usd("2.00"))],
                now=at(date(2027, 3, 10)),
                actor=None,
            )

    def test_a_settlement_paid_in_full_writes_the_rest_down_and_settles_the_account(
        self, account: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        creditor = account.creditor
        creditor.settlement_authority = {"officer": 20, "team_lead": 40}
        creditor.save()
        officer = UserFactory(role=Role.OFFICER)
        account = Account.objects.get(pk=account.pk)
        with pytest.raises(
            UnableToArrange, match=r"a discount of 30.00% is more than your settlement authority \(20%\)"
        ):
            create_settlement(account=account, amounts=[(date(2027, 2, 1), usd("700.00"))], now=NOW, actor=officer)
        settlement = create_settlement(
            account=account, amounts=[(date(2027, 2, 1), usd("800.00"))], now=NOW, actor=officer
        )
        assert settlement.state == "active"
        pay(account, "800.00", date(2027, 2, 1), django_capture_on_commit_callbacks)
        settlement.refresh_from_db()
        assert settlement.state == "completed"
        account.refresh_from_db()
        assert (account.status, account.balance.is_zero) == ("settled", True)
        assert account.transactions.filter(type="settlement_write_down", amount_minor=20000).exists()

    def test_a_settlement_beyond_authority_waits_for_someone_with_enough(self, account: Account) -> None:
        creditor = account.creditor
        creditor.settlement_authority = {"officer": 10, "team_lead": 25}
        creditor.save()
        account = Account.objects.get(pk=account.pk)
        officer = UserFactory(role=Role.OFFICER)
        lead = UserFactory(role=Role.TEAM_LEAD)
        manager = UserFactory(role=Role.MANAGER)
        pending = create_settlement(
            account=account,
            amounts=[(date(2027, 2, 1), usd("600.00"))],
            now=NOW,
            actor=officer,
            approval_reason="terminal illness; one-off family help",
        )
        assert pending.state == "pending_approval"
        with pytest.raises(UnableToArrange, match=r"40.00% is more than your settlement authority \(25%\)"):
            approve(arrangement=pending, now=NOW, actor=lead)
        assert approve(arrangement=pending, now=NOW, actor=manager).state == "active"
