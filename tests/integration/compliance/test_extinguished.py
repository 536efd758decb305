"""An extinguished debt (UK-06 Scotland's 5-year prescription, AU-05 NSW) has nothing left to collect:
the gate refuses every channel, a charge is refused, the daily run blocks every step, no credit report,
and an officer closes the account with the reason. A time-barred debt that survives (England, New
York) may still be contacted, but legal action and legal threats are refused."""

# ruff: noqa: S608 - the SQL is the rule's own, made of constants; values are parameters

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from recoup.accounts.models import Account
from recoup.accounts.services import UnableToPostTransaction, post_charge
from recoup.audit.models import AuditEvent
from recoup.communications.services import UnableToSend, queue_message, save_template
from recoup.communications.starter import create_starter_templates
from recoup.compliance.checker import check_ledger
from recoup.compliance.deadlines import credit_reporting_gate
from recoup.compliance.models import Contact, ContactDecision, Notice
from recoup.compliance.services import (
    UnableToCloseExtinguished,
    UnableToContact,
    close_extinguished,
    evaluate,
    limitation_for,
    refer_to_legal,
)
from recoup.compliance.simulation import simulate
from recoup.core.compliance import Channel
from recoup.core.compliance.limitation import extinguished_candidates_sql
from recoup.core.compliance.model import Purpose
from recoup.core.ledger import Component
from recoup.core.money import Money
from recoup.strategies.models import Action
from recoup.strategies.services import publish, run_daily, save_draft

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)  # a Tuesday
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 11:00 in Glasgow and London, 22:00 in Sydney
SYDNEY_MORNING = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 10:00 on Tuesday 1 December in Sydney
CHANNELS = [Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER, Channel.VISIT]


def scottish(first_delinquency: date = date(2020, 1, 10), **fields: Any) -> Account:
    """A Glasgow card debt; from 2020-01-10 the 5 years end on 2025-01-10, extinguished from 2025-01-11."""
    debtor = DebtorFactory(
        uk=True, region="SCT", city="Glasgow", postal_code="G1 1XQ", address_line1="4 Hope Street", **fields
    )
    _reachable(debtor, "+447700900123")
    return AccountFactory(
        creditor=CreditorFactory(uk_lender=True), debtor=debtor, first_delinquency_date=first_delinquency
    )


def english(first_delinquency: date = date(2019, 1, 10)) -> Account:
    """A Leeds card debt, time-barred since 2025-01-10 but not extinguished."""
    debtor = DebtorFactory(uk=True)
    _reachable(debtor, "+447700900456")
    return AccountFactory(
        creditor=CreditorFactory(uk_lender=True), debtor=debtor, first_delinquency_date=first_delinquency
    )


def new_south_wales(first_delinquency: date = date(2020, 1, 10)) -> Account:
    """A Sydney utility debt; the 6 years end on 2026-01-10, extinguished from 2026-01-11."""
    debtor = DebtorFactory(country="AU", region="NSW", city="Sydney", postal_code="2000", time_zone="Australia/Sydney")
    _reachable(debtor, "+61412345678")
    return AccountFactory(
        creditor=CreditorFactory(au_utility=True), debtor=debtor, first_delinquency_date=first_delinquency
    )


def _reachable(debtor: Any, phone: str) -> None:
    ContactPointFactory(debtor=debtor, value=phone, source="debtor", consent="granted")
    ContactPointFactory(debtor=debtor, email=True, source="debtor")


def owes(account: Account, amount: str = "480.00") -> None:
    post_charge(
        account=account,
        component=Component.PRINCIPAL,
        amount=Money(Decimal(amount), account.currency),
        due_date=account.first_delinquency_date or TODAY,
        now=NOW - timedelta(days=30),
        actor=None,
        effective_date=(NOW - timedelta(days=30)).date(),
    )


class TestTheGate:
    @pytest.mark.parametrize("channel", CHANNELS)
    def test_every_channel_is_refused_on_a_scottish_debt_past_prescription(self, channel: Channel) -> None:
        account = scottish()
        decision = evaluate(account=account, debtor=account.debtors.get(), channel=channel, at=NOW).decision
        assert not decision.allowed
        assert decision.next_allowed is None  # for good, not until later
        first = decision.reasons[0]
        assert first.rule == "UK-06"
        assert "the debt was extinguished on 2025-01-11" in first.text
        assert "the limitation period ended on 2025-01-10" in first.text

    @pytest.mark.parametrize("channel", CHANNELS)
    def test_every_channel_is_refused_on_an_nsw_debt_past_limitation(self, channel: Channel) -> None:
        account = new_south_wales()
        decision = evaluate(account=account, debtor=account.debtors.get(), channel=channel, at=SYDNEY_MORNING)
        assert not decision.decision.allowed
        assert decision.decision.reasons[0].rule == "AU-05"
        assert "extinguished on 2026-01-11" in decision.decision.reasons[0].text

    def test_the_day_after_the_period_starts_in_the_persons_time_not_utc(self) -> None:
        account = new_south_wales(first_delinquency=date(2020, 11, 30))  # ends 2026-11-30, Sydney time
        morning = evaluate(account=account, debtor=account.debtors.get(), channel=Channel.CALL, at=SYDNEY_MORNING)
        assert SYDNEY_MORNING.date() == date(2026, 11, 30)  # still the last day in UTC
        assert [r.rule for r in morning.decision.reasons][:1] == ["AU-05"]

    def test_the_last_day_of_the_period_is_still_collectable(self) -> None:
        account = scottish(first_delinquency=date(2021, 12, 1))  # ends 2026-12-01, today
        decision = evaluate(account=account, debtor=account.debtors.get(), channel=Channel.CALL, at=NOW).decision
        assert decision.allowed, decision.reasons
        tomorrow = NOW + timedelta(days=1)
        later = evaluate(account=account, debtor=account.debtors.get(), channel=Channel.CALL, at=tomorrow)
        assert [r.rule for r in later.decision.reasons][:1] == ["UK-06"]

    def test_only_the_message_saying_the_debt_is_extinguished_may_go(self) -> None:
        account = scottish()
        debtor = account.debtors.get()
        notice = evaluate(
            account=account, debtor=debtor, channel=Channel.LETTER, at=NOW, purpose=Purpose.EXTINGUISHED_NOTICE
        ).decision
        assert notice.allowed, notice.reasons
        assert [w.rule for w in notice.warnings] == ["UK-06"]
        for purpose in (Purpose.COLLECTION, Purpose.CEASE_NOTICE, Purpose.OPT_OUT_CONFIRMATION):
            other = evaluate(account=account, debtor=debtor, channel=Channel.LETTER, at=NOW, purpose=purpose)
            assert [r.rule for r in other.decision.reasons][:1] == ["UK-06"], purpose

    def test_a_payment_request_message_is_refused_before_it_is_queued(self, settings: Any) -> None:
        settings.COLLECTOR_NAME = "Clyde Recoveries"
        settings.COLLECTOR_ADDRESS = "PO Box 12|Glasgow G2 1AA"
        create_starter_templates(now=NOW)
        account = scottish()
        owes(account)
        for channel, code in (("email", "payment-reminder"), ("sms", "payment-reminder"), ("letter", "final-notice")):
            with pytest.raises(
                UnableToSend, match=f"{channel} blocked: UK-06: the debt was extinguished on 2025-01-11"
            ):
                queue_message(account=account, template_code=code, channel=channel, now=NOW, actor=None)
        assert not account.messages.exists()

    def test_a_letter_of_the_extinguished_notice_purpose_is_queued(self, settings: Any) -> None:
        settings.COLLECTOR_NAME = "Clyde Recoveries"
        settings.COLLECTOR_ADDRESS = "PO Box 12|Glasgow G2 1AA"
        account = scottish()
        owes(account)
        body = (
            "Dear {{ debtor_name }},\n\nThe debt on account {{ account_reference }} with {{ creditor_name }} has "
            "prescribed under Scottish law and no longer exists. You owe nothing on it and we will not contact "
            "you about it again."
        )
        save_template(
            code="debt-extinguished",
            channel="letter",
            subject="Your account is closed",
            body=body,
            purpose="extinguished_notice",
            creditor=account.creditor,
            now=NOW,
            actor=None,
        )
        with pytest.raises(UnableToSend, match="NO-PAY-REQUEST"):
            save_template(
                code="debt-extinguished",
                channel="letter",
                subject="Your account is closed",
                body=body + " Please pay what you can.",
                purpose="extinguished_notice",
                creditor=account.creditor,
                now=NOW,
                actor=None,
            )
        sent = queue_message(account=account, template_code="debt-extinguished", channel="letter", now=NOW, actor=None)
        assert sent.status == "queued"


class TestCharges:
    @pytest.mark.parametrize("component", [Component.INTEREST, Component.FEES, Component.COSTS])
    def test_no_interest_fee_or_cost_is_charged_on_an_extinguished_debt(self, component: Component) -> None:
        account = scottish()
        with pytest.raises(UnableToPostTransaction, match="UK-06: no .* may be charged .* extinguished on 2025-01-11"):
            post_charge(
                account=account,
                component=component,
                amount=Money(Decimal("12.00"), "GBP"),
                due_date=TODAY,
                now=NOW,
                actor=None,
            )
        account.refresh_from_db()
        assert (account.interest_minor, account.fees_minor, account.costs_minor) == (0, 0, 0)
        assert not AuditEvent.objects.filter(name__startswith="accounts.transaction.", account_id=account.pk).exists()

    def test_an_nsw_debt_too_and_a_time_barred_english_debt_is_still_charged(self) -> None:
        nsw = new_south_wales()
        with pytest.raises(UnableToPostTransaction, match="AU-05"):
            post_charge(
                account=nsw,
                component=Component.INTEREST,
                amount=Money(Decimal("3.00"), "AUD"),
                due_date=TODAY,
                now=NOW,
                actor=None,
            )
        leeds = english()
        item = post_charge(
            account=leeds,
            component=Component.INTEREST,
            amount=Money(Decimal("3.00"), "GBP"),
            due_date=TODAY,
            now=NOW,
            actor=None,
        )
        assert item.original_minor == 300


class TestCreditReporting:
    def test_an_extinguished_debt_is_never_reported_or_listed(self) -> None:
        gate = credit_reporting_gate(new_south_wales(), TODAY)
        assert not gate.allowed
        assert gate.earliest is None
        assert gate.reasons[0].rule == "AU-05"
        assert "may not be reported to a credit bureau or listed" in gate.reasons[0].text
        scots = credit_reporting_gate(scottish(), TODAY)
        assert (scots.allowed, scots.reasons[0].rule) == (False, "UK-06")


class TestClosing:
    def test_an_officer_closes_an_extinguished_debt_with_the_reason(self) -> None:
        account = scottish()
        closed = close_extinguished(account=account, now=NOW, actor=None, note="checked the address history")
        assert (closed.status, closed.closure_reason) == ("closed", "extinguished")
        events = AuditEvent.objects.filter(account_id=account.pk).order_by("id")
        status, extinguished = (
            events.get(name="accounts.account.status_changed"),
            events.get(name="compliance.extinguished.closed"),
        )
        assert status.after["closure_reason"] == "extinguished"
        assert status.after["reason"].startswith("UK-06: debt extinguished on 2025-01-11")
        assert extinguished.after == {
            "rule": "UK-06",
            "basis": "5 years in Scotland, after which the debt is extinguished (prescription)",
            "limitation_ends": "2025-01-10",
            "extinguished_on": "2025-01-11",
            "from_status": "active",
            "reason": "UK-06: debt extinguished on 2025-01-11 (5 years in Scotland, after which the debt is "
            "extinguished (prescription)); checked the address history",
        }

    def test_a_debt_that_is_not_extinguished_is_not_closed_as_one(self) -> None:
        with pytest.raises(UnableToCloseExtinguished, match="does not extinguish this debt"):
            close_extinguished(account=english(), now=NOW, actor=None)
        with pytest.raises(UnableToCloseExtinguished, match="runs to 2030-11-01"):
            close_extinguished(account=scottish(first_delinquency=date(2025, 11, 1)), now=NOW, actor=None)
        assert not Account.objects.filter(status="closed").exists()
        assert not AuditEvent.objects.filter(name="compliance.extinguished.closed").exists()

    def test_an_account_in_a_payment_arrangement_is_closed_after_the_arrangement_ends(self) -> None:
        account = scottish()
        Account.objects.filter(pk=account.pk).update(status="in_arrangement")
        account.refresh_from_db()
        with pytest.raises(UnableToCloseExtinguished, match="end the payment arrangement first"):
            close_extinguished(account=account, now=NOW, actor=None)


class TestTimeBarredButNotExtinguished:
    """England and Wales, New York: the debt survives, so contact goes on; legal action and threats do not."""

    def test_an_english_debt_may_be_called_but_not_taken_to_court(self) -> None:
        account = english()
        debtor = account.debtors.get()
        assert limitation_for(account).time_barred(TODAY)
        call = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=NOW).decision
        assert call.allowed, call.reasons
        with pytest.raises(UnableToContact, match="UK-06: the limitation period ended on 2025-01-10"):
            refer_to_legal(account=account, reason="claim", now=NOW, actor=None)

    def test_a_new_york_debt_may_be_called_but_not_taken_to_court(self) -> None:
        debtor = DebtorFactory(time_zone="America/New_York")
        ContactPointFactory(debtor=debtor, value="+15185550100", source="debtor", consent="granted")
        account = AccountFactory(creditor=CreditorFactory(), debtor=debtor, first_delinquency_date=date(2022, 1, 10))
        at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York
        call = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=at).decision
        assert call.allowed, call.reasons
        with pytest.raises(UnableToContact, match="US-NY-1: the limitation period ended on 2025-01-10"):
            refer_to_legal(account=account, reason="claim", now=at, actor=None)

    @pytest.mark.parametrize(("make", "rule"), [("english", "UK-06"), ("new_york", "US-16")])
    def test_a_message_threatening_court_is_refused_and_one_that_does_not_goes(self, make: str, rule: str) -> None:
        if make == "english":
            account = english()
        else:
            debtor = DebtorFactory(time_zone="America/New_York")
            ContactPointFactory(debtor=debtor, email=True, source="debtor")
            account = AccountFactory(
                creditor=CreditorFactory(), debtor=debtor, first_delinquency_date=date(2022, 1, 10)
            )
        owes(account)
        code = f"threat-{make.replace('_', '-')}"
        save_template(
            code=code,
            channel="email",
            subject="Your account {{ account_reference }}",
            body="Pay {{ balance }} now or we will take you to court.\n\nThis communication is from a debt "
            "collector.\n\nTo stop emails from us: {{ unsubscribe_url }}",
            now=NOW,
            actor=None,
        )
        with pytest.raises(UnableToSend, match=f"{rule}: The debt is time-barred, so the message must not threaten"):
            queue_message(account=account, template_code=code, channel="email", now=NOW, actor=None)
        create_starter_templates(now=NOW)
        sent = queue_message(account=account, template_code="payment-reminder", channel="email", now=NOW, actor=None)
        assert sent.status in ("queued", "deferred")


class TestTheDailyRun:
    @pytest.mark.parametrize(
        "step",
        [
            {"day": 0, "action": "call", "priority": 3},
            {"day": 0, "action": "fee", "amount": "15.00"},
            {"day": 0, "action": "email", "template": "payment-reminder"},
            {"day": 0, "action": "legal_review"},
        ],
        ids=lambda step: step["action"],
    )
    def test_every_step_on_an_extinguished_debt_is_blocked_and_the_others_go_ahead(self, step: dict[str, Any]) -> None:
        create_starter_templates(now=NOW)
        glasgow, sydney, leeds, recent = scottish(), new_south_wales(), english(), scottish(date(2025, 11, 1))
        for account in (glasgow, sydney, leeds, recent):
            owes(account)
        strategy = {"segments": [{"name": "all", "paths": {"one": 100}}], "paths": {"one": {"steps": [step]}}}
        publish(version=save_draft(definition=strategy, note="", now=NOW, actor=None), now=NOW, actor=None)
        run_daily(as_of=TODAY, now=NOW)

        def outcome(account: Account) -> tuple[str, str]:
            action = Action.objects.get(account=account)
            return action.state, action.rule

        assert outcome(glasgow) == ("blocked", "UK-06")
        assert outcome(sydney) == ("blocked", "AU-05")
        assert "the debt is extinguished" in Action.objects.get(account=glasgow).reason
        for alive in (leeds, recent):
            state, rule = outcome(alive)
            assert state != "blocked" or rule not in ("UK-06", "AU-05"), (state, rule)
        glasgow.refresh_from_db()
        assert glasgow.fees_minor == 0
        assert not glasgow.messages.exists()


class TestTheSimulation:
    def test_sixty_days_of_automated_contact_make_none_after_extinction_and_break_no_rule(self) -> None:
        start = datetime(2026, 10, 1, tzinfo=UTC)
        crossing = scottish(first_delinquency=date(2021, 10, 31))  # extinguished from 1 November 2026
        accounts = [crossing, scottish(), new_south_wales(), english(), scottish(date(2025, 11, 1))]
        for account in accounts:
            owes(account)
        result = simulate(accounts=accounts, start=start, days=60, proposals_per_day=3, seed=11)
        assert {"UK-06", "AU-05"} <= set(result.blocked_by), result.blocked_by
        assert check_ledger() == []
        made = Contact.objects.filter(direction="outbound")
        cut = datetime(2026, 11, 1, tzinfo=UTC)
        assert made.filter(account=crossing, at__lt=cut).exists()
        assert not made.filter(account=crossing, at__gte=cut).exists()
        assert not made.filter(account__in=accounts[1:3]).exists()
        assert made.filter(account=accounts[3]).exists()  # England: time-barred, still contacted

    def test_the_checker_finds_a_contact_on_an_extinguished_debt(self) -> None:
        account = scottish()
        debtor = account.debtors.get()
        decision = ContactDecision.objects.create(
            account=account,
            debtor=debtor,
            channel="call",
            proposed_at=NOW,
            allowed=True,
            time_zones=["Europe/London"],
            decided_at=NOW,
        )
        Contact.objects.create(
            decision=decision,
            account=account,
            debtor=debtor,
            channel="call",
            outcome="no_answer",
            at=NOW,
            recorded_at=NOW,
        )
        assert [b.rule for b in check_ledger()] == ["UK-06"]


# The SQL the run screens with and the predicate the gate asks must pick the same accounts. ---------

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PLACES = [("GB", "SCT"), ("GB", "ENG"), ("GB", "WLS"), ("GB", ""), ("AU", "NSW"), ("AU", "VIC"), ("US", "NY")]
DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31))
NOTICE = st.fixed_dictionaries(
    {
        "sent_on": DAYS,
        "remedy_days": st.sampled_from([None, 0, 14, 28, 60]),
        "undeliverable": st.booleans(),
        "kind": st.sampled_from(["default", "default", "overdue"]),
    }
)
ACCOUNT = st.fixed_dictionaries(
    {
        "place": st.sampled_from(PLACES),
        "business_debtor": st.booleans(),
        "product": st.sampled_from(["credit_card", "b2b_invoice", "personal_loan"]),
        "opened": DAYS,
        "first_delinquency": st.none() | DAYS,
        "charge_off": st.none() | DAYS,
        "notices": st.lists(NOTICE, max_size=3),
    }
)


@PROPERTY
@given(
    shapes=st.lists(ACCOUNT, min_size=1, max_size=6),
    on=st.dates(min_value=date(2019, 1, 1), max_value=date(2033, 12, 31)),
)
def test_the_runs_sql_and_the_gates_predicate_agree_on_which_debts_are_extinguished(
    shapes: list[dict[str, Any]], on: date
) -> None:
    with transaction.atomic():
        made = []
        for shape in shapes:
            country, region = shape["place"]
            debtor = DebtorFactory(
                country=country, region=region, **({"business": True} if shape["business_debtor"] else {})
            )
            account = AccountFactory(
                debtor=debtor,
                product_type=shape["product"],
                opened_date=shape["opened"],
                first_delinquency_date=shape["first_delinquency"],
                charge_off_date=shape["charge_off"],
            )
            for notice in shape["notices"]:
                Notice.objects.create(
                    account=account,
                    kind=notice["kind"],
                    sent_on=notice["sent_on"],
                    channel="letter",
                    remedy_days=notice["remedy_days"],
                    undeliverable_on=notice["sent_on"] + timedelta(days=3) if notice["undeliverable"] else None,
                    recorded_at=NOW,
                )
            made.append(account)
        ids = [account.pk for account in made]
        sql, params = extinguished_candidates_sql("a", on, vendor=connection.vendor)
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"SELECT a.id FROM accounts_account a WHERE a.id IN ({marks}) AND {sql}", [*ids, *params])
            by_sql = {row[0] for row in cursor.fetchall()}
        by_python = {account.pk for account in made if limitation_for(account).extinguished(on)}
        assert by_sql == by_python
        transaction.set_rollback(True)


class TestNoOverride:
    def test_a_manager_cannot_override_the_refusal_on_an_extinguished_debt(self) -> None:
        from factories import UserFactory
        from recoup.compliance.services import authorise_contact
        from recoup.users.roles import Role

        account = scottish()
        manager = UserFactory(role=Role.MANAGER)
        with pytest.raises(UnableToContact, match="UK-06: the debt was extinguished on 2025-01-11.*No override"):
            authorise_contact(
                account=account,
                debtor=account.debtors.get(),
                channel=Channel.CALL,
                at=NOW,
                now=NOW,
                actor=manager,
                override_reason="the debtor asked us to call",
            )
        assert not ContactDecision.objects.exists()
        assert not AuditEvent.objects.filter(name__startswith="compliance.contact.").exists()

    def test_the_same_manager_may_still_override_an_hours_block_on_a_debt_that_survives(self) -> None:
        from factories import UserFactory
        from recoup.compliance.services import authorise_contact
        from recoup.users.roles import Role

        account = english()
        late = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)  # 21:30 in Leeds: outside UK-04's hours
        decision = authorise_contact(
            account=account,
            debtor=account.debtors.get(),
            channel=Channel.CALL,
            at=late,
            now=NOW,
            actor=UserFactory(role=Role.MANAGER),
            override_reason="the debtor asked in writing to be called after work",
        )
        assert (decision.allowed, decision.usable) == (False, True)


def _paid(account: Account, on: date, amount: str = "25.00") -> Any:
    from recoup.accounts.payments import record_payment

    at = datetime(on.year, on.month, on.day, 12, 0, tzinfo=UTC)
    return record_payment(
        account=account,
        amount=Money(Decimal(amount), account.currency),
        received_at=at,
        method="card",
        now=NOW,
        actor=None,
    )


class TestMoneyPaidAfterExtinction:
    def test_payments_on_or_after_the_day_of_extinction_are_found_and_earlier_ones_are_not(self) -> None:
        from recoup.compliance.extinguished import accounts_paid_after_extinction, paid_after_extinction

        account = scottish()  # extinguished from 2025-01-11
        owes(account)
        _paid(account, date(2025, 1, 10), "10.00")  # the last day: it paid what was owed
        first = _paid(account, date(2025, 1, 11), "20.00")
        second = _paid(account, date(2026, 3, 2), "30.00")
        english_account = english()
        owes(english_account)
        _paid(english_account, date(2026, 3, 2))  # time-barred, not extinguished: nothing to return
        assert [p.pk for p in paid_after_extinction(account, on=TODAY)] == [first.pk, second.pk]
        assert paid_after_extinction(account, on=date(2025, 1, 10)) == ()  # not yet extinguished then
        [row] = accounts_paid_after_extinction(on=TODAY)
        assert (row.account.pk, row.extinguished_on, row.rule) == (account.pk, date(2025, 1, 11), "UK-06")
        assert str(row.total) == str(Money(Decimal("50.00"), account.currency))

    def test_returning_one_reverses_it_with_the_rule_and_the_day_and_only_once(self) -> None:
        from recoup.accounts.postings import UnableToReversePayment
        from recoup.compliance.extinguished import accounts_paid_after_extinction, return_payment

        account = scottish()
        owes(account)
        before = _paid(account, date(2025, 1, 10), "10.00")
        after = _paid(account, date(2025, 6, 1), "20.00")
        reversal = return_payment(payment=after, now=NOW, actor=None)
        after.refresh_from_db()
        assert after.reversal_id == reversal.pk
        assert after.reversal_reason == "returned: paid after the debt was extinguished on 2025-01-11 (UK-06)"
        assert accounts_paid_after_extinction(on=TODAY) == []
        with pytest.raises(UnableToReversePayment, match="already reversed"):
            return_payment(payment=after, now=NOW, actor=None)
        with pytest.raises(UnableToReversePayment, match="before the debt was extinguished on 2025-01-11"):
            return_payment(payment=before, now=NOW, actor=None)
        before.refresh_from_db()
        assert before.reversal_id is None

    def test_a_payment_on_a_debt_that_is_not_extinguished_is_not_returned_as_one(self) -> None:
        from recoup.accounts.postings import UnableToReversePayment
        from recoup.compliance.extinguished import return_payment

        account = english()
        owes(account)
        payment = _paid(account, date(2026, 3, 2))
        with pytest.raises(UnableToReversePayment, match="is not extinguished"):
            return_payment(payment=payment, now=NOW, actor=None)

    def test_the_cli_lists_them_and_exits_1(self) -> None:
        from click.testing import CliRunner

        from recoup.cli.compliance_commands import compliance

        account = scottish()
        owes(account)
        payment = _paid(account, date(2025, 6, 1), "20.00")
        result = CliRunner().invoke(compliance, ["paid-after-extinction", "--as-of", TODAY.isoformat()])
        assert result.exit_code == 1, result.output
        line = next(line for line in result.output.splitlines() if line.startswith(account.reference))
        for part in ("UK-06", "2025-01-11", str(payment.pk), "2025-06-01"):
            assert part in line
        assert "1 payment(s) on 1 account(s)" in result.output
