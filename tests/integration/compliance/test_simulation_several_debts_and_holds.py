"""Sixty days of simulated automated contact on the demo portfolio (issue 22, points 2 and 3): people who
owe several debts are called about all of them, and some are put under a UK breathing space or a US
cease-communication request partway through and still sent messages. The independent checker finds no
breach, while the gate did refuse: US-08 counted per debt, a call about two debts toward each; the holds
stopped collection; the statements and notices the holds allow went through. And the checker does
find such breaches when they are planted in the ledger."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db.models import Q

from factories import AccountFactory, CreditorFactory, DebtorFactory
from recoup.accounts.models import Account, AccountDebtor
from recoup.cli.main import cli
from recoup.communications.simulation import OutboxMessenger
from recoup.compliance.checker import check_ledger
from recoup.compliance.models import Contact, ContactAbout, ContactDecision, Hold
from recoup.compliance.services import place_hold
from recoup.compliance.simulation import PlannedHold, simulate
from recoup.demo.generator import generate_portfolio

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, tzinfo=UTC)  # across the US (8 March) and UK (29 March) clock changes, Easter
DAYS = 60
COUNTED = ("no_answer", "voicemail", "connected_conversation")


@pytest.fixture(autouse=True)
def sender(settings: Any, tmp_path: Path) -> None:
    settings.COLLECTOR_NAME = "Summit Recovery Partners"
    settings.COLLECTOR_ADDRESS = "PO Box 4410|Denver CO 80201"
    settings.DATA_DIR = tmp_path


def _people(country: str, *, email: bool = True) -> tuple[list[list[Account]], list[Account]]:
    """The people in `country` with several active debts, and those with one (with an email address,
    for those who will be written to)."""
    owed: dict[int, list[Account]] = defaultdict(list)
    roles = (
        AccountDebtor.objects.filter(
            role="primary", account__status="active", debtor__country=country, debtor__kind="person"
        )
        .filter(**({"debtor__contact_points__kind": "email"} if email else {}))
        .select_related("account__creditor")
        .order_by("debtor_id", "account_id")
        .distinct()
    )
    for role in roles:
        owed[role.debtor_id].append(role.account)
    several = [accounts for accounts in owed.values() if len(accounts) > 1]
    single = [accounts[0] for accounts in owed.values() if len(accounts) == 1]
    return several, single


def _us08_blocks_only_other_debts_explain() -> int:
    """Calls the gate refused for US-08 on a debt whose own ledger (the contacts recorded against it,
    over a generous 9 days) has neither 7 counted calls nor a conversation: only the calls recorded
    against the person's other debts and also about this one can have used its week up."""
    found = 0
    refused = ContactDecision.objects.filter(allowed=False, channel="call").values_list(
        "account_id", "proposed_at", "reasons"
    )
    for account, at, reasons in refused:
        if "US-08" not in {reason["rule"] for reason in reasons}:
            continue
        own = Contact.objects.filter(account_id=account, channel="call", at__gte=at - timedelta(days=9), at__lte=at)
        calls = own.filter(direction="outbound", outcome__in=COUNTED).count()
        if calls < 7 and not own.filter(outcome="connected_conversation").exists():
            found += 1
    return found


def test_sixty_days_with_several_debts_and_holds_break_no_rule() -> None:
    generate_portfolio(accounts=1500, seed=7, as_of=START.date(), now=START)
    us_several, us_single = _people("US")
    gb_several, gb_single = _people("GB")
    au_several, _ = _people("AU", email=False)
    families = us_several[:4] + gb_several[:1] + au_several[:1]
    assert len(families) == 6
    chosen = [account for family in families for account in family] + us_single[:2] + gb_single[:2]
    breathing_person, breathing_single = gb_several[0][0], gb_single[0]
    stopped_debt, stopped_single = us_several[0][1], us_single[0]
    holds = [
        PlannedHold(breathing_person, "breathing_space", day=20),  # on the person: both their debts
        PlannedHold(breathing_single, "breathing_space", day=25),
        PlannedHold(stopped_debt, "cease_communication", day=15),  # on this debt only; the other is still called
        PlannedHold(stopped_single, "cease_communication", day=30),
    ]
    result = simulate(
        accounts=chosen,
        start=START,
        days=DAYS,
        proposals_per_day=2,
        seed=11,
        also_about_share=0.5,
        holds=holds,
        messenger=OutboxMessenger(now=START),
    )

    assert check_ledger() == []

    # Calls about several debts were recorded, each other debt the person's own, and counted toward it.
    assert result.people_with_several_debts == 6
    assert result.calls_about_several > 0
    abouts = ContactAbout.objects.select_related("contact")
    assert abouts.count() == result.also_about >= result.calls_about_several
    for about in abouts:
        assert AccountDebtor.objects.filter(account_id=about.account_id, debtor_id=about.contact.debtor_id).exists()
        assert about.account_id != about.contact.account_id
    assert _us08_blocks_only_other_debts_explain() > 0
    # ... and the dialer could not name a debt whose week was used up, or that was stopped.
    assert {"US-08", "AU-02"} <= set(result.also_about_refused), result.also_about_refused
    assert not ContactAbout.objects.filter(account=stopped_debt, contact__at__gte=START + timedelta(days=15, hours=12))

    # The gate refused the collection calls under the holds, with the hours and both frequency caps.
    assert {"UK-07", "US-04", "US-08", "AU-02", "US-01", "UK-04", "AU-01"} <= set(result.blocked_by)
    assert result.holds_placed == {"breathing_space": 2, "cease_communication": 2}

    # No collection message went out during a hold; statements and notices did where the hold allows them.
    messages = result.messages
    assert messages[("during hold", "collection", "sent")] == 0
    assert messages[("during hold", "collection", "deferred")] > 0  # to the breathing space's end
    assert messages[("during hold", "collection", "refused")] > 0  # a cease request has none
    assert messages[("during hold", "cease_notice", "sent")] == 2
    assert messages[("before hold", "collection", "sent")] > 0  # the same accounts were written to before
    assert {"UK-07", "US-04"} <= set(result.messages_blocked_by)
    placed = Hold.objects.filter(created_at__gt=START).order_by("id")  # the demo's own holds are older
    assert placed.count() == 4
    for hold in placed:
        covered = Q(account_id=hold.account_id) | (Q(debtor_id=hold.debtor_id) if hold.debtor_id else Q(pk__in=[]))
        during = Contact.objects.filter(covered, direction="outbound", at__gte=hold.starts_at)
        purposes = set(during.values_list("decision__purpose", flat=True))
        if hold.kind == "breathing_space":
            assert purposes == {"statement", "required_notice"}, (hold, purposes)
            assert during.filter(channel="email").count() == during.count() > 0
        else:
            assert purposes == {"cease_notice"}, (hold, purposes)
    # The other debt of the person who asked to stop about one of them was still called, and named.
    other = us_several[0][0]
    assert Contact.objects.filter(account=other, at__gte=START + timedelta(days=16)).exists()


def test_the_command_line_simulates_several_debts_and_holds() -> None:
    generate_portfolio(accounts=1500, seed=7, as_of=START.date(), now=START)
    options = ["--days", "6", "--accounts", "30", "--per-day", "2", "--seed", "3", "--start", START.isoformat()]
    result = CliRunner().invoke(cli, ["compliance", "simulate", *options, "--also-about", "0.5", "--holds", "2"])
    assert result.exit_code == 0, result.output
    several = re.search(
        r"\n(\d+) (?:person owes|people owe) several of the debts: (\d+) calls were about more than one", result.output
    )
    assert several, result.output
    assert int(several.group(1)) > 0
    assert "Holds placed: cease communication 2. Messages tried during them: collection 0 sent, " in result.output
    assert "Independent check of the ledger: 0 breaches." in result.output
    assert Hold.objects.filter(created_at__gt=START, kind="cease_communication").count() == 2
    assert Account.objects.filter(status="active").order_by("id")[:30].count() < len(
        set(Contact.objects.values_list("account_id", flat=True))
    )  # the people's other debts were called too


# The checker finds what the gate would have refused, when it is planted in the ledger. ---------------


def _planted(
    account: Account, at: datetime, *, channel: str = "call", outcome: str = "no_answer", purpose: str = "collection"
) -> Contact:
    """A contact written straight to the ledger, as a buggy path around the gate would."""
    debtor = account.debtors.get()
    decision = ContactDecision.objects.create(
        account=account,
        debtor=debtor,
        channel=channel,
        proposed_at=at,
        allowed=True,
        time_zones=[debtor.time_zone],
        purpose=purpose,
        decided_at=at,
    )
    return Contact.objects.create(
        decision=decision, account=account, debtor=debtor, channel=channel, outcome=outcome, at=at, recorded_at=at
    )


def _two_debts(**debtor: Any) -> tuple[Account, Account]:
    person = DebtorFactory(**debtor)
    return AccountFactory(creditor=CreditorFactory(), debtor=person), AccountFactory(
        creditor=CreditorFactory(), debtor=person
    )


def test_the_checker_counts_a_call_about_two_debts_toward_each() -> None:
    card, loan = _two_debts(time_zone="America/New_York")
    calls = [_planted(card, datetime(2026, 3, day, 15, 0, tzinfo=UTC)) for day in range(2, 9)]  # 7, 2-8 March
    eighth = _planted(loan, datetime(2026, 3, 8, 19, 0, tzinfo=UTC))
    assert check_ledger() == []  # the loan's first call: the card's seven were about the card only
    for call in calls:
        ContactAbout.objects.create(contact=call, account=loan)
    assert [(b.rule, b.contact_id) for b in check_ledger()] == [("US-08", eighth.pk)]


def test_the_checker_counts_a_conversation_about_two_debts_toward_each() -> None:
    card, loan = _two_debts(time_zone="America/New_York")
    talk = _planted(card, datetime(2026, 3, 2, 15, 0, tzinfo=UTC), outcome="connected_conversation")
    too_soon = _planted(loan, datetime(2026, 3, 5, 15, 0, tzinfo=UTC))
    assert check_ledger() == []
    ContactAbout.objects.create(contact=talk, account=loan)
    breaches = check_ledger()
    assert [(b.rule, b.contact_id) for b in breaches] == [("US-08", too_soon.pk)]
    assert "within 7 days of a conversation on 2026-03-02" in breaches[0].text


def test_the_checker_finds_a_collection_message_during_a_breathing_space_and_not_a_statement() -> None:
    account = AccountFactory(creditor=CreditorFactory(uk_lender=True), debtor__uk=True)
    place_hold(
        kind="breathing_space",
        reason="Insolvency Service notification",
        starts_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        actor=None,
        account=account,
    )
    before = _planted(account, datetime(2026, 3, 2, 8, 30, tzinfo=UTC), channel="email", outcome="delivered")
    statement = _planted(
        account, datetime(2026, 3, 3, 10, 0, tzinfo=UTC), channel="email", outcome="delivered", purpose="statement"
    )
    reminder = _planted(account, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), channel="email", outcome="delivered")
    breaches = check_ledger()
    assert [(b.rule, b.contact_id) for b in breaches] == [("UK-07", reminder.pk)]
    assert "a email for collection during the breathing space hold" in breaches[0].text
    assert {before.pk, statement.pk}.isdisjoint(b.contact_id for b in breaches)


def test_the_checker_finds_a_call_about_a_debt_the_person_asked_us_to_stop_about() -> None:
    card, loan = _two_debts(time_zone="America/New_York")
    at = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    place_hold(
        kind="cease_communication",
        reason="letter",
        starts_at=at - timedelta(days=1),
        now=at - timedelta(days=1),
        actor=None,
        account=loan,
    )
    call = _planted(card, at)
    notice = _planted(loan, at + timedelta(hours=1), channel="letter", outcome="delivered", purpose="cease_notice")
    assert check_ledger() == []  # the card is not stopped; the loan's notice is one US-04 allows
    ContactAbout.objects.create(contact=call, account=loan)
    assert [(b.rule, b.contact_id) for b in check_ledger()] == [("US-04", call.pk)]
    assert notice.pk


def test_a_hold_recorded_after_the_contact_was_decided_is_not_held_against_it() -> None:
    """A breathing space notified today with yesterday's start: yesterday's call was made by no one who
    could have known (the gate cannot see a hold before it is recorded)."""
    account = AccountFactory(creditor=CreditorFactory(uk_lender=True), debtor__uk=True)
    call = _planted(account, datetime(2026, 3, 3, 11, 0, tzinfo=UTC))
    place_hold(
        kind="breathing_space",
        reason="notified late",
        starts_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        now=datetime(2026, 3, 4, 9, 0, tzinfo=UTC),
        actor=None,
        account=account,
    )
    assert check_ledger() == []
    after = _planted(account, datetime(2026, 3, 4, 11, 0, tzinfo=UTC))
    assert [(b.rule, b.contact_id) for b in check_ledger()] == [("UK-07", after.pk)]
    assert call.pk


def test_the_checker_finds_a_call_also_about_an_extinguished_debt() -> None:
    glasgow = {"uk": True, "region": "SCT", "city": "Glasgow", "postal_code": "G1 1XQ"}
    person = DebtorFactory(**glasgow)
    lender = CreditorFactory(uk_lender=True)
    recent = AccountFactory(creditor=lender, debtor=person, first_delinquency_date=date(2025, 6, 1))
    prescribed = AccountFactory(creditor=lender, debtor=person, first_delinquency_date=date(2020, 1, 10))
    call = _planted(recent, datetime(2026, 3, 3, 11, 0, tzinfo=UTC))
    assert check_ledger() == []
    ContactAbout.objects.create(contact=call, account=prescribed)
    breaches = check_ledger()
    assert [(b.rule, b.contact_id) for b in breaches] == [("UK-06", call.pk)]
    assert "the debt extinguished after 2025-01-10" in breaches[0].text
