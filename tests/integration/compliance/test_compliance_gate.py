"""The compliance gate with the database: time zones from address and phones, holds, the contact
ledger and its tokens, overrides, and the command line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.cli.main import cli
from recoup.compliance.models import Contact, ContactDecision, LedgerIsAppendOnly
from recoup.compliance.services import (
    UnableToContact,
    authorise_contact,
    evaluate,
    lift_hold,
    place_hold,
    record_contact,
    record_inbound_contact,
)
from recoup.core.compliance import Channel, Outcome
from recoup.parties.models import Debtor
from recoup.users.roles import Role
from recoup.users.services import create_user

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture
def account() -> Account:
    debtor = DebtorFactory(time_zone="America/New_York")
    ContactPointFactory(debtor=debtor, value="+14155550123")  # a San Francisco number: Pacific time too
    ContactPointFactory(debtor=debtor, email=True, source="debtor")
    return AccountFactory(creditor=CreditorFactory(), debtor=debtor)


def debtor_of(account: Account) -> Debtor:
    return account.debtors.get()


def test_the_window_holds_in_every_zone_the_person_may_be_in(account: Account) -> None:
    early = evaluate(account=account, debtor=debtor_of(account), channel=Channel.CALL, at=ny(10, 10))
    assert not early.decision.allowed
    assert [r.rule for r in early.decision.reasons] == ["US-01"]
    assert set(early.time_zones) == {"America/New_York", "America/Los_Angeles"}
    assert early.decision.next_allowed == ny(10, 11)  # 08:00 in San Francisco
    assert evaluate(account=account, debtor=debtor_of(account), channel=Channel.CALL, at=ny(10, 11)).decision.allowed


def test_contacts_go_through_the_ledger_and_a_token_serves_once(account: Account) -> None:
    debtor = debtor_of(account)
    decision = authorise_contact(
        account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12), now=NOW, actor=None
    )
    assert decision.allowed
    record_contact(token=str(decision.token), outcome=Outcome.NO_ANSWER, at=ny(10, 12), now=NOW, actor=None)
    with pytest.raises(UnableToContact, match="already used"):
        record_contact(token=str(decision.token), outcome=Outcome.NO_ANSWER, at=ny(10, 12), now=NOW, actor=None)
    blocked = authorise_contact(
        account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 22), now=NOW, actor=None
    )
    assert not blocked.allowed
    with pytest.raises(UnableToContact, match="the gate blocked this contact"):
        record_contact(token=str(blocked.token), outcome=Outcome.NO_ANSWER, at=ny(10, 22), now=NOW, actor=None)
    assert AuditEvent.objects.filter(name="compliance.contact.decided").count() == 2
    with pytest.raises(LedgerIsAppendOnly):
        blocked.delete()
    with pytest.raises(LedgerIsAppendOnly):
        Contact.objects.get().save()


def test_the_eighth_call_in_seven_days_is_blocked_and_a_conversation_starts_a_wait(account: Account) -> None:
    debtor = debtor_of(account)
    for day in range(1, 8):
        decision = authorise_contact(
            account=account, debtor=debtor, channel=Channel.CALL, at=ny(day, 14), now=NOW, actor=None
        )
        assert decision.allowed, decision.reasons
        record_contact(token=str(decision.token), outcome=Outcome.VOICEMAIL, at=ny(day, 14), now=NOW, actor=None)
    eighth = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(7, 18)).decision
    assert [r.rule for r in eighth.reasons] == ["US-08"]
    assert eighth.next_allowed is not None

    other = AccountFactory(creditor=CreditorFactory(), debtor=DebtorFactory(time_zone="America/New_York"))
    ContactPointFactory(debtor=debtor_of(other), value="+15185550199")  # upstate New York
    record_inbound_contact(
        account=other,
        debtor=debtor_of(other),
        channel=Channel.CALL,
        outcome=Outcome.CONNECTED_CONVERSATION,
        at=ny(20, 10),
        now=NOW,
        actor=None,
    )
    waiting = evaluate(account=other, debtor=debtor_of(other), channel=Channel.CALL, at=ny(23, 12)).decision
    assert [r.rule for r in waiting.reasons] == ["US-08"]


def test_holds_block_what_they_cover_until_they_are_lifted(account: Account) -> None:
    debtor = debtor_of(account)
    cease = place_hold(
        kind="cease_communication",
        reason="Letter received asking us to stop",
        evidence="scan 2026-06-09",
        starts_at=ny(9, 9),
        now=NOW,
        actor=None,
        account=account,
    )
    blocked = evaluate(account=account, debtor=debtor, channel=Channel.EMAIL, at=ny(10, 12)).decision
    assert [r.rule for r in blocked.reasons] == ["US-04"]
    assert blocked.next_allowed is None  # waiting will not cure it
    lift_hold(hold=cease, reason="Consumer wrote again asking us to call", now=NOW, actor=None)
    assert evaluate(account=account, debtor=debtor, channel=Channel.EMAIL, at=ny(10, 12)).decision.allowed

    place_hold(
        kind="do_not_contact",
        channel="sms",
        reason="Replied STOP",
        starts_at=ny(9, 9),
        now=NOW,
        actor=None,
        debtor=debtor,
    )
    assert not evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(10, 12)).decision.allowed
    assert evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12)).decision.allowed
    place_hold(kind="hardship", reason="Lost job", starts_at=ny(9, 9), now=NOW, actor=None, account=account)
    warned = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12)).decision
    assert warned.allowed
    assert [w.rule for w in warned.warnings] == ["AU-06"]
    with pytest.raises(UnableToContact, match="reason: say why"):
        place_hold(kind="dispute", reason=" ", starts_at=ny(9, 9), now=NOW, actor=None, account=account)


def test_an_override_needs_the_permission_and_a_reason(account: Account) -> None:
    debtor = debtor_of(account)
    officer = UserFactory()
    with pytest.raises(UnableToContact, match="override permission"):
        authorise_contact(
            account=account,
            debtor=debtor,
            channel=Channel.CALL,
            at=ny(10, 22),
            now=NOW,
            actor=officer,
            override_reason="debtor asked for a late call",
        )
    manager = create_user(username="mona", role=Role.MANAGER, password="Manager-passphrase-2026", now=NOW)
    decision = authorise_contact(
        account=account,
        debtor=debtor,
        channel=Channel.CALL,
        at=ny(10, 22),
        now=NOW,
        actor=manager,
        override_reason="debtor asked in writing to be called after 21:00 (shift worker)",
    )
    assert (decision.allowed, decision.usable) == (False, True)
    record_contact(
        token=str(decision.token), outcome=Outcome.CONNECTED_CONVERSATION, at=ny(10, 22), now=NOW, actor=manager
    )
    assert AuditEvent.objects.filter(name="compliance.contact.overridden").count() == 1


def test_a_country_without_rules_is_blocked_not_guessed() -> None:
    account = AccountFactory(debtor=DebtorFactory(country="NZ", time_zone="Pacific/Auckland"))
    ContactPointFactory(debtor=debtor_of(account), value="+6495550123")
    decision = evaluate(account=account, debtor=debtor_of(account), channel=Channel.CALL, at=ny(10, 12)).decision
    assert [r.rule for r in decision.reasons] == ["GATE-01"]


def test_the_command_line_prints_the_decision_and_the_validation_end(account: Account) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "compliance",
            "check",
            "--account",
            account.reference,
            "--channel",
            "call",
            "--at",
            "2026-06-10T10:00:00-04:00",
        ],
    )
    assert result.exit_code == 1
    decision = json.loads(result.output)
    assert decision["allowed"] is False
    assert decision["reasons"][0]["rule"] == "US-01"
    assert decision["next_allowed"] == "2026-06-10T11:00:00-04:00"
    assert not ContactDecision.objects.exists()  # a check records nothing
    result = runner.invoke(cli, ["compliance", "validation-end", "--sent", "2026-11-23"])
    assert result.exit_code == 0
    # Sent Monday 23 November 2026: five business days, skipping Thanksgiving (26th), is 1 December; then 30 days.
    assert json.loads(result.output) == {
        "sent": "2026-11-23",
        "assumed_receipt": "2026-12-01",
        "validation_end": "2026-12-31",
        "rule": "US-13",
    }
    result = runner.invoke(
        cli, ["compliance", "check", "--account", "NOPE", "--channel", "call", "--at", "2026-06-10T10:00:00Z"]
    )
    assert result.exit_code != 0
    assert "no account 'NOPE'" in result.output


def test_time_zone_is_required_for_the_at_option(account: Account) -> None:
    result = CliRunner().invoke(
        cli, ["compliance", "check", "--account", account.reference, "--channel", "call", "--at", "2026-06-10T10:00:00"]
    )
    assert result.exit_code != 0
    assert "has no UTC offset" in result.output


def test_a_creditors_contact_policy_adds_its_own_limits(account: Account) -> None:
    creditor = account.creditor
    creditor.contact_policy = {"max_attempts_per_day": 1, "windows": {"call": ["09:00", "20:00"]}}
    creditor.save()
    debtor = debtor_of(account)
    first = authorise_contact(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12), now=NOW, actor=None)
    record_contact(token=str(first.token), outcome=Outcome.NO_ANSWER, at=ny(10, 12), now=NOW, actor=None)
    again = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 15)).decision
    assert [r.rule for r in again.reasons] == ["FIRM-DAILY-ATTEMPTS"]
    late = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(11, 20, 30)).decision
    assert {r.rule for r in late.reasons} == {"FIRM-HOURS"}  # the law allows until 21:00, the creditor until 20:00

    creditor.contact_policy = {"max_calls": 3}
    creditor.save()
    with pytest.raises(UnableToContact, match="'max_calls' is not one of"):
        evaluate(account=Account.objects.get(pk=account.pk), debtor=debtor, channel=Channel.CALL, at=ny(12, 12))


def test_a_massachusetts_address_brings_the_stricter_state_cap() -> None:
    debtor = DebtorFactory(time_zone="America/New_York", region="MA", city="Boston", postal_code="02108")
    ContactPointFactory(debtor=debtor, value="+16175550100", last_consumer_use_date=date(2026, 5, 28))
    account = AccountFactory(creditor=CreditorFactory(), debtor=debtor)
    for day in (1, 2):
        decision = authorise_contact(
            account=account, debtor=debtor, channel=Channel.CALL, at=ny(day, 12), now=NOW, actor=None
        )
        record_contact(token=str(decision.token), outcome=Outcome.VOICEMAIL, at=ny(day, 12), now=NOW, actor=None)
    third = evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(3, 12))
    assert [r.rule for r in third.decision.reasons] == ["US-MA-1"]
    assert "Massachusetts (940 CMR 7.04, 209 CMR 18.16)" in third.packs
    brooklyn = DebtorFactory(time_zone="America/New_York", region="NY", city="Brooklyn", postal_code="11201")
    other = AccountFactory(creditor=CreditorFactory(), debtor=brooklyn)
    assert (
        "New York City (DCWP rules)"
        in evaluate(account=other, debtor=brooklyn, channel=Channel.CALL, at=ny(3, 12)).packs
    )


def test_a_time_barred_debt_cannot_be_referred_to_legal() -> None:
    from recoup.compliance.services import limitation_for, refer_to_legal

    old = AccountFactory(
        debtor=DebtorFactory(region="NY", time_zone="America/New_York"),
        first_delinquency_date=date(2022, 1, 10),
    )
    assert limitation_for(old).expires_on == date(2025, 1, 10)
    with pytest.raises(UnableToContact, match="US-NY-1: the limitation period ended on 2025-01-10"):
        refer_to_legal(account=old, reason="Judgment sought", now=NOW, actor=None)
    old.refresh_from_db()
    assert old.status == "active"

    recent = AccountFactory(
        debtor=DebtorFactory(region="NY", time_zone="America/New_York"),
        first_delinquency_date=date(2025, 9, 1),
    )
    assert refer_to_legal(account=recent, reason="Judgment sought", now=NOW, actor=None).status == "legal"

    texas = AccountFactory(debtor=DebtorFactory(region="TX", time_zone="America/Chicago"))
    with pytest.raises(UnableToContact, match="US-16: no limitation period is configured for TX, US"):
        refer_to_legal(account=texas, reason="Judgment sought", now=NOW, actor=None)
    moved = refer_to_legal(
        account=texas,
        reason="Judgment sought",
        now=NOW,
        actor=None,
        period_confirmed="Counsel confirmed 4 years, within",
    )
    assert moved.status == "legal"
    assert AuditEvent.objects.filter(name="compliance.legal_referral.checked").count() == 2


def test_a_hold_that_ends_at_night_allows_contact_from_the_morning_after(account: Account) -> None:
    debtor = debtor_of(account)
    place_hold(
        kind="dispute",
        reason="Paid in full, says the debtor",
        starts_at=ny(9, 9),
        ends_at=ny(12, 2),  # 02:00 New York time
        now=NOW,
        actor=None,
        account=account,
    )
    blocked = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12)).decision
    assert [r.rule for r in blocked.reasons] == ["US-15"]
    assert blocked.next_allowed == ny(12, 11)  # 08:00 in San Francisco, where the phone number is
    place_hold(
        kind="do_not_contact",
        channel="sms",
        reason="STOP",
        starts_at=ny(9, 9),
        ends_at=ny(20, 12),
        now=NOW,
        actor=None,
        debtor=debtor,
    )
    assert evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(13, 12)).decision.allowed


def test_a_text_needs_a_mobile_number_and_a_letter_a_full_address() -> None:
    """The rules the daily run's screen applies (core.contact_rules), asked of the gate: a landline
    cannot take a text, and a first line without a town or postcode cannot take a letter."""
    debtor = DebtorFactory(time_zone="America/New_York", city="", postal_code="")
    landline = ContactPointFactory(debtor=debtor, value="+15185550188", phone_type="home", consent="granted")
    account = AccountFactory(creditor=CreditorFactory(), debtor=debtor)
    text = evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(10, 12))
    assert [(r.rule, r.text) for r in text.decision.reasons] == [
        ("GATE-02", f"no mobile number is on record for {debtor}")
    ]
    named = evaluate(account=account, debtor=debtor, channel=Channel.SMS, at=ny(10, 12), contact_point=landline)
    assert [r.text for r in named.decision.reasons] == [
        "a text cannot go to the home number +15185550188; it needs a mobile number"
    ]
    assert evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 12)).contact_points == (
        landline.pk,
    )
    letter = evaluate(account=account, debtor=debtor, channel=Channel.LETTER, at=ny(10, 12))
    assert [r.rule for r in letter.decision.reasons] == ["GATE-02"]
