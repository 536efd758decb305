"""Charges, adjustments, write-downs, refunds, status changes, and the ledger's append-only rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, owing, usd
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, LedgerEntry, LedgerIsAppendOnly, LedgerTransaction, OpenItem
from recoup.accounts.services import (
    UnableToChangeStatus,
    UnableToPostTransaction,
    adjust_item,
    change_account_status,
    post_charge,
    record_payment,
    record_write_off_recovery,
    refund_credit_balance,
    write_down,
)
from recoup.audit.models import AuditEvent
from recoup.core.account_status import AccountStatus
from recoup.core.ledger import Component, TransactionType
from recoup.core.money import Money

pytestmark = pytest.mark.django_db


class TestCharges:
    def test_a_charge_opens_an_item_and_raises_the_component(self, account: Account) -> None:
        item = post_charge(
            account=account,
            component=Component.COSTS,
            amount=usd("80.00"),
            due_date=date(2026, 11, 1),
            reference="Court filing",
            now=NOW,
            actor=None,
        )
        account.refresh_from_db()
        assert item.balance_minor == 8000
        assert account.balances[Component.COSTS] == usd("80.00")
        assert AuditEvent.objects.filter(name="accounts.transaction.cost", account_id=account.pk).exists()

    def test_a_charge_in_another_currency_is_refused(self, account: Account) -> None:
        with pytest.raises(UnableToPostTransaction, match="currency: GBP differs"):
            post_charge(
                account=account,
                component=Component.FEES,
                amount=Money.of("5.00", "GBP"),
                due_date=date(2026, 11, 1),
                now=NOW,
                actor=None,
            )
        assert OpenItem.objects.filter(account=account).count() == 3

    def test_a_future_dated_charge_is_refused(self, account: Account) -> None:
        with pytest.raises(UnableToPostTransaction, match="effective_date: .* is in the future"):
            post_charge(
                account=account,
                component=Component.FEES,
                amount=usd("5.00"),
                due_date=date(2026, 12, 1),
                effective_date=NOW.date() + timedelta(days=3),
                now=NOW,
                actor=None,
            )


class TestAdjustmentsAndWriteDowns:
    def test_an_adjustment_lowers_an_item_and_needs_a_reason(self, account: Account) -> None:
        fees = OpenItem.objects.get(account=account, component="fees")
        with pytest.raises(UnableToPostTransaction, match="reason: an adjustment needs a reason"):
            adjust_item(item=fees, amount=usd("-5.00"), now=NOW, actor=None, reason=" ")
        adjust_item(item=fees, amount=usd("-5.00"), now=NOW, actor=None, reason="fee waived as goodwill")
        fees.refresh_from_db()
        assert fees.balance_minor == 2000
        assert verify_ledger().ok

    def test_an_adjustment_cannot_take_an_item_below_zero(self, account: Account) -> None:
        fees = OpenItem.objects.get(account=account, component="fees")
        with pytest.raises(UnableToPostTransaction, match="would take it below zero"):
            adjust_item(item=fees, amount=usd("-30.00"), now=NOW, actor=None, reason="typo")

    def test_a_write_off_takes_everything_owed_to_the_write_down_book(self, account: Account) -> None:
        txn = write_down(account=account, type=TransactionType.WRITE_OFF, now=NOW, actor=None, reason="uncollectable")
        account.refresh_from_db()
        assert account.balance == usd("0.00")
        assert txn.amount_minor == 107500
        assert verify_ledger().ok

    def test_a_discount_larger_than_the_balance_is_refused(self, account: Account) -> None:
        with pytest.raises(UnableToPostTransaction, match="is more than the 1,075.00 USD owed"):
            write_down(
                account=account,
                type=TransactionType.DISCOUNT,
                amount=usd("2000.00"),
                now=NOW,
                actor=None,
                reason="x",
            )

    def test_a_credit_balance_can_be_refunded_but_not_beyond_it(self, account: Account) -> None:
        record_payment(account=account, amount=usd("1100.00"), received_at=NOW, method="card", now=NOW, actor=None)
        with pytest.raises(UnableToPostTransaction, match="more than the credit balance of 25.00 USD"):
            refund_credit_balance(account=account, amount=usd("30.00"), now=NOW, actor=None, reason="refund")
        refund_credit_balance(account=account, amount=usd("25.00"), now=NOW, actor=None, reason="refund")
        account.refresh_from_db()
        assert account.credit_balance == usd("0.00")
        assert verify_ledger().ok

    def test_a_recovery_is_only_for_written_off_accounts(self, account: Account) -> None:
        with pytest.raises(UnableToPostTransaction, match="is active, not written off"):
            record_write_off_recovery(account=account, amount=usd("10.00"), now=NOW, actor=None)
        write_down(account=account, type=TransactionType.WRITE_OFF, now=NOW, actor=None, reason="uncollectable")
        change_account_status(
            account=account, to_status=AccountStatus.WRITTEN_OFF, reason="charged off", now=NOW, actor=None
        )
        record_write_off_recovery(account=account, amount=usd("10.00"), now=NOW, actor=None)
        assert verify_ledger().ok


class TestStatus:
    def test_an_allowed_change_is_made_and_audited(self, account: Account) -> None:
        changed = change_account_status(
            account=account,
            to_status=AccountStatus.DISPUTED,
            reason="debtor disputes amount",
            now=NOW,
            actor=None,
        )
        assert changed.status == "disputed"
        event = AuditEvent.objects.get(name="accounts.account.status_changed", account_id=account.pk)
        assert event.before == {"status": "active"}
        assert event.after == {"status": "disputed", "reason": "debtor disputes amount"}

    def test_a_change_the_lifecycle_forbids_is_refused(self, account: Account) -> None:
        change_account_status(account=account, to_status=AccountStatus.CLOSED, reason="done", now=NOW, actor=None)
        with pytest.raises(UnableToChangeStatus, match="cannot go from closed to active"):
            change_account_status(account=account, to_status=AccountStatus.ACTIVE, reason="oops", now=NOW, actor=None)


class TestAppendOnly:
    def test_entries_and_transactions_refuse_changes_in_the_model(self, account: Account) -> None:
        entry = LedgerEntry.objects.first()
        assert entry is not None
        entry.amount_minor += 1
        with pytest.raises(LedgerIsAppendOnly):
            entry.save()
        with pytest.raises(LedgerIsAppendOnly):
            LedgerTransaction.objects.first().delete()  # type: ignore[union-attr]

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL only")
    def test_postgresql_refuses_raw_updates(self, account: Account) -> None:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE accounts_entry SET amount_minor = amount_minor + 1")

    def test_verify_finds_a_tampered_cache(self, account: Account) -> None:
        Account.objects.filter(pk=account.pk).update(principal_minor=1)
        OpenItem.objects.filter(account=account, component="fees").update(balance_minor=1)
        check = verify_ledger()
        assert not check.ok
        assert check.account_mismatches == [f"{account.reference} (creditor {account.creditor_id})"]
        assert len(check.item_mismatches) == 1


def test_payments_on_other_creditors_accounts_do_not_mix(db: None) -> None:
    gbp = owing(AccountFactory(creditor=CreditorFactory(uk_lender=True)), principal="100.00")
    record_payment(
        account=gbp,
        amount=Money.of("40.00", "GBP"),
        received_at=NOW,
        method="direct_debit",
        now=NOW,
        actor=None,
    )
    gbp.refresh_from_db()
    assert gbp.balance == Money.of("60.00", "GBP")


class TestLoadOpenItems:
    def test_loads_many_items_with_balanced_charges_caches_and_one_event_per_account(self, db: None) -> None:
        from recoup.accounts.services import NewItem, load_open_items

        first, second = AccountFactory(), AccountFactory()
        items = [
            NewItem(first.pk, Component.PRINCIPAL, 90000, date(2026, 3, 1), date(2026, 3, 1)),
            NewItem(first.pk, Component.FEES, 3500, date(2026, 4, 1), date(2026, 4, 1), kind="fee"),
            NewItem(second.pk, Component.PRINCIPAL, 12345, date(2026, 5, 1), date(2026, 5, 1), kind="invoice"),
        ]
        assert load_open_items(items=items, now=NOW, actor=None, memo="placement file 7") == 3
        first.refresh_from_db()
        assert first.balance == usd("935.00")
        assert first.balances[Component.FEES] == usd("35.00")
        assert AuditEvent.objects.filter(name="accounts.balance.loaded").count() == 2
        assert verify_ledger().ok
        record_payment(account=first, amount=usd("35.00"), received_at=NOW, method="card", now=NOW, actor=None)
        first.refresh_from_db()
        assert first.balances[Component.FEES] == usd("0.00")

    def test_refuses_a_bad_row_and_writes_nothing(self, db: None) -> None:
        from recoup.accounts.services import NewItem, load_open_items

        account = AccountFactory()
        items = [
            NewItem(account.pk, Component.PRINCIPAL, 100, date(2026, 3, 1), date(2026, 3, 1)),
            NewItem(account.pk, Component.PRINCIPAL, 0, date(2026, 3, 1), date(2026, 3, 1)),
        ]
        with pytest.raises(UnableToPostTransaction, match="item 2: amount: must be more than zero"):
            load_open_items(items=items, now=NOW, actor=None)
        assert not OpenItem.objects.exists()


class TestLoadOpeningItems:
    def test_an_account_written_with_its_opening_balances_agrees_with_the_ledger(self, db: None) -> None:
        from recoup.accounts.services import NewItem, load_opening_items, opening_balances

        items = [
            NewItem(0, Component.PRINCIPAL, 90000, date(2026, 4, 1), date(2026, 4, 1)),
            NewItem(0, Component.FEES, 3500, date(2026, 3, 1), date(2026, 4, 1), kind="fee"),
        ]
        opening = opening_balances(items)[0]
        assert (opening.principal_minor, opening.fees_minor, opening.interest_minor) == (90000, 3500, 0)
        assert opening.oldest_unpaid_due_date == date(2026, 3, 1)  # the oldest item's, not the first's
        with transaction.atomic():
            account = AccountFactory(
                principal_minor=opening.principal_minor,
                fees_minor=opening.fees_minor,
                oldest_unpaid_due_date=opening.oldest_unpaid_due_date,
            )
            items = [
                NewItem(account.pk, i.component, i.amount_minor, i.due_date, i.effective_date, i.kind) for i in items
            ]
            assert load_opening_items(items=items, currencies={account.pk: "USD"}, now=NOW, actor=None) == 2
        assert verify_ledger().ok
        assert AuditEvent.objects.filter(name="accounts.balance.loaded", account_id=account.pk).count() == 1
        record_payment(account=account, amount=usd("35.00"), received_at=NOW, method="card", now=NOW, actor=None)
        account.refresh_from_db()
        assert account.balances[Component.FEES] == usd("0.00")
        assert account.oldest_unpaid_due_date == date(2026, 4, 1)
        assert verify_ledger().ok

    def test_caches_left_unset_by_the_caller_are_found_by_the_ledger_check(self, db: None) -> None:
        from recoup.accounts.services import NewItem, load_opening_items

        account = AccountFactory()  # written without the opening balances
        item = NewItem(account.pk, Component.PRINCIPAL, 100, date(2026, 3, 1), date(2026, 3, 1))
        load_opening_items(items=[item], currencies={account.pk: "USD"}, now=NOW, actor=None)
        assert verify_ledger().account_mismatches == [f"{account.reference} (creditor {account.creditor_id})"]

    def test_refuses_an_item_without_its_account_currency(self, db: None) -> None:
        from recoup.accounts.services import NewItem, load_opening_items

        account = AccountFactory()
        item = NewItem(account.pk, Component.PRINCIPAL, 100, date(2026, 3, 1), date(2026, 3, 1))
        with pytest.raises(UnableToPostTransaction, match=f"no currency given for account {account.pk}"):
            load_opening_items(items=[item], currencies={}, now=NOW, actor=None)
        assert not OpenItem.objects.exists()


class TestOldestUnpaidDueDate:
    def test_follows_the_oldest_owing_item_as_items_are_paid_and_reopened(self, account: Account) -> None:
        account.refresh_from_db()
        assert account.oldest_unpaid_due_date == date(2026, 5, 1)  # the principal
        payment = record_payment(
            account=account, amount=usd("1060.00"), received_at=NOW, method="card", now=NOW, actor=None
        )
        account.refresh_from_db()
        assert account.balance == usd("15.00")  # fees, interest and 985 of the principal paid
        assert account.oldest_unpaid_due_date == date(2026, 5, 1)
        record_payment(account=account, amount=usd("15.00"), received_at=NOW, method="card", now=NOW, actor=None)
        account.refresh_from_db()
        assert account.oldest_unpaid_due_date is None
        from recoup.accounts.services import reverse_payment

        reverse_payment(payment=payment, reason="returned", now=NOW, actor=None)
        account.refresh_from_db()
        assert account.oldest_unpaid_due_date == date(2026, 5, 1)
        assert verify_ledger().ok

    def test_verify_finds_a_wrong_cached_date(self, account: Account) -> None:
        Account.objects.filter(pk=account.pk).update(oldest_unpaid_due_date=date(2020, 1, 1))
        assert verify_ledger().oldest_due_mismatches == [f"{account.reference} (creditor {account.creditor_id})"]
