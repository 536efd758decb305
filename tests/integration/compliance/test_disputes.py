"""Disputes and complaints through the workflow: what stops collection and what does not, the deadlines
each jurisdiction starts, every move and every refusal, the verification hold the workflow places and
lifts, legal referral and credit reporting while a dispute is open, and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.cli.dispute_commands import disputes
from recoup.compliance.deadlines import credit_reporting_gate, enforcement_gate, record_notice
from recoup.compliance.disputes import UnableToDispute, advance_dispute, clocks_of, disputes_due, open_dispute
from recoup.compliance.models import Dispute, Hold
from recoup.compliance.services import UnableToContact, evaluate, lift_hold, refer_to_legal
from recoup.core.compliance import Channel
from recoup.core.compliance.model import Purpose
from recoup.core.money import Money
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday, 10:00 in New York, 15:00 in London
RECEIVED = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)  # Friday 16:00 in New York, 21:00 in London


def new_yorker(*, notice_sent: date | None = date(2026, 11, 20)) -> Account:
    debtor = DebtorFactory()
    ContactPointFactory(debtor=debtor, value="+15185550142", source="debtor", consent="granted")
    account = owing(AccountFactory(debtor=debtor, creditor=CreditorFactory()), principal="900.00")
    if notice_sent is not None:
        record_notice(account=account, kind="validation", sent_on=notice_sent, now=NOW, actor=None)
    return account


def londoner() -> Account:
    debtor = DebtorFactory(uk=True)
    ContactPointFactory(debtor=debtor, value="+447700900789", source="debtor", consent="granted")
    return owing(AccountFactory(debtor=debtor, creditor=CreditorFactory(uk_lender=True)), principal="640.00")


def dispute_on(account: Account, **fields: Any) -> Dispute:
    values: dict[str, Any] = {
        "kind": "dispute",
        "channel": "letter",
        "reason": "wrong_amount",
        "received_at": RECEIVED,
        "text": "I never had the late fees.",
    }
    values.update(fields)
    return open_dispute(account=account, now=NOW, actor=None, **values)


def call_at(account: Account, at: datetime, purpose: Purpose = Purpose.COLLECTION) -> Any:
    return evaluate(account=account, debtor=account.debtors.get(), channel=Channel.CALL, at=at, purpose=purpose)


class TestUnitedStates:
    def test_a_written_dispute_in_the_validation_period_holds_collection_until_verification(self) -> None:
        account = (
            new_yorker()
        )  # notice of 20 November, assumed received 30 November (Thanksgiving): period to 30 December
        dispute = dispute_on(account)
        assert dispute.validation_ends == date(2026, 12, 30)
        assert dispute.received_on == date(2026, 12, 4)
        assert dispute.rules == ["US-15"]
        assert dispute.hold is not None
        decision = call_at(account, NOW).decision
        assert not decision.allowed
        assert decision.reasons[0].rule == "US-15"
        account.refresh_from_db()
        assert account.status == "disputed"
        opened = AuditEvent.objects.get(name="compliance.dispute.opened")
        assert opened.after["hold"] == dispute.hold.pk
        assert opened.after["validation_ends"] == "2026-12-30"

        answered = advance_dispute(
            dispute=dispute, to="answered", outcome="verified", note="itemised statement sent", now=NOW, actor=None
        )
        assert answered.answered_on == date(2026, 12, 7)
        hold = Hold.objects.get(pk=dispute.hold.pk)
        assert hold.lifted_at == NOW
        assert call_at(account, NOW + timedelta(minutes=5)).decision.allowed
        account.refresh_from_db()
        assert account.status == "active"
        advanced = AuditEvent.objects.get(name="compliance.dispute.advanced")
        assert (advanced.before, advanced.after["state"], advanced.after["hold_lifted"]) == (
            {"state": "received"},
            "answered",
            hold.pk,
        )

    def test_statements_still_pass_the_verification_hold(self) -> None:
        account = new_yorker()
        dispute_on(account)
        assert not call_at(account, NOW).decision.allowed
        letter = evaluate(
            account=account, debtor=account.debtors.get(), channel=Channel.LETTER, at=NOW, purpose=Purpose.STATEMENT
        )
        assert letter.decision.allowed, letter.decision.reasons

    def test_an_oral_dispute_does_not_stop_calls_but_the_debt_is_disputed_and_not_sent_to_legal(self) -> None:
        account = new_yorker()
        dispute = dispute_on(account, channel="phone")
        assert dispute.hold is None
        assert call_at(account, NOW).decision.allowed
        report = credit_reporting_gate(account, NOW.date())
        assert not report.allowed
        assert any(r.rule == "US-15" and "disputed" in r.text for r in report.reasons)
        legal = enforcement_gate(account, NOW.date())
        assert any(f"dispute {dispute.pk} received 2026-12-04 is open" in r.text for r in legal.reasons)
        with pytest.raises(UnableToContact, match=f"dispute {dispute.pk} received 2026-12-04 is open"):
            refer_to_legal(account=account, reason="no payment", now=NOW, actor=None, period_confirmed="checked")

    def test_a_written_dispute_after_the_validation_period_does_not_stop_collection(self) -> None:
        account = new_yorker(notice_sent=date(2026, 10, 1))  # received 8 October: the period ended 7 November
        dispute = dispute_on(account)
        assert dispute.validation_ends == date(2026, 11, 7)
        assert dispute.hold is None

    def test_the_same_dispute_after_it_was_verified_is_duplicative(self) -> None:
        account = new_yorker()
        first = dispute_on(account)
        advance_dispute(dispute=first, to="answered", outcome="verified", note="statement sent", now=NOW, actor=None)
        again = dispute_on(account, received_at=NOW - timedelta(minutes=30))
        assert again.duplicate_of_id == first.pk
        assert again.hold is not None
        assert "duplicative notice" in again.hold.reason
        advance_dispute(
            dispute=again, to="answered", outcome="duplicative", note="duplicative notice", now=NOW, actor=None
        )
        assert Hold.objects.get(pk=again.hold.pk).lifted_at is not None

    def test_a_direct_credit_report_dispute_runs_the_30_day_clock(self) -> None:
        dispute = dispute_on(new_yorker(), about_credit_report=True)
        [clock] = clocks_of(dispute)
        assert (clock.rule, clock.due_on) == ("US-25", date(2027, 1, 3))


class TestUnitedKingdom:
    def test_a_dispute_about_the_amount_suspends_recovery_and_runs_the_disp_clocks(self) -> None:
        account = londoner()
        dispute = dispute_on(account)
        assert dispute.rules == ["UK-05", "UK-13"]
        assert [(c.due_on, c.met_on) for c in clocks_of(dispute)] == [
            (date(2026, 12, 9), None),  # Mon 7, Tue 8, Wed 9: the third business day after Friday 4
            (date(2027, 1, 29), None),  # eight weeks
        ]
        assert call_at(account, NOW).decision.reasons[0].rule == "UK-05"
        acknowledged = advance_dispute(dispute=dispute, to="acknowledged", now=NOW, actor=None)
        assert [c.met_on for c in clocks_of(acknowledged)] == [date(2026, 12, 7), None]
        upheld = advance_dispute(
            dispute=acknowledged, to="answered", outcome="upheld", note="fees removed", now=NOW, actor=None
        )
        assert upheld.hold is not None
        assert Hold.objects.get(pk=upheld.hold.pk).lifted_at is None  # the person was right: no collection
        assert not call_at(account, NOW + timedelta(hours=1)).decision.allowed

    def test_a_complaint_about_conduct_runs_the_clocks_but_does_not_stop_collection(self) -> None:
        account = londoner()
        complaint = open_dispute(
            account=account,
            kind="complaint",
            channel="email",
            category="communication_tactics",
            text="You called me at work.",
            received_at=RECEIVED,
            now=NOW,
            actor=None,
        )
        assert complaint.hold is None
        assert complaint.rules == ["UK-13"]
        assert len(clocks_of(complaint)) == 2
        assert call_at(account, NOW).decision.allowed


class TestTheVerificationHold:
    def test_it_is_not_lifted_by_hand_before_the_answer_except_with_the_override_permission(self) -> None:
        account = new_yorker()
        dispute = dispute_on(account)
        assert dispute.hold is not None
        lead = UserFactory(role=Role.TEAM_LEAD)
        with pytest.raises(UnableToContact, match=f"verification hold of dispute {dispute.pk}.*override permission"):
            lift_hold(hold=dispute.hold, reason="paid", now=NOW, actor=lead)
        assert Hold.objects.get(pk=dispute.hold.pk).lifted_at is None
        manager = UserFactory(role=Role.MANAGER)
        lift_hold(
            hold=dispute.hold, reason="the creditor confirmed in writing; verification follows", now=NOW, actor=manager
        )
        assert Hold.objects.get(pk=dispute.hold.pk).lift_reason.startswith("the creditor confirmed")

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(minutes=st.integers(min_value=0, max_value=60 * 24 * 20))
    def test_no_collection_call_is_allowed_while_it_stands(self, minutes: int) -> None:
        """Between receipt and the answer, at any moment (day or night, weekday or weekend), the gate
        refuses a collection call naming US-15, so none can be recorded as made."""
        account = Account.objects.filter(reference="PROPERTY-1").first()
        if account is None:
            account = new_yorker()
            Account.objects.filter(pk=account.pk).update(reference="PROPERTY-1")
            dispute_on(account)
        at = RECEIVED + timedelta(minutes=minutes)
        decision = call_at(account, at).decision
        assert not decision.allowed
        assert "US-15" in [r.rule for r in decision.reasons]


class TestRefusals:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"received_at": NOW + timedelta(hours=1)}, "received_at: .* is in the future"),
            ({"received_at": datetime(2026, 12, 4, 16, 0)}, "received_at: give the time with its UTC offset"),  # noqa: DTZ001
            ({"reason": "dont_like_it"}, "reason: 'dont_like_it' is not one of not_my_debt"),
            ({"reason": "other", "text": ""}, "text: say what is disputed"),
            ({"channel": "pigeon"}, "channel: 'pigeon' is not one of letter"),
            ({"kind": "grumble"}, "kind: 'grumble' is not one of dispute, complaint"),
            ({"disputed": Money.of("901.00", "USD")}, "disputed: 901.00 USD is more than the 900.00 USD"),
            ({"disputed": Money.of("10.00", "GBP")}, "disputed: the account is in USD, not GBP"),
            ({"category": "privacy"}, "category: a dispute about the debt has a reason"),
        ],
    )
    def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
        self, fields: dict[str, Any], message: str
    ) -> None:
        account = new_yorker()
        events = AuditEvent.objects.count()
        with pytest.raises(UnableToDispute, match=message):
            dispute_on(account, **fields)
        assert not Dispute.objects.exists()
        assert not Hold.objects.exists()
        assert AuditEvent.objects.count() == events

    def test_a_closed_account_takes_no_dispute(self) -> None:
        account = new_yorker()
        Account.objects.filter(pk=account.pk).update(status="closed")
        account.refresh_from_db()
        with pytest.raises(UnableToDispute, match=f"account: account {account.reference} is closed"):
            dispute_on(account)

    def test_a_move_out_of_order_is_refused_and_changes_nothing(self) -> None:
        dispute = dispute_on(new_yorker())
        with pytest.raises(UnableToDispute, match="outcome: an answered dispute needs its outcome"):
            advance_dispute(dispute=dispute, to="answered", note="sent", now=NOW, actor=None)
        with pytest.raises(UnableToDispute, match="to: a dispute that is received cannot go to closed"):
            advance_dispute(dispute=dispute, to="closed", now=NOW, actor=None)
        with pytest.raises(UnableToDispute, match="note: say how it was withdrawn"):
            advance_dispute(dispute=dispute, to="withdrawn", now=NOW, actor=None)
        withdrawn = advance_dispute(dispute=dispute, to="withdrawn", note="by phone", now=NOW, actor=None)
        closed = advance_dispute(dispute=withdrawn, to="closed", now=NOW, actor=None)
        with pytest.raises(UnableToDispute, match="cannot go to investigating .*nothing: it is closed"):
            advance_dispute(dispute=closed, to="investigating", now=NOW, actor=None)
        closed.refresh_from_db()
        assert closed.state == "closed"
        assert AuditEvent.objects.filter(name="compliance.dispute.advanced").count() == 2

    def test_a_crash_while_the_hold_is_placed_leaves_no_dispute(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import recoup.compliance.disputes as workflow

        def fail(**_: Any) -> None:
            raise RuntimeError("the database went away")

        monkeypatch.setattr(workflow, "place_hold", fail)
        with pytest.raises(RuntimeError):
            dispute_on(new_yorker())
        assert not Dispute.objects.exists()
        assert not AuditEvent.objects.filter(name="compliance.dispute.opened").exists()


def test_the_due_list_is_nearest_first_with_overdue_ones_named() -> None:
    uk = dispute_on(londoner())
    us = dispute_on(new_yorker(), about_credit_report=True)
    rows = disputes_due(as_of=date(2026, 12, 10))
    assert [(row.dispute.pk, row.clock.due_on, row.state.value) for row in rows] == [
        (uk.pk, date(2026, 12, 9), "overdue"),
        (us.pk, date(2027, 1, 3), "running"),
        (uk.pk, date(2027, 1, 29), "running"),
    ]


class TestTheCommands:
    def test_open_show_advance_and_due_print_json(self) -> None:
        account = londoner()
        runner = CliRunner()
        opened = runner.invoke(
            disputes,
            [
                "open",
                "--account",
                account.reference,
                "--received-at",
                "2026-12-04T21:00:00+00:00",
                "--channel",
                "letter",
                "--reason",
                "already_paid",
                "--text",
                "Paid in March",
                "--format",
                "json",
            ],
        )
        assert opened.exit_code == 0, opened.output
        shown = json.loads(opened.output)
        assert (shown["state"], shown["rules"], shown["jurisdiction"]) == ("received", ["UK-05", "UK-13"], "GB-ENG")
        assert [(d["rule"], d["due_on"]) for d in shown["deadlines"]] == [
            ("UK-13", "2026-12-09"),
            ("UK-13", "2027-01-29"),
        ]
        show = runner.invoke(disputes, ["show", str(shown["id"]), "--as-of", "2026-12-10"])
        assert show.exit_code == 0, show.output
        assert "UK-13  2026-12-09  overdue" in show.output
        due = runner.invoke(disputes, ["due", "--as-of", "2026-12-10", "--format", "json"])
        assert due.exit_code == 1  # one is overdue
        assert json.loads(due.output)[0]["due_on"] == "2026-12-09"
        refused = runner.invoke(disputes, ["advance", str(shown["id"]), "--to", "answered", "--note", "sent"])
        assert refused.exit_code == 2
        assert "--outcome: an answered dispute needs its outcome" in refused.output
        answered = runner.invoke(
            disputes,
            [
                "advance",
                str(shown["id"]),
                "--to",
                "answered",
                "--outcome",
                "verified",
                "--note",
                "sent",
                "--format",
                "json",
            ],
        )
        assert answered.exit_code == 0, answered.output
        assert json.loads(answered.output)["verification_hold"]["in_force"] is False

    def test_bad_options_name_the_option(self) -> None:
        account = londoner()
        runner = CliRunner()
        base = ["open", "--account", account.reference, "--channel", "letter", "--reason", "wrong_amount"]
        future = runner.invoke(disputes, [*base, "--received-at", "2099-01-01T00:00:00+00:00"])
        assert future.exit_code == 2
        assert "--received-at: 2099-01-01T00:00:00+00:00 is in the future" in future.output
        naive = runner.invoke(disputes, [*base, "--received-at", "2026-12-04T10:00:00"])
        assert "--received-at: give the UTC offset" in naive.output
        unknown = runner.invoke(
            disputes,
            [
                "open",
                "--account",
                "NOPE",
                "--channel",
                "letter",
                "--reason",
                "other",
                "--received-at",
                "2026-12-04T10:00:00+00:00",
            ],
        )
        assert "--account: no account 'NOPE'" in unknown.output
        assert runner.invoke(disputes, ["show", "999999"]).exit_code == 2
        assert not Dispute.objects.exists()


def test_the_account_timeline_says_what_was_disputed_and_how_it_ended() -> None:
    from django.test import Client

    account = new_yorker()
    dispute = dispute_on(account)
    advance_dispute(dispute=dispute, to="answered", outcome="verified", note="statement sent", now=NOW, actor=None)
    client = Client()
    client.force_login(UserFactory(role=Role.MANAGER))
    page = client.get(f"/accounts/{account.pk}/timeline/").content.decode()
    assert "Dispute received by letter on 2026-12-04: wrong amount (I never had the late fees.)" in page
    assert "verification hold placed" in page
    assert "Dispute now answered (verified): statement sent; verification hold lifted" in page
