"""The demo portfolio carries the payment plans behind the instalments of its accounts in arrangement."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from demo_helpers import remove_portfolio
from recoup.accounts.models import Account, Payment
from recoup.arrangements.models import Arrangement, Due
from recoup.demo.generator import DemoSummary, generate_portfolio

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
ACCOUNTS = 1500
DETERMINISM_ACCOUNTS = 400
SEED = 11
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 30}
# Children first: the order in which SQLite can delete them.


def generate(accounts: int = ACCOUNTS) -> DemoSummary:
    return generate_portfolio(accounts=accounts, seed=SEED, as_of=AS_OF, now=NOW)


@pytest.fixture
def portfolio() -> DemoSummary:
    return generate()


def dues_of(arrangement_ids: list[int] | None = None) -> dict[int, list[Due]]:
    """Dues by arrangement, in number order."""
    found: dict[int, list[Due]] = defaultdict(list)
    dues = Due.objects.order_by("arrangement_id", "number")
    if arrangement_ids is not None:
        dues = dues.filter(arrangement_id__in=arrangement_ids)
    for due in dues:
        found[due.arrangement_id].append(due)
    return found


def payments_since(arrangement: Arrangement, by_account: dict[int, list[tuple[date, int]]]) -> list[tuple[date, int]]:
    """The payments that stood (not returned), on or after the day the plan was agreed, in date order."""
    made_on = arrangement.created_at.date()
    return sorted((on, minor) for on, minor in by_account[arrangement.account_id] if on >= made_on)


def standing_payments() -> dict[int, list[tuple[date, int]]]:
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for account_id, received_at, minor in Payment.objects.filter(reversal__isnull=True).values_list(
        "account_id", "received_at", "amount_minor"
    ):
        found[account_id].append((received_at.date(), minor))
    return found


def plans_by_reference() -> dict[str, tuple[object, ...]]:
    """Every plan with its dues, keyed by the account's reference (ids differ between runs on SQLite)."""
    dues = dues_of()
    return {
        arrangement.account.reference: (
            arrangement.kind,
            arrangement.state,
            arrangement.currency,
            arrangement.total_minor,
            arrangement.balance_minor,
            arrangement.frequency,
            arrangement.created_at,
            arrangement.ended_at,
            arrangement.account.status,
            tuple(
                (due.number, due.due_date, due.amount_minor, due.status, due.paid_minor, due.paid_on)
                for due in dues[arrangement.pk]
            ),
        )
        for arrangement in Arrangement.objects.select_related("account")
    }


class TestPlans:
    def test_every_account_in_arrangement_has_one_active_plan_and_broken_ones_went_back_to_active(
        self, portfolio: DemoSummary
    ) -> None:
        in_arrangement = set(Account.objects.filter(status="in_arrangement").values_list("id", flat=True))
        assert len(in_arrangement) > ACCOUNTS // 20
        arrangements = list(Arrangement.objects.select_related("account"))
        per_account: dict[int, int] = defaultdict(int)
        for arrangement in arrangements:
            per_account[arrangement.account_id] += 1
            assert arrangement.kind == "plan"
            assert arrangement.state in ("active", "broken")
            if arrangement.state == "active":
                assert arrangement.account.status == "in_arrangement"
                assert arrangement.ended_at is None
            else:
                # Monitoring broke it: the account returned from "in arrangement" to "active".
                assert arrangement.account.status == "active"
                assert arrangement.ended_at == NOW
        assert set(per_account.values()) == {1}
        active = {a.account_id for a in arrangements if a.state == "active"}
        assert active == in_arrangement
        assert portfolio.arrangements == len(arrangements)
        assert portfolio.dues == Due.objects.count()
        assert dict(portfolio.arrangements_by_state) == {
            state: sum(1 for a in arrangements if a.state == state) for state in ("active", "broken")
        }

    def test_the_dues_of_each_plan_add_up_to_its_total_at_its_cadence(self, portfolio: DemoSummary) -> None:
        dues = dues_of()
        arrangements = list(Arrangement.objects.select_related("account"))
        assert arrangements
        for arrangement in arrangements:
            schedule = dues[arrangement.pk]
            assert [due.number for due in schedule] == list(range(1, len(schedule) + 1))
            assert sum(due.amount_minor for due in schedule) == arrangement.total_minor > 0
            assert all(due.amount_minor > 0 for due in schedule)
            # Equal instalments; the last takes what is left, never more than one instalment.
            assert {due.amount_minor for due in schedule[:-1]} <= {schedule[0].amount_minor}
            assert schedule[-1].amount_minor <= schedule[0].amount_minor
            assert 0 < arrangement.total_minor <= arrangement.balance_minor
            cadence = CADENCE_DAYS[arrangement.frequency]
            gaps = {(later.due_date - earlier.due_date).days for earlier, later in itertools.pairwise(schedule)}
            assert gaps <= {cadence}
            # Agreed after placement; the first instalment falls due after that (the same day at the
            # earliest, for accounts placed on the business date).
            assert arrangement.account.placed_at.date() <= arrangement.created_at.date() <= schedule[0].due_date
            assert arrangement.currency == arrangement.account.currency
            assert (arrangement.taken_by, arrangement.channel, arrangement.created_by_id) == ("officer", "call", None)
            assert (arrangement.grace_days, arrangement.misses_allowed) == (3, 1)
            assert arrangement.created_at.time() == datetime(2026, 1, 1, 12, tzinfo=UTC).time()
        frequencies = {a.frequency for a in arrangements}
        assert frequencies == {"weekly", "fortnightly", "monthly"}
        # Plans were agreed for 6-36 months: some instalments are still to come on every plan kept.
        assert Due.objects.filter(status="pending").count() > Due.objects.filter(status="kept").count() > 0
        assert Due.objects.filter(status="broken").exists()

    def test_kept_dues_are_what_the_payments_imply(self, portfolio: DemoSummary) -> None:
        """A due is kept when the payments since the plan, oldest due first, cover it by three days after it."""
        paid = standing_payments()
        dues = dues_of()
        checked = 0
        for arrangement in Arrangement.objects.all():
            payments = payments_since(arrangement, paid)
            owed_so_far = 0
            for due in dues[arrangement.pk]:
                owed_so_far += due.amount_minor
                deadline = min(due.due_date + timedelta(days=arrangement.grace_days), AS_OF)
                covered = sum(minor for on, minor in payments if on <= deadline) >= owed_so_far
                expected = due.due_date <= AS_OF and covered
                assert (due.status == "kept") == expected, (arrangement.account_id, due.number)
            checked += 1
        assert checked == Arrangement.objects.count() > 50

    def test_each_instalment_paid_keeps_the_due_it_was_paid_for(self, portfolio: DemoSummary) -> None:
        """On plans still active, the instalments paid are the dues kept, one for one and on their dates."""
        paid = standing_payments()
        active = list(Arrangement.objects.filter(state="active"))
        dues = dues_of([a.pk for a in active])
        sampled = 0
        for arrangement in active:
            payments = payments_since(arrangement, paid)
            if not payments:
                continue
            kept = [due for due in dues[arrangement.pk] if due.status == "kept"]
            assert len(kept) == len(payments), arrangement.account_id
            for due, (on, minor) in zip(kept, payments, strict=True):
                assert minor == due.amount_minor
                assert due.due_date <= on <= due.due_date + timedelta(days=arrangement.grace_days)
                assert (due.paid_minor, due.paid_on) == (minor, on)
            sampled += 1
        assert sampled > 20

    def test_broken_plans_missed_more_than_one_due(self, portfolio: DemoSummary) -> None:
        broken = list(Arrangement.objects.filter(state="broken"))
        assert broken
        dues = dues_of([a.pk for a in broken])
        for arrangement in broken:
            missed = [due for due in dues[arrangement.pk] if due.status in ("broken", "partly_kept")]
            assert len(missed) > arrangement.misses_allowed
        for arrangement in Arrangement.objects.filter(state="active"):
            missed = Due.objects.filter(arrangement=arrangement, status__in=["broken", "partly_kept"]).count()
            assert missed <= arrangement.misses_allowed


class TestDeterminism:
    def test_the_same_seed_gives_the_same_plans(self) -> None:
        generate(accounts=DETERMINISM_ACCOUNTS)
        first = plans_by_reference()
        assert len(first) > 10
        assert any(plan[1] == "broken" for plan in first.values())
        remove_portfolio()
        assert not Arrangement.objects.exists()
        generate(accounts=DETERMINISM_ACCOUNTS)
        assert plans_by_reference() == first
