"""A debtor nobody can place (issue 22.4): no time zone and only numbers without an area. The gate blocks
contact that depends on their local time, asking for an address or a time zone, unless the firm chose
RECOUP_UNKNOWN_LOCATION=widest-overlap; a debtor with a zone is judged as before. The queue and the
messages the daily run queues meet the same answer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.communications.services import UnableToSend, queue_message, save_template
from recoup.compliance.models import ContactDecision
from recoup.compliance.services import authorise_contact, evaluate
from recoup.core.compliance import Channel, number_place
from recoup.parties.models import Debtor
from recoup.users.roles import Role
from recoup.workspace.queue import NothingAllowedNow, claim_next

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
TOLL_FREE = "+18005550100"
NO_LOCATION = "No location known for this debtor: add an address or a time zone before"


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=NEW_YORK)


def unplaced(**address: str) -> Account:
    """A US debtor with no time zone, a toll-free number (marked mobile, so a text could go to it) and an
    email address the person gave."""
    fields = {"address_line1": "", "city": "", "region": "", "postal_code": "", **address}
    debtor = DebtorFactory(time_zone="", **fields)
    ContactPointFactory(debtor=debtor, value=TOLL_FREE, consent="granted", consent_date=date(2026, 6, 1))
    ContactPointFactory(debtor=debtor, email=True, source="debtor")
    return AccountFactory(creditor=CreditorFactory(), debtor=debtor)


def debtor_of(account: Account) -> Debtor:
    return account.debtors.get()


class TestTheGate:
    def test_calls_texts_and_emails_are_blocked_asking_for_a_location(self) -> None:
        account = unplaced()
        for channel, verb in ((Channel.CALL, "calling"), (Channel.SMS, "texting"), (Channel.EMAIL, "emailing")):
            answer = evaluate(account=account, debtor=debtor_of(account), channel=channel, at=ny(10, 14))
            assert not answer.decision.allowed
            assert answer.time_zones == ()  # never a zone nothing on record names
            assert answer.decision.next_allowed is None  # waiting does not cure it
            assert answer.decision.reasons[0].rule == "US-01"
            assert answer.decision.reasons[0].text.startswith(f"{NO_LOCATION} {verb}.")

    def test_the_blocked_answer_is_recorded_in_the_contact_ledger(self) -> None:
        account = unplaced()
        decision = authorise_contact(
            account=account, debtor=debtor_of(account), channel=Channel.CALL, at=ny(10, 14), now=ny(10, 14), actor=None
        )
        stored = ContactDecision.objects.get(pk=decision.pk)
        assert not stored.allowed
        assert stored.time_zones == []
        assert stored.reasons[0]["rule"] == "US-01"
        assert stored.reasons[0]["text"].startswith(NO_LOCATION)

    def test_a_letter_is_not_timed_so_an_address_without_a_zone_may_still_be_written_to(self) -> None:
        account = unplaced(address_line1="12 Main Street", city="Albany", region="NY", postal_code="12207")
        assert evaluate(
            account=account, debtor=debtor_of(account), channel=Channel.LETTER, at=ny(10, 23)
        ).decision.allowed
        call = evaluate(account=account, debtor=debtor_of(account), channel=Channel.CALL, at=ny(10, 14))
        assert call.decision.reasons[0].text.startswith(NO_LOCATION)

    def test_widest_overlap_calls_where_every_zone_of_the_country_overlaps(self, settings: Any) -> None:
        settings.UNKNOWN_LOCATION = "widest-overlap"
        account = unplaced()
        answer = evaluate(account=account, debtor=debtor_of(account), channel=Channel.CALL, at=ny(10, 10))
        assert set(answer.time_zones) == set(number_place(TOLL_FREE).zones)
        assert len(answer.time_zones) == 42
        assert not answer.decision.allowed  # 04:00 on Adak
        later = answer.decision.next_allowed
        assert later is not None
        assert evaluate(account=account, debtor=debtor_of(account), channel=Channel.CALL, at=later).decision.allowed

    def test_an_area_code_places_the_debtor_as_before(self) -> None:
        account = unplaced()
        ContactPointFactory(debtor=debtor_of(account), value="+14155550123")  # San Francisco
        answer = evaluate(account=account, debtor=debtor_of(account), channel=Channel.CALL, at=ny(10, 10))
        assert "America/Los_Angeles" in answer.time_zones
        assert len(answer.time_zones) == 42  # the toll-free number's list is still added, as before
        assert NO_LOCATION not in " ".join(r.text for r in answer.decision.reasons)

    @pytest.mark.parametrize("policy", ["block", "widest-overlap"])
    def test_a_debtor_with_a_time_zone_is_judged_as_before(self, settings: Any, policy: str) -> None:
        settings.UNKNOWN_LOCATION = policy
        debtor = DebtorFactory(time_zone="America/New_York")
        ContactPointFactory(debtor=debtor, value=TOLL_FREE)
        account = AccountFactory(creditor=CreditorFactory(), debtor=debtor)
        answer = evaluate(account=account, debtor=debtor, channel=Channel.CALL, at=ny(10, 10))
        assert answer.time_zones[0] == "America/New_York"
        assert len(answer.time_zones) == 42  # the toll-free number's list is added, as before
        assert [r.rule for r in answer.decision.reasons] == ["US-01"]
        assert NO_LOCATION not in answer.decision.reasons[0].text

    def test_a_uk_or_australian_debtor_without_a_zone_is_judged_by_the_country_rules(self) -> None:
        uk = DebtorFactory(uk=True, time_zone="")
        ContactPointFactory(debtor=uk, value="+447400123456")
        account = AccountFactory(creditor=CreditorFactory(), debtor=uk)
        at = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
        assert evaluate(account=account, debtor=uk, channel=Channel.CALL, at=at).decision.allowed  # UK time
        au = DebtorFactory(time_zone="", country="AU", region="NSW", city="Sydney", postal_code="2000")
        ContactPointFactory(debtor=au, value="+61412345678")
        answer = evaluate(
            account=AccountFactory(creditor=CreditorFactory(), debtor=au), debtor=au, channel=Channel.CALL, at=at
        )
        assert [r.rule for r in answer.decision.reasons] == ["AU-01"]
        assert answer.decision.reasons[0].text.startswith(f"{NO_LOCATION} calling.")


class TestWhatReachesTheGate:
    def test_next_account_passes_the_debtor_over_and_says_why(self) -> None:
        officer = UserFactory(role=Role.OFFICER)
        account = unplaced()
        account.assigned_officer = officer
        account.save(update_fields=["assigned_officer"])
        owing(account, principal="900.00")
        with pytest.raises(NothingAllowedNow, match=f"{account.reference}: {NO_LOCATION} calling"):
            claim_next(officer, now=ny(10, 14).astimezone(UTC))

    def test_the_daily_runs_email_is_refused_naming_the_rule(self) -> None:
        account = owing(unplaced(), principal="80.00")
        save_template(
            code="reminder",
            channel="email",
            subject="Your account",
            body="You owe {{ balance }}.\n\nThis communication is from a debt collector.\n\n"
            "To stop emails: {{ unsubscribe_url }}",
            now=ny(1, 9),
            actor=None,
        )
        # Refused outright, not deferred: no time would make it allowed.
        with pytest.raises(UnableToSend, match=f"email blocked: US-01: {NO_LOCATION} emailing"):
            queue_message(account=account, template_code="reminder", channel="email", now=ny(10, 14), actor=None)
