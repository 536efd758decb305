"""The demo portfolio's money: balances, open items and a payment history that the ledger check accepts."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.db.models import F, Sum

from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, LedgerEntry, LedgerTransaction, OpenItem, Payment
from recoup.core.allocation import AllocationPolicy
from recoup.core.ledger import Component
from recoup.core.postings import ItemBalance, allocate_minor
from recoup.demo import calibration
from recoup.demo.generator import DemoSummary, generate_portfolio, sample_history
from recoup.demo.history import M_PLACED, PRINCIPAL, T_PAYMENT, T_REVERSAL

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
ACCOUNTS = 1500
SEED = 11
CLOSED = {"paid", "settled", "written_off"}
# Per agency account: placed balance, collected (net of returns), days since placement, days past due then.
Liquidation = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@pytest.fixture
def portfolio() -> DemoSummary:
    return generate_portfolio(accounts=ACCOUNTS, seed=SEED, as_of=AS_OF, now=NOW)


def owed(account: Account) -> int:
    return account.principal_minor + account.interest_minor + account.fees_minor + account.costs_minor


def foreign_keys() -> set[tuple[str, str, str]]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
        )
        return {(str(t), str(n), str(d)) for t, n, d in cursor.fetchall()}


class TestLedger:
    def test_the_ledger_check_passes_and_counts_what_was_written(self, portfolio: DemoSummary) -> None:
        check = verify_ledger()
        assert check.ok, (check.unbalanced_transactions, check.account_mismatches, check.item_mismatches)
        assert check.items == OpenItem.objects.count() == portfolio.open_items > ACCOUNTS
        assert check.transactions == LedgerTransaction.objects.count() == portfolio.transactions
        assert check.entries == LedgerEntry.objects.count() == portfolio.entries
        assert Payment.objects.count() == portfolio.payments > ACCOUNTS // 5

    def test_nothing_is_dated_after_the_business_date(self, portfolio: DemoSummary) -> None:
        assert not LedgerTransaction.objects.filter(effective_date__gt=AS_OF).exists()
        assert not LedgerEntry.objects.filter(effective_date__gt=AS_OF).exists()
        assert not LedgerTransaction.objects.filter(posted_at__gt=NOW).exists()
        assert not LedgerEntry.objects.exclude(effective_date=F("transaction__effective_date")).exists()
        for received_at in Payment.objects.values_list("received_at", flat=True):
            assert received_at.date() < AS_OF
        # Nothing is posted before the account reached collections.
        placed = dict(Account.objects.values_list("id", "placed_at"))
        for account_id, effective in LedgerTransaction.objects.values_list("account_id", "effective_date"):
            assert effective >= placed[account_id].date()

    def test_the_foreign_keys_are_back_as_they_were(self) -> None:
        before = foreign_keys()
        generate_portfolio(accounts=200, seed=SEED, as_of=AS_OF, now=NOW)
        assert foreign_keys() == before


class TestBalances:
    def test_balances_are_positive_by_component_and_closed_accounts_owe_nothing(self, portfolio: DemoSummary) -> None:
        accounts = list(Account.objects.all())
        for account in accounts:
            for value in (account.principal_minor, account.interest_minor, account.fees_minor, account.costs_minor):
                assert value >= 0
            assert account.credit_balance_minor >= 0
            if account.status in CLOSED:
                assert owed(account) == 0, account.reference
            else:
                assert owed(account) > 0, account.reference
        statuses = Counter(account.status for account in accounts)
        assert min(statuses["paid"], statuses["settled"]) > 0
        assert 0.6 < statuses["active"] / ACCOUNTS < 0.85

    def test_placed_balances_are_log_normal_around_the_published_medians(self, portfolio: DemoSummary) -> None:
        placed: dict[str, list[int]] = defaultdict(list)
        for product, amount in LedgerTransaction.objects.filter(memo="Balance placed for collection").values_list(
            "account__product_type", "amount_minor"
        ):
            placed[product].append(amount)
        medians = {product: statistics.median(amounts) / 100 for product, amounts in placed.items()}
        # PRODUCT.md: instalment loans about $13k; card, utility and medical debts under $1k.
        assert 9_000 < medians["personal_loan"] < 16_000
        for product in ("credit_card", "utility", "medical"):
            assert 200 < medians[product] < 1_000, product
        # Log-normal: long right tail, mean above the median.
        cards = placed["credit_card"]
        assert statistics.mean(cards) > 1.2 * statistics.median(cards)
        assert max(cards) > 10 * statistics.median(cards)

    def test_interest_fees_and_costs_only_where_the_product_has_them(self, portfolio: DemoSummary) -> None:
        by_product: dict[str, set[str]] = defaultdict(set)
        for product, component in OpenItem.objects.values_list("account__product_type", "component").distinct():
            by_product[product].add(component)
        assert {"principal", "interest", "fees"} <= by_product["credit_card"]
        assert {"principal", "interest", "fees"} <= by_product["personal_loan"]
        assert "interest" not in by_product["medical"]
        assert "fees" not in by_product["medical"]
        assert "interest" not in by_product["utility"]
        # Every account in legal carries court costs.
        legal = Account.objects.filter(status="legal")
        assert legal.exists()
        assert not legal.filter(costs_minor=0).exclude(open_items__component="costs").exists()
        assert OpenItem.objects.filter(component="costs", kind="cost").exists()

    def test_itemization_is_stated_at_charge_off_or_placement_from_the_ledger(self, portfolio: DemoSummary) -> None:
        for account in Account.objects.all()[:400]:
            placed = account.placed_at.date()
            expected_date = account.charge_off_date or placed
            assert account.itemization_date == expected_date
            stated_to = max(expected_date, placed)
            total = LedgerEntry.objects.filter(
                account=account, book="receivable", effective_date__lte=stated_to
            ).aggregate(total=Sum("amount_minor"))["total"]
            assert account.itemization_amount_minor == total


class TestOpenItems:
    def test_consumer_items_are_due_on_the_first_delinquency_date(self, portfolio: DemoSummary) -> None:
        placed = OpenItem.objects.filter(kind="placement").select_related("account")
        assert placed.exists()
        for item in placed:
            assert item.due_date == item.account.first_delinquency_date
        # One placement item per component.
        components = Counter(OpenItem.objects.filter(kind="placement").values_list("account_id", "component"))
        assert max(components.values()) == 1

    def test_b2b_accounts_have_several_invoices_with_their_own_due_dates_and_numbers(
        self, portfolio: DemoSummary
    ) -> None:
        accounts = Account.objects.filter(creditor__code="demo-uk-b2b").prefetch_related("open_items")
        assert accounts.exists()
        references: list[str] = []
        counts = []
        for account in accounts:
            invoices = sorted(
                (item for item in account.open_items.all() if item.kind == "invoice"), key=lambda i: i.due_date
            )
            assert len(invoices) >= 2, account.reference
            counts.append(len(invoices))
            assert invoices[0].due_date == account.first_delinquency_date
            assert len({item.due_date for item in invoices}) == len(invoices)
            references += [item.reference for item in invoices]
        assert statistics.mean(counts) > 3
        assert len(set(references)) == len(references)
        assert all(reference.startswith("SI-") for reference in references)


def replay_account(account_id: int, policy: AllocationPolicy) -> int:
    """Post the account's transactions again in order and check each payment against `allocate_minor`."""
    balances: dict[int, ItemBalance] = {}
    items = {item.pk: item for item in OpenItem.objects.filter(account_id=account_id)}
    entries = defaultdict(list)
    for entry in LedgerEntry.objects.filter(account_id=account_id).order_by("id"):
        entries[entry.transaction_id].append(entry)
    payments = 0
    for txn in LedgerTransaction.objects.filter(account_id=account_id).order_by("id"):
        lines = entries[txn.pk]
        if txn.type == "payment":
            payments += 1
            paid, over = allocate_minor(txn.amount_minor, [b for b in balances.values() if b.balance_minor > 0], policy)
            expected = [("cash", None, txn.amount_minor)] + [("receivable", b.item_id, -part) for b, part in paid]
            if over:
                expected.append(("credit_balance", None, -over))
            assert [(e.book, e.open_item_id, e.amount_minor) for e in lines] == expected, txn.pk
        for entry in lines:
            if entry.book == "receivable":
                item = items[entry.open_item_id]
                current = balances.get(item.pk)
                balance = (current.balance_minor if current else 0) + entry.amount_minor
                balances[item.pk] = ItemBalance(item.pk, Component(item.component), item.due_date, balance)
    return payments


class TestPayments:
    def test_payments_follow_the_default_waterfall(self, portfolio: DemoSummary) -> None:
        policy = AllocationPolicy()
        payers = list(Payment.objects.values_list("account_id", flat=True).distinct().order_by("account_id"))
        assert len(payers) > ACCOUNTS // 10
        checked = sum(replay_account(account_id, policy) for account_id in payers[::3])
        assert checked > 50

    def test_a_share_of_accounts_pays_more_in_arrangements_than_charged_off(self, portfolio: DemoSummary) -> None:
        def payer_share(accounts: object) -> float:
            ids = set(accounts.values_list("id", flat=True))  # type: ignore[attr-defined]
            paying = set(Payment.objects.filter(account_id__in=ids).values_list("account_id", flat=True))
            return len(paying) / len(ids)

        arrangements = payer_share(Account.objects.filter(status="in_arrangement"))
        charged_off_active = payer_share(Account.objects.filter(status="active", charge_off_date__isnull=False))
        assert arrangements > 0.6
        assert charged_off_active < 0.35
        assert arrangements > charged_off_active
        methods = Counter(Payment.objects.values_list("method", flat=True))
        assert {"card", "bank_transfer", "direct_debit"} <= set(methods)
        assert not Payment.objects.exclude(idempotency_key=None).exists()
        assert not Payment.objects.exclude(amount_minor=F("transaction__amount_minor")).exists()
        assert not Payment.objects.exclude(transaction__type="payment").exists()

    def test_returned_payments_are_reversed_by_an_exact_mirror(self, portfolio: DemoSummary) -> None:
        reversals = list(LedgerTransaction.objects.filter(type="payment_reversal").select_related("reverses"))
        assert reversals
        for reversal in reversals:
            original = reversal.reverses
            assert original is not None
            assert original.type == "payment"
            assert reversal.effective_date > original.effective_date
            assert reversal.amount_minor == original.amount_minor
            mirrored = [
                (book, component, item, -amount)
                for book, component, item, amount in original.entries.order_by("id").values_list(
                    "book", "component", "open_item_id", "amount_minor"
                )
            ]
            assert (
                list(reversal.entries.order_by("id").values_list("book", "component", "open_item_id", "amount_minor"))
                == mirrored
            )
            payment = Payment.objects.get(transaction=original)
            assert payment.reversal_id == reversal.pk
            assert payment.reversal_reason == reversal.memo != ""
        reversed_payments = Payment.objects.exclude(reversal=None).count()
        assert reversed_payments == len(reversals)
        assert reversed_payments < Payment.objects.count() * 0.05

    def test_adjustments_and_write_downs_balance_against_their_books(self, portfolio: DemoSummary) -> None:
        adjustments = LedgerTransaction.objects.filter(type="adjustment")
        assert adjustments.exists()
        for txn in adjustments:
            receivable, other = txn.entries.order_by("id")
            assert receivable.book == "receivable"
            assert receivable.open_item_id is not None
            assert (other.book, other.component, other.amount_minor) == (
                "adjustment",
                receivable.component,
                -receivable.amount_minor,
            )
            assert abs(receivable.amount_minor) == txn.amount_minor
            assert txn.memo
        for status, kind in (("settled", "settlement_write_down"), ("written_off", "write_off")):
            for account in Account.objects.filter(status=status):
                write_downs = account.transactions.filter(type=kind)
                if owed(account) == 0 and not write_downs.exists():
                    continue  # paid in full before the settlement or write-off was needed
                assert write_downs.count() == 1
        assert LedgerTransaction.objects.filter(type="settlement_write_down").exists()


@pytest.fixture(scope="module")
def liquidation() -> Liquidation:
    """A large agency book drawn in memory (no database), as the generator draws it."""
    facts, history = sample_history(creditor_code="demo-us-agency", accounts=60_000, seed=3, as_of=AS_OF)
    n = len(facts.products)
    placed = np.zeros(n, dtype=np.int64)
    charged = history.txn_memo == M_PLACED
    np.add.at(placed, history.txn_account[charged], history.txn_amount[charged])
    collected = np.zeros(n, dtype=np.int64)
    paid = history.txn_type == T_PAYMENT
    np.add.at(collected, history.txn_account[paid], history.txn_amount[paid])
    returned = history.txn_type == T_REVERSAL
    np.add.at(collected, history.txn_account[returned], -history.txn_amount[returned])
    days_placed = facts.as_of_day - facts.placed_second // 86_400
    return placed, collected, days_placed, facts.dpd - days_placed


class TestAgencyCalibration:
    """On a large sample in memory (no database), the agency book collects as PRODUCT.md says."""

    def test_twelve_to_twenty_two_percent_of_placed_balances_in_twelve_months(self, liquidation: Liquidation) -> None:
        placed, collected, days_placed, _ = liquidation
        year = (days_placed >= 320) & (days_placed < 410)
        rate = Decimal(int(collected[year].sum())) / Decimal(int(placed[year].sum()))
        assert Decimal("0.12") <= rate <= Decimal("0.22")

    def test_collections_slow_with_time_and_with_the_age_of_the_debt(self, liquidation: Liquidation) -> None:
        placed, collected, days_placed, at_placement = liquidation

        def rate(mask: np.ndarray) -> float:
            return float(collected[mask].sum() / placed[mask].sum())

        # Cumulative collections grow with the time since placement, more slowly as it ages.
        first, second, third = (
            rate((days_placed >= low) & (days_placed < high)) for low, high in ((0, 180), (180, 365), (365, 731))
        )
        assert first < second < third
        assert second - first > third - second
        year = (days_placed >= 240) & (days_placed < 480)
        assert rate(year & (at_placement < 200)) > rate(year & (at_placement >= 350))


class TestCardCalibration:
    def test_the_card_book_rates_by_balance_are_the_published_ones(self) -> None:
        """PRODUCT.md: 2-3.5% of card balances 30+ days past due, 1.5-2.5% 60+, net charge-offs 4-6% a year.

        The queue's buckets hold accounts in the roll-rate chain's proportions; by balance, each
        bucket weighs its mean balance (later buckets owe more interest and fees) against the mean
        balance of a card in good standing (the same principal and a month's interest).
        """
        facts, history = sample_history(creditor_code="demo-us-card", accounts=200_000, seed=4, as_of=AS_OF)
        n = len(facts.dpd)
        placed = np.zeros(n, dtype=np.int64)
        charged = history.txn_memo == M_PLACED
        np.add.at(placed, history.txn_account[charged], history.txn_amount[charged])
        principal = history.item_original[history.item_component == PRINCIPAL]
        bucket = np.minimum(facts.dpd // 30, 6)
        mean_balance = np.asarray([placed[bucket == b].mean() for b in range(7)])
        assert mean_balance[0] < mean_balance[3] < mean_balance[6]  # the later, the more interest and fees
        book_mean = principal.mean() * (1 + 0.25 * 30 / 365)
        rates = calibration.CARD_ROLL_RATES
        stock = np.cumprod([1.0, *rates[:-1]]) * calibration.CARD_MONTHLY_ENTRY_RATE
        weight = mean_balance[:6] / book_mean
        assert 0.02 <= (stock[1:] * weight[1:]).sum() <= 0.035
        assert 0.015 <= (stock[2:] * weight[2:]).sum() <= 0.025
        assert 0.04 <= 12 * stock[-1] * rates[-1] * mean_balance[6] / book_mean <= 0.06
