"""Aging as of any date, by creditor and currency, and the receivables KPIs computed in the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, owing, usd
from recoup.accounts.ledger_selectors import account_statement, aging_report, receivables_kpis
from recoup.accounts.services import post_charge, record_payment
from recoup.core.ledger import Component
from recoup.core.money import Money

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


def cell(report, creditor_code: str, bucket: str):  # type: ignore[no-untyped-def]
    return next(r for r in report.rows if r.creditor_code == creditor_code and r.bucket == bucket)


class TestAging:
    def test_items_age_into_buckets_and_accounts_by_their_oldest_item(self) -> None:
        creditor = CreditorFactory(code="b2b")
        account = AccountFactory(creditor=creditor)
        for days, value in ((10, "100.00"), (45, "200.00"), (400, "300.00")):
            due = TODAY - timedelta(days=days)
            post_charge(
                account=account,
                component=Component.PRINCIPAL,
                amount=usd(value),
                due_date=due,
                effective_date=due,
                now=NOW,
                actor=None,
            )
        report = aging_report(as_of=TODAY, today=TODAY)
        assert cell(report, "b2b", "1-30").balance == usd("100.00")
        assert cell(report, "b2b", "31-60").balance == usd("200.00")
        assert cell(report, "b2b", "180+").balance == usd("300.00")
        assert cell(report, "b2b", "180+").accounts == 1
        assert cell(report, "b2b", "1-30").accounts == 0
        assert report.source == "cache"

    def test_a_past_date_is_recomputed_from_the_ledger_and_agrees_with_the_cache(self) -> None:
        account = owing(AccountFactory(creditor=CreditorFactory(code="card")), principal="500.00", fees="20.00")
        record_payment(account=account, amount=usd("120.00"), received_at=NOW, method="card", now=NOW, actor=None)
        today = aging_report(as_of=TODAY, today=TODAY)
        recomputed = aging_report(as_of=TODAY, today=TODAY + timedelta(days=1))
        assert recomputed.source == "ledger"
        assert today.rows == recomputed.rows
        before_payment = aging_report(as_of=TODAY - timedelta(days=1), today=TODAY)
        assert before_payment.totals()[("card", "USD")][2] == usd("520.00")
        assert today.totals()[("card", "USD")][2] == usd("400.00")

    def test_a_creditor_can_have_its_own_buckets(self) -> None:
        creditor = CreditorFactory(code="util", aging_buckets=[0, 14, 28])
        owing(AccountFactory(creditor=creditor), principal="50.00")
        labels = [r.bucket for r in aging_report(as_of=TODAY, today=TODAY, creditor=creditor).rows]
        assert labels == ["current", "1-14", "15-28", "28+"]


class TestStatement:
    def test_shows_balances_items_and_latest_transactions_as_of_a_date(self) -> None:
        account = owing(AccountFactory(), principal="500.00", interest="40.00")
        record_payment(account=account, amount=usd("40.00"), received_at=NOW, method="card", now=NOW, actor=None)
        now_statement = account_statement(account=account, as_of=TODAY)
        assert now_statement.total == usd("500.00")
        assert now_statement.transactions[0].type == "payment"
        assert now_statement.days_past_due == (TODAY - date(2026, 5, 1)).days
        earlier = account_statement(account=account, as_of=TODAY - timedelta(days=1))
        assert earlier.total == usd("540.00")
        assert earlier.balances[Component.INTEREST] == usd("40.00")


class TestKpis:
    def test_dso_cei_and_art_over_a_period(self) -> None:
        # 1,000 owed before the period; 500 more charged in it (due after it ends); 300 paid in it.
        creditor = CreditorFactory(code="kpi")
        account = AccountFactory(creditor=creditor)
        start, end = date(2026, 10, 1), date(2026, 10, 31)
        post_charge(
            account=account,
            component=Component.PRINCIPAL,
            amount=usd("1000.00"),
            due_date=date(2026, 9, 1),
            effective_date=date(2026, 9, 1),
            now=NOW,
            actor=None,
        )
        post_charge(
            account=account,
            component=Component.PRINCIPAL,
            amount=usd("500.00"),
            due_date=date(2026, 11, 15),
            effective_date=date(2026, 10, 10),
            now=NOW,
            actor=None,
        )
        record_payment(
            account=account,
            amount=usd("300.00"),
            received_at=NOW.replace(month=10, day=20),
            method="card",
            now=NOW,
            actor=None,
        )
        (kpis,) = receivables_kpis(start=start, end=end, creditor=creditor)
        assert kpis.beginning_receivables == usd("1000.00")
        assert kpis.credit_sales == usd("500.00")
        assert kpis.ending_receivables == usd("1200.00")
        assert kpis.ending_current_receivables == usd("500.00")
        assert kpis.dso == Decimal("74.40")  # 1200 / 500 * 31
        assert kpis.cei == Decimal("30.00")  # (1000 + 500 - 1200) / (1000 + 500 - 500)
        assert kpis.art == Decimal("0.45")  # 500 / 1100
        # Countback: October's 500 of sales covers 500 of the 1,200; September's 1,000 covers 700 of it.
        assert kpis.countback_dso == Decimal("52.00")  # 31 + 700 / 1000 * 30

    def test_each_currency_is_reported_on_its_own(self) -> None:
        owing(AccountFactory(), principal="10.00")
        owing(AccountFactory(creditor=CreditorFactory(uk_lender=True)), principal="10.00")
        report = receivables_kpis(start=date(2026, 1, 1), end=TODAY)
        assert [k.currency for k in report] == ["GBP", "USD"]
        assert report[0].ending_receivables == Money.of("10.00", "GBP")
