"""Notices, call consents, hardship and breathing space with the database: the US-11 timer in the gate,
the credit reporting and enforcement gates, consent and provenance of numbers and addresses, the
charge freeze of a breathing space, and the commands that show them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.accounts.models import Account, ChargeFreeze
from recoup.accounts.services import UnableToPostTransaction, post_charge
from recoup.audit.models import AuditEvent
from recoup.cli.main import cli
from recoup.compliance.deadlines import (
    account_deadlines,
    credit_reporting_gate,
    deadlines_due,
    decide_hardship,
    enforcement_gate,
    hardship_information_requested,
    mark_notice_undeliverable,
    record_call_consent,
    record_hardship_notice,
    record_notice,
    revoke_call_consent,
)
from recoup.compliance.models import Hold, Notice
from recoup.compliance.services import (
    UnableToContact,
    authorise_contact,
    evaluate,
    lift_hold,
    place_hold,
    record_contact,
    record_inbound_contact,
    refer_to_legal,
)
from recoup.core.compliance import Channel, Outcome
from recoup.core.compliance.model import Purpose
from recoup.core.compliance.timers import DeadlineState
from recoup.core.ledger import Component
from recoup.core.money import Money
from recoup.parties.models import ContactPoint, Debtor

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)


def ny(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def debtor_of(account: Account) -> Debtor:
    return account.debtors.get()


@pytest.fixture
def agency_account() -> Account:
    """A third-party collector's US account whose debtor has a mobile number they texted from in May."""
    debtor = DebtorFactory(time_zone="America/New_York")
    ContactPointFactory(debtor=debtor, value="+15185550100", last_consumer_use_date=date(2026, 5, 20))
    creditor = CreditorFactory(collector_type="third_party")
    account = AccountFactory(creditor=creditor, debtor=debtor, first_delinquency_date=date(2025, 11, 1))
    return owing(account, principal="900.00")


def call(account: Account, at: datetime, outcome: Outcome = Outcome.CONNECTED_CONVERSATION) -> None:
    decision = authorise_contact(
        account=account, debtor=debtor_of(account), channel=Channel.CALL, at=at, now=NOW, actor=None
    )
    assert decision.allowed, decision.reasons
    record_contact(token=str(decision.token), outcome=outcome, at=at, now=NOW, actor=None)


def test_an_overdue_validation_notice_stops_further_collection_until_it_is_sent(agency_account: Account) -> None:
    call(agency_account, ny(1, 12))  # the first communication, a Monday
    deadline = account_deadlines(agency_account)[0]
    assert (deadline.rule, deadline.due_on) == ("US-11", date(2026, 6, 6))
    assert deadline.state(date(2026, 6, 3)) is DeadlineState.RUNNING
    assert deadline.state(date(2026, 6, 4)) is DeadlineState.ESCALATE
    assert deadline.state(date(2026, 6, 7)) is DeadlineState.OVERDUE

    debtor = debtor_of(agency_account)
    on_time = evaluate(account=agency_account, debtor=debtor, channel=Channel.LETTER, at=ny(6, 12))
    assert on_time.decision.allowed
    late = evaluate(account=agency_account, debtor=debtor, channel=Channel.LETTER, at=ny(8, 12))
    assert [r.rule for r in late.decision.reasons] == ["US-11"]
    assert late.decision.next_allowed is None
    assert "2026-06-06" in late.decision.reasons[0].text
    notice_itself = evaluate(
        account=agency_account, debtor=debtor, channel=Channel.LETTER, at=ny(8, 12), purpose=Purpose.VALIDATION_NOTICE
    )
    assert notice_itself.decision.allowed
    assert [(a.reference, d.rule) for a, d in deadlines_due(date(2026, 6, 8))] == [(agency_account.reference, "US-11")]

    record_notice(account=agency_account, kind="validation", sent_on=date(2026, 6, 8), now=NOW, actor=None)
    assert evaluate(account=agency_account, debtor=debtor, channel=Channel.LETTER, at=ny(9, 12)).decision.allowed
    assert account_deadlines(agency_account)[0].state(date(2026, 6, 9)) is DeadlineState.MET
    assert deadlines_due(date(2026, 6, 9)) == []


def test_a_first_party_creditor_has_no_validation_clock() -> None:
    debtor = DebtorFactory()
    ContactPointFactory(debtor=debtor, value="+15185550101")
    account = AccountFactory(creditor=CreditorFactory(), debtor=debtor)
    call(account, ny(1, 12))
    assert account_deadlines(account) == []
    assert evaluate(account=account, debtor=debtor, channel=Channel.LETTER, at=ny(20, 12)).decision.allowed


def test_notices_refuse_bad_input_and_write_nothing(agency_account: Account) -> None:
    with pytest.raises(UnableToContact, match="sent_on: 2026-07-02 is in the future"):
        record_notice(account=agency_account, kind="validation", sent_on=date(2026, 7, 2), now=NOW, actor=None)
    with pytest.raises(UnableToContact, match="kind: 'final' is not one of"):
        record_notice(account=agency_account, kind="final", sent_on=date(2026, 6, 2), now=NOW, actor=None)
    with pytest.raises(UnableToContact, match="remedy_days: only a default notice"):
        record_notice(
            account=agency_account, kind="validation", sent_on=date(2026, 6, 2), now=NOW, actor=None, remedy_days=30
        )
    assert Notice.objects.count() == 0
    assert not AuditEvent.objects.filter(name="compliance.notice.recorded").exists()


def test_credit_reporting_waits_fourteen_days_after_the_first_letter_unless_someone_spoke(
    agency_account: Account,
) -> None:
    nothing = credit_reporting_gate(agency_account, date(2026, 6, 1))
    assert not nothing.allowed
    assert [r.rule for r in nothing.reasons] == ["US-17"]
    record_notice(account=agency_account, kind="first_letter", sent_on=date(2026, 6, 2), now=NOW, actor=None)
    waiting = credit_reporting_gate(agency_account, date(2026, 6, 15))
    assert not waiting.allowed
    assert waiting.earliest == date(2026, 6, 16)
    assert credit_reporting_gate(agency_account, date(2026, 6, 16)).allowed

    returned = Notice.objects.get()
    mark_notice_undeliverable(notice=returned, on=date(2026, 6, 10), now=NOW, actor=None)
    bounced = credit_reporting_gate(agency_account, date(2026, 6, 20))
    assert not bounced.allowed
    assert "undeliverable" in bounced.reasons[0].text

    call(agency_account, ny(22, 12))  # a conversation is enough on its own
    assert credit_reporting_gate(agency_account, date(2026, 6, 23)).allowed
    place_hold(kind="dispute", reason="disputes the amount", starts_at=NOW, now=NOW, actor=None, account=agency_account)
    disputed = credit_reporting_gate(agency_account, date(2026, 7, 1))
    assert [r.rule for r in disputed.reasons] == ["US-15"]


def test_credit_reporting_needs_the_date_of_first_delinquency_and_stops_when_obsolete(agency_account: Account) -> None:
    call(agency_account, ny(1, 12))
    Account.objects.filter(pk=agency_account.pk).update(first_delinquency_date=None)
    missing = credit_reporting_gate(Account.objects.get(pk=agency_account.pk), date(2026, 6, 2))
    assert [r.rule for r in missing.reasons] == ["US-18"]
    Account.objects.filter(pk=agency_account.pk).update(first_delinquency_date=date(2018, 11, 1))
    old = credit_reporting_gate(Account.objects.get(pk=agency_account.pk), date(2026, 6, 2))
    assert not old.allowed
    assert "obsolete since 2026-04-30" in old.reasons[0].text


@pytest.fixture
def australian_account() -> Account:
    debtor = DebtorFactory(time_zone="Australia/Sydney", city="Sydney", region="NSW", postal_code="2000", country="AU")
    ContactPointFactory(debtor=debtor, value="+61255501234")
    creditor = CreditorFactory(au_utility=True)
    account = AccountFactory(creditor=creditor, debtor=debtor, currency="AUD", first_delinquency_date=date(2026, 3, 1))
    return owing(account, principal="420.00")


def test_an_australian_default_listing_needs_both_notices_and_fourteen_days(australian_account: Account) -> None:
    first = credit_reporting_gate(australian_account, date(2026, 6, 20))
    assert {r.rule for r in first.reasons} == {"AU-08"}
    assert [r.text.split(" (")[0] for r in first.reasons] == [
        "the payment is not yet 60 days overdue",  # due 2026-05-01
        "no written overdue notice asking for payment has been sent",
        "no notice of intention to list the default has been sent",
    ]
    record_notice(account=australian_account, kind="overdue", sent_on=date(2026, 5, 15), now=NOW, actor=None)
    record_notice(account=australian_account, kind="intent_to_list", sent_on=date(2026, 6, 20), now=NOW, actor=None)
    waiting = credit_reporting_gate(australian_account, date(2026, 7, 3))
    assert not waiting.allowed
    assert waiting.earliest == date(2026, 7, 4)
    assert credit_reporting_gate(australian_account, date(2026, 7, 4)).allowed


def test_hardship_runs_its_clocks_and_a_refusal_holds_enforcement_for_fourteen_days(
    australian_account: Account,
) -> None:
    notice = record_hardship_notice(
        account=australian_account,
        received_on=date(2026, 6, 1),
        how="oral",
        summary="lost her job in May; can pay 50 a fortnight",
        now=NOW,
        actor=None,
    )
    assert Hold.objects.get(kind="hardship", lifted_at__isnull=True).account_id == australian_account.pk
    clocks = account_deadlines(australian_account)
    assert [(d.what.split()[0], d.due_on) for d in clocks] == [("ask", date(2026, 6, 22)), ("give", date(2026, 6, 22))]
    hardship_information_requested(notice=notice, on=date(2026, 6, 10), now=NOW, actor=None)
    clocks = account_deadlines(australian_account)
    assert clocks[0].state(date(2026, 6, 30)) is DeadlineState.MET
    assert clocks[-1].due_on == date(2026, 7, 8)  # 28 days after a request that is not answered

    record_notice(
        account=australian_account, kind="default", sent_on=date(2026, 5, 1), now=NOW, actor=None, remedy_days=30
    )
    pending = enforcement_gate(australian_account, date(2026, 6, 20))
    assert [r.rule for r in pending.reasons] == ["AU-07"]
    assert pending.earliest is None
    with pytest.raises(UnableToContact, match="AU-07"):
        refer_to_legal(account=australian_account, reason="no payment", now=NOW, actor=None)

    decide_hardship(
        notice=notice,
        decision="refused",
        on=date(2026, 6, 30),
        note="expenses exceed income; AFCA",
        now=NOW,
        actor=None,
    )
    assert not Hold.objects.filter(kind="hardship", lifted_at__isnull=True).exists()
    refused = enforcement_gate(australian_account, date(2026, 7, 13))
    assert not refused.allowed
    assert refused.earliest == date(2026, 7, 14)
    assert enforcement_gate(australian_account, date(2026, 7, 14)).allowed
    with pytest.raises(UnableToContact, match="already decided"):
        decide_hardship(notice=notice, decision="agreed", on=date(2026, 6, 30), note="x", now=NOW, actor=None)


def test_enforcement_needs_a_default_notice_whose_remedy_period_has_passed(australian_account: Account) -> None:
    none = enforcement_gate(australian_account, date(2026, 6, 20))
    assert [r.text for r in none.reasons] == ["no default notice has been served"]
    with pytest.raises(UnableToContact, match="remedy_days: a default notice gives at least 30 days"):
        record_notice(
            account=australian_account, kind="default", sent_on=date(2026, 6, 1), now=NOW, actor=None, remedy_days=14
        )
    record_notice(
        account=australian_account, kind="default", sent_on=date(2026, 6, 1), now=NOW, actor=None, remedy_days=30
    )
    assert enforcement_gate(australian_account, date(2026, 7, 1)).earliest == date(2026, 7, 2)
    assert enforcement_gate(australian_account, date(2026, 7, 2)).allowed


def test_a_breathing_space_freezes_interest_and_fees_until_it_is_lifted() -> None:
    debtor = DebtorFactory(uk=True)
    ContactPointFactory(debtor=debtor, value="+447700900123")
    account = AccountFactory(creditor=CreditorFactory(uk_lender=True), debtor=debtor, currency="GBP")
    owing(account, principal="1200.00")
    hold = place_hold(
        kind="breathing_space",
        reason="Insolvency Service notification BS-1234",
        starts_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        now=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        actor=None,
        debtor=debtor,
    )
    assert hold.ends_at == datetime(2026, 7, 31, 9, 0, tzinfo=UTC)  # 60 days
    freeze = ChargeFreeze.objects.get(account=account)
    assert (freeze.starts_on, freeze.ends_on, freeze.source) == (date(2026, 6, 1), date(2026, 7, 31), "breathing_space")
    june = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    with pytest.raises(UnableToPostTransaction, match="interest is frozen"):
        post_charge(
            account=account,
            component=Component.INTEREST,
            amount=Money.of("9.50", "GBP"),
            due_date=date(2026, 6, 15),
            now=june,
            actor=None,
        )
    payment_request = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=june)
    assert "UK-07" in [r.rule for r in payment_request.decision.reasons]

    lift_hold(hold=hold, reason="cancelled by the adviser", now=datetime(2026, 6, 20, 9, 0, tzinfo=UTC), actor=None)
    freeze.refresh_from_db()
    assert freeze.ended_on == date(2026, 6, 20)
    post_charge(
        account=account,
        component=Component.INTEREST,
        amount=Money.of("9.50", "GBP"),
        due_date=date(2026, 6, 21),
        now=datetime(2026, 6, 21, 9, 0, tzinfo=UTC),
        actor=None,
    )
    assert Account.objects.get(pk=account.pk).interest_minor == 950


def test_calls_the_person_asked_for_do_not_count_and_end_with_a_conversation(agency_account: Account) -> None:
    Account.objects.filter(pk=agency_account.pk).update(creditor=CreditorFactory())  # no validation clock here
    account = Account.objects.get(pk=agency_account.pk)
    debtor = debtor_of(account)
    for day in range(1, 8):
        call(account, ny(day, 10), Outcome.NO_ANSWER)
    assert not evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(7, 15)).decision.allowed
    consent = record_call_consent(
        account=account,
        debtor=debtor,
        given_at=ny(7, 14),
        ends_at=ny(8, 20),
        note="texted: please call me this afternoon",
        now=ny(7, 14),
        actor=None,
    )
    assert evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(7, 15)).decision.allowed
    with pytest.raises(UnableToContact, match="at most 7 days"):
        record_call_consent(
            account=account, debtor=debtor, given_at=ny(7, 14), ends_at=ny(15, 14), note="x", now=ny(7, 14), actor=None
        )
    revoke_call_consent(consent=consent, at=ny(7, 16), now=ny(7, 16), actor=None)
    assert not evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(7, 17)).decision.allowed


def test_texts_need_a_fresh_number_and_automated_calls_need_consent(agency_account: Account) -> None:
    Account.objects.filter(pk=agency_account.pk).update(creditor=CreditorFactory())
    account = Account.objects.get(pk=agency_account.pk)
    debtor = debtor_of(account)
    texted = ContactPoint.objects.get(debtor=debtor)
    assert evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(10, 12)).decision.allowed
    stale = evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(21, 12, month=7))
    assert [r.rule for r in stale.decision.reasons] == ["US-06"]
    ContactPoint.objects.filter(pk=texted.pk).update(reassigned_check_date=date(2026, 7, 15))
    assert evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(21, 12, month=7)).decision.allowed

    traced = ContactPointFactory(debtor=debtor, value="+15185550177", source="skip_trace")
    robo = evaluate(
        account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12), contact_point=traced, automated=True
    )
    assert [r.rule for r in robo.decision.reasons] == ["US-23"]
    by_hand = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12), contact_point=traced)
    assert by_hand.decision.allowed
    assert by_hand.contact_points == (traced.pk,)
    stranger = ContactPointFactory(value="+15185550178")
    with pytest.raises(UnableToContact, match="is not a contact point of"):
        evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12), contact_point=stranger)


def test_an_employer_email_is_never_used_and_a_person_without_email_cannot_be_emailed(agency_account: Account) -> None:
    Account.objects.filter(pk=agency_account.pk).update(creditor=CreditorFactory())
    account = Account.objects.get(pk=agency_account.pk)
    debtor = debtor_of(account)
    none = evaluate(account=account, debtor=debtor, channel=Channel.EMAIL, at=ny(10, 12))
    assert [r.rule for r in none.decision.reasons] == ["GATE-02"]
    ContactPointFactory(debtor=debtor, email=True, value="pat@employer.example", employer_provided=True)
    work = evaluate(account=account, debtor=debtor, channel=Channel.EMAIL, at=ny(10, 12))
    assert [r.rule for r in work.decision.reasons] == ["US-02"]
    ContactPointFactory(debtor=debtor, email=True, value="pat@home.example")  # from the creditor, no notice
    home = evaluate(account=account, debtor=debtor, channel=Channel.EMAIL, at=ny(10, 12))
    assert home.decision.allowed
    assert home.decision.warnings == ()
    point = ContactPoint.objects.get(value="pat@home.example")
    chosen = evaluate(account=account, debtor=debtor, channel=Channel.EMAIL, at=ny(10, 12), contact_point=point)
    assert [w.rule for w in chosen.decision.warnings] == ["US-06"]


def test_after_an_opt_out_only_one_confirmation_and_after_cease_only_the_allowed_notices(
    agency_account: Account,
) -> None:
    Account.objects.filter(pk=agency_account.pk).update(creditor=CreditorFactory())
    account = Account.objects.get(pk=agency_account.pk)
    debtor = debtor_of(account)
    place_hold(
        kind="do_not_contact",
        channel="sms",
        reason="replied STOP",
        starts_at=ny(10, 9),
        now=NOW,
        actor=None,
        debtor=debtor,
    )
    assert not evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(10, 12)).decision.allowed
    confirmation = authorise_contact(
        account=account,
        debtor=debtor,
        channel=Channel.SMS,
        at=ny(10, 12),
        now=NOW,
        actor=None,
        purpose=Purpose.OPT_OUT_CONFIRMATION,
    )
    assert confirmation.allowed
    record_contact(token=str(confirmation.token), outcome=Outcome.DELIVERED, at=ny(10, 12), now=NOW, actor=None)
    second = evaluate(
        account=account, debtor=debtor, channel=Channel.SMS, at=ny(10, 13), purpose=Purpose.OPT_OUT_CONFIRMATION
    )
    assert not second.decision.allowed

    place_hold(
        kind="cease_communication", reason="letter of 9 June", starts_at=ny(10, 9), now=NOW, actor=None, account=account
    )
    assert not evaluate(account=account, debtor=debtor, channel=Channel.LETTER, at=ny(11, 12)).decision.allowed
    allowed_notice = evaluate(
        account=account, debtor=debtor, channel=Channel.LETTER, at=ny(11, 12), purpose=Purpose.CEASE_NOTICE
    )
    assert allowed_notice.decision.allowed
    assert [w.rule for w in allowed_notice.decision.warnings] == ["US-04"]


def test_the_commands_record_notices_and_show_clocks_and_the_reporting_gate(agency_account: Account) -> None:
    record_inbound_contact(
        account=agency_account,
        debtor=debtor_of(agency_account),
        channel=Channel.CALL,
        outcome=Outcome.CONNECTED_CONVERSATION,
        at=ny(1, 12),
        now=NOW,
        actor=None,
    )
    runner = CliRunner()
    ref = agency_account.reference
    overdue = runner.invoke(cli, ["compliance", "deadlines", "--as-of", "2026-06-10"])
    assert overdue.exit_code == 1, overdue.output
    assert ref in overdue.output
    assert "US-11" in overdue.output
    assert "overdue" in overdue.output
    recorded = runner.invoke(
        cli, ["compliance", "notice", "--account", ref, "--kind", "validation", "--sent", "2026-06-10"]
    )
    assert recorded.exit_code == 0, recorded.output
    assert "Validation notice (US-12)" in recorded.output
    clear = runner.invoke(cli, ["compliance", "deadlines", "--account", ref, "--as-of", "2026-06-11"])
    assert clear.exit_code == 0
    assert "met" in clear.output
    bad = runner.invoke(cli, ["compliance", "notice", "--account", ref, "--kind", "default", "--sent", "2026-06-10"])
    assert bad.exit_code != 0
    assert "remedy_days" in bad.output
    report = runner.invoke(cli, ["compliance", "credit-report", "--account", ref, "--as-of", "2026-06-11"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["allowed"] is True
    to = runner.invoke(
        cli,
        [
            "compliance",
            "check",
            "--account",
            ref,
            "--channel",
            "sms",
            "--at",
            "2026-09-01T12:00:00-04:00",
            "--to",
            "+15185550100",
        ],
    )
    assert to.exit_code == 1
    assert [r["rule"] for r in json.loads(to.output)["reasons"]] == ["US-06"]
    assert (ny(1, 12) + timedelta(days=5)).date() == date(2026, 6, 6)


def test_a_stop_reply_blocks_texts_at_once_and_an_ordinary_reply_refreshes_the_number(
    agency_account: Account,
) -> None:
    from recoup.compliance.services import record_inbound_message

    Account.objects.filter(pk=agency_account.pk).update(creditor=CreditorFactory())
    account = Account.objects.get(pk=agency_account.pk)
    debtor = debtor_of(account)
    number = ContactPoint.objects.get(debtor=debtor)
    _contact, none = record_inbound_message(
        account=account,
        debtor=debtor,
        channel=Channel.SMS,
        text="Thanks, I'll pay on Friday",
        at=ny(20, 9, month=7),
        now=NOW,
        actor=None,
        contact_point=number,
    )
    assert none is None
    number.refresh_from_db()
    assert number.last_consumer_use_date == date(2026, 7, 20)
    assert evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(20, 12, month=7)).decision.allowed

    _contact, hold = record_inbound_message(
        account=account,
        debtor=debtor,
        channel=Channel.SMS,
        text="STOP",
        at=ny(20, 10, month=7),
        now=NOW,
        actor=None,
        contact_point=number,
    )
    assert hold is not None
    assert (hold.kind, hold.channel) == ("do_not_contact", "sms")
    number.refresh_from_db()
    assert (number.consent, number.consent_date) == ("revoked", date(2026, 7, 20))
    blocked = evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(20, 12, month=7))
    assert {r.rule for r in blocked.decision.reasons} == {"US-07", "US-24"}
    _again, same = record_inbound_message(
        account=account, debtor=debtor, channel=Channel.SMS, text="stop!", at=ny(20, 11, month=7), now=NOW, actor=None
    )
    assert same == hold
    assert Hold.objects.filter(kind="do_not_contact").count() == 1
    with pytest.raises(UnableToContact, match="channel: an inbound message is a text or an email"):
        record_inbound_message(
            account=account, debtor=debtor, channel=Channel.CALL, text="stop", at=NOW, now=NOW, actor=None
        )


def test_agreed_forbearance_freezes_interest_and_a_refusal_needs_its_reason() -> None:
    from recoup.compliance.deadlines import record_forbearance

    debtor = DebtorFactory(uk=True)
    account = owing(
        AccountFactory(creditor=CreditorFactory(uk_lender=True), debtor=debtor, currency="GBP"), principal="800.00"
    )
    with pytest.raises(UnableToContact, match="reason: write down why the customer's proposal is refused"):
        record_forbearance(
            account=account,
            option="reduced_payments",
            outcome="refused",
            starts_on=date(2026, 6, 1),
            reason=" ",
            now=NOW,
            actor=None,
        )
    with pytest.raises(UnableToContact, match="ends_on: 2026-05-01 is before it starts"):
        record_forbearance(
            account=account,
            option="interest_suspended",
            outcome="agreed",
            starts_on=date(2026, 6, 1),
            ends_on=date(2026, 5, 1),
            reason="lost job",
            now=NOW,
            actor=None,
        )
    assert ChargeFreeze.objects.count() == 0
    agreed = record_forbearance(
        account=account,
        option="interest_suspended",
        outcome="agreed",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 8, 31),
        reason="reduced hours; SFS shows £35 a month spare",
        now=NOW,
        actor=None,
    )
    assert agreed.freeze is not None
    assert (agreed.freeze.starts_on, agreed.freeze.ends_on, agreed.freeze.source) == (
        date(2026, 6, 1),
        date(2026, 8, 31),
        "forbearance",
    )
    with pytest.raises(UnableToPostTransaction, match="interest is frozen"):
        post_charge(
            account=account,
            component=Component.INTEREST,
            amount=Money.of("4.10", "GBP"),
            due_date=date(2026, 6, 30),
            now=NOW,
            actor=None,
        )
    offered = record_forbearance(
        account=account,
        option="debt_advice",
        outcome="offered",
        starts_on=date(2026, 6, 1),
        reason="signposted StepChange",
        now=NOW,
        actor=None,
    )
    assert offered.freeze is None
    assert AuditEvent.objects.filter(name="compliance.forbearance.recorded").count() == 2


def test_a_uk_default_notice_moves_the_limitation_start_to_its_expiry() -> None:
    from recoup.compliance.services import limitation_for

    debtor = DebtorFactory(uk=True)
    account = AccountFactory(
        creditor=CreditorFactory(uk_lender=True),
        debtor=debtor,
        currency="GBP",
        first_delinquency_date=date(2020, 1, 10),
    )
    assert limitation_for(account).expires_on == date(2026, 1, 10)
    record_notice(account=account, kind="default", sent_on=date(2020, 3, 2), now=NOW, actor=None, remedy_days=14)
    assert limitation_for(account).expires_on == date(2026, 3, 16)  # Doyle: from the notice's expiry


def test_no_letter_or_visit_without_a_postal_address() -> None:
    debtor = DebtorFactory(address_line1="", city="")
    account = AccountFactory(creditor=CreditorFactory(), debtor=debtor)
    letter = evaluate(account=account, debtor=debtor, channel=Channel.LETTER, at=ny(10, 12))
    assert [r.rule for r in letter.decision.reasons] == ["GATE-02"]
    assert "no full postal address" in letter.decision.reasons[0].text
    Debtor.objects.filter(pk=debtor.pk).update(address_line1="12 Main Street", city="Albany")
    debtor.refresh_from_db()
    assert evaluate(account=account, debtor=debtor, channel=Channel.LETTER, at=ny(10, 12)).decision.allowed
