"""Interest, fee and cost freezes (breathing space, payment plans): what they refuse, when, and what they record."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from django.db import IntegrityError, transaction

from factories import AccountFactory, UserFactory
from ledger_helpers import NOW, usd
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, ChargeFreeze, LedgerEntry, LedgerTransaction, OpenItem
from recoup.accounts.services import (
    UnableToFreezeCharges,
    UnableToPostTransaction,
    active_freeze,
    end_charge_freeze,
    freeze_charges,
    post_charge,
)
from recoup.audit.models import AuditEvent
from recoup.cli.main import cli
from recoup.core.ledger import Component

pytestmark = pytest.mark.django_db

SEPT_1 = date(2026, 9, 1)
SEPT_30 = date(2026, 9, 30)
FROZEN = [Component.INTEREST, Component.FEES, Component.COSTS]


def charge(account: Account, component: Component, on: date, amount: str = "5.00") -> OpenItem:
    return post_charge(
        account=account,
        component=component,
        amount=usd(amount),
        due_date=on,
        effective_date=on,
        now=NOW,
        actor=None,
    )


def freeze(account: Account, **kwargs: object) -> ChargeFreeze:
    values: dict[str, object] = {
        "starts_on": SEPT_1,
        "ends_on": SEPT_30,
        "reason": "standard breathing space",
        "source": "breathing_space",
        "source_id": "12",
        "now": NOW,
        "actor": None,
        **kwargs,
    }
    return freeze_charges(account=account, **values)  # type: ignore[arg-type]


def ledger_rows(account: Account) -> tuple[int, int, int, int, tuple[int, ...]]:
    account.refresh_from_db()
    return (
        OpenItem.objects.filter(account=account).count(),
        LedgerTransaction.objects.filter(account=account).count(),
        LedgerEntry.objects.filter(account=account).count(),
        AuditEvent.objects.filter(account_id=account.pk).count(),
        (account.principal_minor, account.interest_minor, account.fees_minor, account.costs_minor),
    )


class TestAFreezeRefusesCharges:
    @pytest.mark.parametrize("component", FROZEN)
    @pytest.mark.parametrize("on", [SEPT_1, date(2026, 9, 15), SEPT_30])
    def test_a_frozen_component_cannot_be_charged_inside_the_window(
        self, account: Account, component: Component, on: date
    ) -> None:
        freeze(account)
        with pytest.raises(UnableToPostTransaction, match=f"component: {component.value} is frozen on account"):
            charge(account, component, on)

    @pytest.mark.parametrize("component", FROZEN)
    @pytest.mark.parametrize("on", [date(2026, 8, 31), date(2026, 10, 1)])
    def test_the_same_charge_outside_the_window_is_posted(
        self, account: Account, component: Component, on: date
    ) -> None:
        freeze(account)
        item = charge(account, component, on)
        assert item.balance_minor == 500
        assert item.component == component.value

    def test_principal_is_never_refused(self, account: Account) -> None:
        freeze(account)
        # Even a row written around the service that names principal does not stop a principal charge.
        ChargeFreeze.objects.create(
            account=account,
            starts_on=SEPT_1,
            components=["principal", "interest"],
            reason="written by hand",
            source="officer",
            created_at=NOW,
        )
        item = charge(account, Component.PRINCIPAL, date(2026, 9, 15), "200.00")
        account.refresh_from_db()
        assert item.balance_minor == 20000
        assert account.balances[Component.PRINCIPAL] == usd("1200.00")

    def test_only_the_frozen_components_are_refused(self, account: Account) -> None:
        freeze(account, components=["interest"])
        charge(account, Component.FEES, date(2026, 9, 15))
        charge(account, Component.COSTS, date(2026, 9, 15))
        with pytest.raises(UnableToPostTransaction, match="component: interest is frozen"):
            charge(account, Component.INTEREST, date(2026, 9, 15))

    def test_the_message_names_the_freeze_its_source_reason_and_dates(self, account: Account) -> None:
        made = freeze(account)
        with pytest.raises(UnableToPostTransaction) as refused:
            charge(account, Component.INTEREST, date(2026, 9, 15))
        assert str(refused.value) == (
            f"component: interest is frozen on account {account.reference} from 2026-09-01 to 2026-09-30 "
            f"(freeze {made.pk}, breathing_space 12: standard breathing space); nothing was charged"
        )

    def test_a_refused_charge_leaves_the_ledger_unchanged(self, account: Account) -> None:
        freeze(account)
        before = ledger_rows(account)
        with pytest.raises(UnableToPostTransaction):
            charge(account, Component.FEES, date(2026, 9, 15), "40.00")
        assert ledger_rows(account) == before
        assert verify_ledger().ok

    def test_a_freeze_on_another_account_does_not_apply(self, account: Account) -> None:
        other = AccountFactory(creditor=account.creditor)
        freeze(other)
        assert charge(account, Component.INTEREST, date(2026, 9, 15)).balance_minor == 500


class TestOpenEndedAndEndedFreezes:
    def test_an_open_ended_freeze_applies_until_it_is_ended(self, account: Account) -> None:
        made = freeze(account, ends_on=None)
        with pytest.raises(UnableToPostTransaction, match="from 2026-09-01 until ended"):
            charge(account, Component.INTEREST, NOW.date())
        assert active_freeze(account, date(2030, 1, 1), Component.FEES) == made
        assert active_freeze(account, date(2026, 8, 31), Component.FEES) is None
        assert charge(account, Component.INTEREST, date(2026, 8, 31)).balance_minor == 500

    def test_an_ended_freeze_no_longer_applies_from_its_end_date(self, account: Account) -> None:
        made = freeze(account, ends_on=None)
        ended = end_charge_freeze(
            freeze=made, on=date(2026, 10, 1), reason="breathing space ended", now=NOW, actor=None
        )
        assert ended.ended_on == date(2026, 10, 1)
        assert ended.last_day == SEPT_30
        assert active_freeze(account, SEPT_30, Component.INTEREST) == made
        assert active_freeze(account, date(2026, 10, 1), Component.INTEREST) is None
        with pytest.raises(UnableToPostTransaction, match="from 2026-09-01 to 2026-09-30"):
            charge(account, Component.INTEREST, SEPT_30)
        assert charge(account, Component.INTEREST, date(2026, 10, 1)).balance_minor == 500

    def test_ending_early_shortens_a_dated_freeze(self, account: Account) -> None:
        made = freeze(account)
        end_charge_freeze(freeze=made, on=date(2026, 9, 10), reason="cancelled by the adviser", now=NOW, actor=None)
        with pytest.raises(UnableToPostTransaction):
            charge(account, Component.FEES, date(2026, 9, 9))
        assert charge(account, Component.FEES, date(2026, 9, 10)).balance_minor == 500

    def test_ending_on_the_first_day_means_it_never_applied(self, account: Account) -> None:
        made = freeze(account)
        end_charge_freeze(freeze=made, on=SEPT_1, reason="notified in error", now=NOW, actor=None)
        assert active_freeze(account, SEPT_1, Component.INTEREST) is None
        assert charge(account, Component.INTEREST, SEPT_1).balance_minor == 500

    def test_active_freeze_considers_the_component(self, account: Account) -> None:
        made = freeze(account, components=["fees", "costs"])
        assert active_freeze(account, date(2026, 9, 15), Component.INTEREST) is None
        assert active_freeze(account, date(2026, 9, 15), "fees") == made
        assert active_freeze(account, date(2026, 9, 15), Component.PRINCIPAL) is None


class TestBadInputWritesNothing:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"reason": "  "}, "reason: a charge freeze needs a reason"),
            ({"components": ["interest", "principal"]}, "components: principal can never be frozen"),
            ({"components": ["interest", "penalties"]}, "components: 'penalties' is not one of interest, fees, costs"),
            ({"components": []}, "components: name at least one of interest, fees, costs"),
            ({"ends_on": date(2026, 8, 31)}, "ends_on: 2026-08-31 is before starts_on 2026-09-01"),
            ({"source": ""}, "source: say what froze the charges"),
        ],
    )
    def test_a_bad_freeze_is_refused(self, account: Account, kwargs: dict[str, object], message: str) -> None:
        freezes, events = ChargeFreeze.objects.count(), AuditEvent.objects.count()
        with pytest.raises(UnableToFreezeCharges, match=message):
            freeze(account, **kwargs)
        assert (ChargeFreeze.objects.count(), AuditEvent.objects.count()) == (freezes, events)

    @pytest.mark.parametrize(
        ("on", "reason", "message"),
        [
            (date(2026, 9, 10), " ", "reason: ending a charge freeze needs a reason"),
            (date(2026, 8, 31), "early", "on: 2026-08-31 is before the freeze starts on 2026-09-01"),
            (date(2026, 10, 1), "late", "on: 2026-10-01 is after the freeze's last day 2026-09-30"),
        ],
    )
    def test_a_bad_end_is_refused(self, account: Account, on: date, reason: str, message: str) -> None:
        made = freeze(account)
        events = AuditEvent.objects.count()
        with pytest.raises(UnableToFreezeCharges, match=message):
            end_charge_freeze(freeze=made, on=on, reason=reason, now=NOW, actor=None)
        made.refresh_from_db()
        assert (made.ended_on, made.end_reason) == (None, "")
        assert AuditEvent.objects.count() == events

    def test_a_freeze_cannot_be_ended_twice(self, account: Account) -> None:
        made = freeze(account)
        end_charge_freeze(freeze=made, on=date(2026, 9, 10), reason="ended", now=NOW, actor=None)
        events = AuditEvent.objects.count()
        with pytest.raises(UnableToFreezeCharges, match=f"freeze: {made.pk} was already ended from 2026-09-10"):
            end_charge_freeze(freeze=made, on=date(2026, 9, 20), reason="again", now=NOW, actor=None)
        made.refresh_from_db()
        assert made.ended_on == date(2026, 9, 10)
        assert AuditEvent.objects.count() == events

    def test_the_database_refuses_an_end_before_the_start(self, account: Account) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            ChargeFreeze.objects.create(
                account=account, starts_on=SEPT_30, ends_on=SEPT_1, reason="x", source="officer", created_at=NOW
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            ChargeFreeze.objects.create(
                account=account, starts_on=SEPT_30, ended_on=SEPT_1, reason="x", source="officer", created_at=NOW
            )


class TestAuditEvents:
    def test_freezing_and_unfreezing_are_recorded_with_the_actor(self, account: Account) -> None:
        officer = UserFactory()
        made = freeze(account, components=["costs", "interest", "interest"], actor=officer, source="payment_plan")
        assert made.created_by == officer
        assert made.components == ["interest", "costs"]
        frozen = AuditEvent.objects.get(name="accounts.charges.frozen", account_id=account.pk)
        assert (frozen.subject_type, frozen.subject_id, frozen.actor_id) == ("charge_freeze", made.pk, officer.pk)
        assert frozen.before is None
        assert frozen.after == {
            "starts_on": "2026-09-01",
            "ends_on": "2026-09-30",
            "ended_on": None,
            "components": ["interest", "costs"],
            "reason": "standard breathing space",
            "source": "payment_plan",
            "source_id": "12",
        }

        end_charge_freeze(freeze=made, on=date(2026, 9, 20), reason="plan broken", now=NOW, actor=officer)
        made.refresh_from_db()
        assert (made.ended_by, made.end_reason) == (officer, "plan broken")
        unfrozen = AuditEvent.objects.get(name="accounts.charges.unfrozen", account_id=account.pk)
        assert unfrozen.subject_id == made.pk
        assert unfrozen.occurred_at == NOW
        assert unfrozen.before is not None
        assert unfrozen.before["ended_on"] is None
        assert unfrozen.after is not None
        assert (unfrozen.after["ended_on"], unfrozen.after["last_day"], unfrozen.after["end_reason"]) == (
            "2026-09-20",
            "2026-09-19",
            "plan broken",
        )


class TestAccountShow:
    def test_the_account_shows_its_freezes(self, account: Account) -> None:
        freeze(account, ends_on=None)
        result = CliRunner().invoke(cli, ["account", "show", account.reference, "--as-of", "2026-11-20"])
        assert result.exit_code == 0, result.output
        assert "Charge freezes" in result.output
        assert "until ended" in result.output
        assert "breathing_space 12" in result.output
        assert "in force" in result.output
