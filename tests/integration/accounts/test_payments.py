"""Posting payments: the waterfall, overpayments, idempotency, batches, reversals and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, owing, usd
from recoup.accounts import payments
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, LedgerEntry, LedgerTransaction, OpenItem, Payment
from recoup.accounts.services import (
    PaymentRequest,
    UnableToRecordPayment,
    UnableToRecordPayments,
    UnableToReversePayment,
    record_payment,
    record_payments,
    reverse_payment,
)
from recoup.audit.models import AuditEvent
from recoup.core.ledger import Component
from recoup.core.money import Money

pytestmark = pytest.mark.django_db


def pay(account: Account, value: str, **kwargs: object) -> Payment:
    options: dict[str, object] = {
        "received_at": NOW - timedelta(hours=1),
        "method": "card",
        "now": NOW,
        "actor": None,
    }
    options.update(kwargs)
    return record_payment(account=account, amount=Money.of(value, account.currency), **options)  # type: ignore[arg-type]


def balances(account: Account) -> dict[Component, Money]:
    account.refresh_from_db()
    return account.balances


class TestRecordPayment:
    def test_pays_fees_then_interest_then_principal_by_default(self, account: Account) -> None:
        pay(account, "100.00")
        assert balances(account) == {
            Component.PRINCIPAL: usd("975.00"),
            Component.INTEREST: usd("0.00"),
            Component.FEES: usd("0.00"),
            Component.COSTS: usd("0.00"),
        }
        assert verify_ledger().ok

    def test_follows_an_oldest_item_first_creditor(self) -> None:
        creditor = CreditorFactory(allocation_policy={"method": "oldest_first"})
        account = owing(AccountFactory(creditor=creditor), principal="100.00", fees="30.00")
        pay(account, "110.00")
        assert balances(account)[Component.PRINCIPAL] == usd("0.00")
        assert balances(account)[Component.FEES] == usd("20.00")

    def test_every_payment_is_balanced_double_entry_with_an_audit_event(self, account: Account) -> None:
        payment = pay(account, "60.00")
        entries = LedgerEntry.objects.filter(transaction=payment.transaction)
        assert sum(e.amount_minor for e in entries) == 0
        assert {(e.book, e.amount_minor) for e in entries} == {
            ("cash", 6000),
            ("receivable", -2500),
            ("receivable", -3500),
        }
        event = AuditEvent.objects.get(name="accounts.payment.recorded", subject_id=payment.pk)
        assert event.account_id == account.pk
        assert event.after["allocated"] == {"fees": "25.00 USD", "interest": "35.00 USD"}

    def test_an_overpayment_becomes_a_credit_balance(self, account: Account) -> None:
        pay(account, "1100.00")
        account.refresh_from_db()
        assert account.balance == usd("0.00")
        assert account.credit_balance == usd("25.00")
        assert verify_ledger().ok

    def test_the_same_idempotency_key_returns_the_first_payment(self, account: Account) -> None:
        first = pay(account, "10.00", idempotency_key="bank-2026-11-20-001")
        again = pay(account, "10.00", idempotency_key="bank-2026-11-20-001")
        assert again.pk == first.pk
        assert Payment.objects.count() == 1
        assert balances(account)[Component.FEES] == usd("15.00")

    def test_the_same_key_with_another_amount_is_refused(self, account: Account) -> None:
        pay(account, "10.00", idempotency_key="k-1")
        with pytest.raises(UnableToRecordPayment, match="idempotency_key: 'k-1' was already used"):
            pay(account, "11.00", idempotency_key="k-1")
        assert Payment.objects.count() == 1


class TestBadPayments:
    @pytest.mark.parametrize(
        ("value", "currency", "kwargs", "message"),
        [
            ("0.00", "USD", {}, "amount: must be more than zero"),
            ("-5.00", "USD", {}, "amount: must be more than zero"),
            ("5.00", "GBP", {}, "currency: GBP differs from account"),
            ("5.00", "USD", {"received_at": NOW + timedelta(days=1)}, "received_at: .* is in the future"),
            ("5.00", "USD", {"method": "bitcoin"}, "method: 'bitcoin' is not one of"),
        ],
    )
    def test_is_refused_naming_the_field_and_nothing_is_written(
        self, account: Account, value: str, currency: str, kwargs: dict[str, object], message: str
    ) -> None:
        before = (LedgerTransaction.objects.count(), AuditEvent.objects.count(), balances(account))
        options: dict[str, object] = {"received_at": NOW - timedelta(hours=1), "method": "card"}
        options.update(kwargs)
        with pytest.raises(UnableToRecordPayment, match=message):
            record_payment(
                account=account,
                amount=Money.of(value, currency),
                now=NOW,
                actor=None,
                **options,  # type: ignore[arg-type]
            )
        assert (LedgerTransaction.objects.count(), AuditEvent.objects.count(), balances(account)) == before


class TestBatch:
    def requests(self, account: Account, *values: str) -> list[PaymentRequest]:
        return [
            PaymentRequest(account.pk, usd(v), NOW - timedelta(minutes=len(values) - i), "bank_transfer")
            for i, v in enumerate(values)
        ]

    def test_payments_to_one_account_apply_in_order_of_receipt(self, account: Account) -> None:
        result = record_payments(requests=self.requests(account, "20.00", "20.00", "20.00"), now=NOW, actor=None)
        assert result.created == 3
        assert balances(account)[Component.FEES] == usd("0.00")
        assert balances(account)[Component.INTEREST] == usd("15.00")
        assert verify_ledger().ok

    def test_is_all_or_nothing_by_default(self, account: Account) -> None:
        requests = [*self.requests(account, "20.00"), PaymentRequest(987654, usd("5.00"), NOW, "card")]
        with pytest.raises(UnableToRecordPayments, match="payment 2: account: no account with id 987654"):
            record_payments(requests=requests, now=NOW, actor=None)
        assert not Payment.objects.exists()

    def test_accept_valid_posts_the_good_ones_and_reports_the_rest(self, account: Account) -> None:
        requests = [*self.requests(account, "20.00"), PaymentRequest(account.pk, usd("0.00"), NOW, "card")]
        result = record_payments(requests=requests, now=NOW, actor=None, accept_valid=True)
        assert result.created == 1
        assert [str(p) for p in result.problems] == ["payment 2: amount: must be more than zero, not 0.00 USD"]
        assert result.payment_ids[1] is None

    def test_a_key_repeated_inside_a_batch_posts_once(self, account: Account) -> None:
        request = PaymentRequest(account.pk, usd("5.00"), NOW, "card", idempotency_key="dup")
        result = record_payments(requests=[request, request], now=NOW, actor=None)
        assert result.created == 1
        assert result.repeated == 1
        assert result.payment_ids[0] == result.payment_ids[1]

    def test_reposting_a_whole_file_posts_nothing_twice(self, account: Account) -> None:
        requests = [PaymentRequest(account.pk, usd("5.00"), NOW, "card", idempotency_key=f"line-{n}") for n in range(4)]
        first = record_payments(requests=requests, now=NOW, actor=None)
        second = record_payments(requests=requests, now=NOW, actor=None)
        assert second.created == 0
        assert second.payment_ids == first.payment_ids
        assert Payment.objects.count() == 4

    def test_a_large_batch_is_pipelined_and_posts_exactly_what_a_small_one_does(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Big batches are built in a background thread and copied chunk by chunk (PostgreSQL)."""

        def portfolio() -> list[Account]:
            creditor = CreditorFactory()
            return [
                owing(AccountFactory(creditor=creditor), principal="100.00", interest="10.00", fees="5.00")
                for _ in range(3)
            ]

        def batch(accounts: list[Account]) -> list[PaymentRequest]:
            amounts = ["7.00", "30.00", "0.01", "99.99", "12.50", "40.00", "3.00"]
            return [
                PaymentRequest(
                    accounts[n % 3].pk,
                    usd(amount),
                    NOW - timedelta(minutes=20 - n),
                    "bank_transfer",
                    external_reference=f"stmt\\line {n}\tref",
                )
                for n, amount in enumerate(amounts)
            ]

        plain, piped = portfolio(), portfolio()
        record_payments(requests=batch(plain), now=NOW, actor=None)
        monkeypatch.setattr(payments, "PIPELINE_PAYMENTS", 4)
        monkeypatch.setattr(payments, "PIPELINE_CHUNK", 3)
        result = record_payments(requests=batch(piped), now=NOW, actor=None)
        assert result.created == 7
        assert [balances(a) for a in piped] == [balances(a) for a in plain]
        assert [a.oldest_unpaid_due_date for a in piped] == [a.oldest_unpaid_due_date for a in plain]
        references = Payment.objects.filter(account__in=piped).order_by("received_at")
        assert [p.external_reference for p in references] == [f"stmt\\line {n}\tref" for n in range(7)]
        assert (
            AuditEvent.objects.filter(name="accounts.payment.recorded", account_id__in=[a.pk for a in piped]).count()
            == 7
        )
        assert verify_ledger().ok


class TestReversal:
    def test_mirrors_the_payment_and_reopens_what_it_paid(self, account: Account) -> None:
        before = balances(account)
        payment = pay(account, "1100.00")
        reversal = reverse_payment(payment=payment, reason="returned: insufficient funds", now=NOW, actor=None)
        assert balances(account) == before
        account.refresh_from_db()
        assert account.credit_balance == usd("0.00")
        assert OpenItem.objects.filter(account=account, balance_minor__gt=0).count() == 3
        original = sorted((e.book, e.amount_minor) for e in payment.transaction.entries.all())
        mirrored = sorted((e.book, -e.amount_minor) for e in reversal.entries.all())
        assert original == mirrored
        assert verify_ledger().ok

    def test_a_payment_cannot_be_reversed_twice(self, account: Account) -> None:
        payment = pay(account, "10.00")
        reverse_payment(payment=payment, reason="chargeback", now=NOW, actor=None)
        with pytest.raises(UnableToReversePayment, match=f"payment: {payment.pk} was already reversed"):
            reverse_payment(payment=payment, reason="chargeback", now=NOW, actor=None)
        assert LedgerTransaction.objects.filter(type="payment_reversal").count() == 1
