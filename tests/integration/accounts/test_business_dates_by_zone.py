"""Dates are decided in the zone they belong to (docs/decisions/0005-business-dates.md): a charge or
payment is dated on the creditor's business day, a legal clock runs on the debtor's; a date typed by
a person is in the future only when it is later than today everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from factories import AccountFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.accounts.dates import ledger_date, legal_date
from recoup.accounts.models import Account, LedgerTransaction, Payment
from recoup.accounts.services import UnableToPostTransaction, post_charge, record_payment
from recoup.arrangements.models import Due
from recoup.arrangements.services import PlanRequest, create_plan, monitor_on_business_dates
from recoup.compliance.deadlines import record_hardship_notice, record_notice
from recoup.compliance.models import Notice
from recoup.compliance.services import UnableToContact, refer_to_legal
from recoup.core.arrangements import Frequency
from recoup.core.ledger import Component
from recoup.core.money import Money
from recoup.platform.config import ConfigurationError, load_config

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
# As the clock gives them (timezone.now() is in UTC): the zone must come from the creditor or debtor.
MORNING_IN_SYDNEY = datetime(2026, 6, 15, 8, 0, tzinfo=SYDNEY).astimezone(UTC)  # 22:00 on the 14th in UTC
EVENING_IN_LOS_ANGELES = datetime(2026, 6, 14, 22, 0, tzinfo=LOS_ANGELES).astimezone(UTC)  # 05:00 on the 15th


def sydney_account(**account: Any) -> Account:
    creditor = CreditorFactory(au_utility=True, business_time_zone="Australia/Sydney")
    debtor = DebtorFactory(country="AU", region="NSW", time_zone="Australia/Sydney")
    return AccountFactory(creditor=creditor, debtor=debtor, currency="AUD", **account)


def los_angeles_account(**creditor: Any) -> Account:
    lender = CreditorFactory(business_time_zone="America/Los_Angeles", jurisdiction="US-CA", **creditor)
    debtor = DebtorFactory(country="US", region="CA", time_zone="America/Los_Angeles")
    return AccountFactory(creditor=lender, debtor=debtor)


def test_a_charge_posted_at_8_in_the_morning_in_sydney_is_dated_that_day_in_the_ledger() -> None:
    account = sydney_account()
    item = post_charge(
        account=account,
        component=Component.FEES,
        amount=Money.of("10.00", "AUD"),
        due_date=date(2026, 6, 15),
        now=MORNING_IN_SYDNEY,
        actor=None,
    )
    posted = LedgerTransaction.objects.get(entries__open_item=item)
    assert posted.effective_date == date(2026, 6, 15)  # the UTC date is the 14th
    assert ledger_date(account, MORNING_IN_SYDNEY) == date(2026, 6, 15)


def test_a_payment_taken_late_in_the_evening_in_los_angeles_without_a_date_is_dated_that_day_there() -> None:
    account = owing(los_angeles_account(), principal="100.00")
    record_payment(
        account=account,
        amount=Money.of("20.00", "USD"),
        received_at=EVENING_IN_LOS_ANGELES,
        method="card",
        now=EVENING_IN_LOS_ANGELES,
        actor=None,
    )
    payment = Payment.objects.select_related("transaction").get()
    assert payment.transaction.effective_date == date(2026, 6, 14)  # the UTC date would be the 15th


def test_a_creditor_without_a_zone_of_its_own_posts_on_the_office_date(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/London"
    account = AccountFactory(creditor=CreditorFactory(uk_lender=True), currency="GBP")
    just_after_midnight = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)  # 00:30 on the 15th in London
    assert ledger_date(account, just_after_midnight) == date(2026, 6, 15)


def test_a_notice_sent_today_in_sydney_is_not_refused_as_in_the_future() -> None:
    account = sydney_account()
    notice = record_notice(
        account=account, kind=Notice.Kind.OVERDUE, sent_on=date(2026, 6, 15), now=MORNING_IN_SYDNEY, actor=None
    )
    assert notice.sent_on == date(2026, 6, 15)
    hardship = record_hardship_notice(
        account=account,
        received_on=date(2026, 6, 15),
        how="oral",
        summary="lost their job last week",
        now=MORNING_IN_SYDNEY,
        actor=None,
    )
    assert hardship.received_on == date(2026, 6, 15)


def test_a_notice_dated_after_today_everywhere_is_refused_and_nothing_is_stored() -> None:
    account = sydney_account()
    with pytest.raises(UnableToContact, match="sent_on: 2026-06-17 is in the future"):
        record_notice(
            account=account, kind=Notice.Kind.OVERDUE, sent_on=date(2026, 6, 17), now=MORNING_IN_SYDNEY, actor=None
        )
    assert not Notice.objects.exists()
    with pytest.raises(UnableToPostTransaction, match="effective_date: 2026-06-17 is in the future"):
        post_charge(
            account=account,
            component=Component.FEES,
            amount=Money.of("10.00", "AUD"),
            due_date=date(2026, 6, 17),
            effective_date=date(2026, 6, 17),
            now=MORNING_IN_SYDNEY,
            actor=None,
        )


def test_the_limitation_clock_runs_on_the_debtors_date_not_the_utc_one() -> None:
    # NSW: 6 years from the first delinquency of 14 June 2020; the last day of the period is 14 June 2026.
    account = sydney_account(first_delinquency_date=date(2020, 6, 14))
    assert legal_date(account, MORNING_IN_SYDNEY) == date(2026, 6, 15)  # in UTC still the 14th, in time
    with pytest.raises(UnableToContact, match="AU-05: the limitation period ended on 2026-06-14"):
        refer_to_legal(account=account, reason="no response", now=MORNING_IN_SYDNEY, actor=None)


def test_a_debtor_with_no_zone_on_record_has_their_creditors_dates() -> None:
    creditor = CreditorFactory(au_utility=True, business_time_zone="Australia/Sydney")
    account = AccountFactory(creditor=creditor, debtor=DebtorFactory(country="AU", time_zone=""), currency="AUD")
    assert legal_date(account, MORNING_IN_SYDNEY) == date(2026, 6, 15)


def test_plans_are_monitored_on_each_creditors_business_date(django_capture_on_commit_callbacks: Any) -> None:
    """At 05:30 UTC on the 15th it is still the 14th in Los Angeles and already the 15th in Sydney: an
    instalment due on the 14th and unpaid is broken in Sydney's books (grace 0) but not yet in LA's."""
    policy = {"grace_days": 0, "date_rule": "none"}
    la = owing(los_angeles_account(arrangement_policy=policy), principal="600.00")
    sydney_creditor = CreditorFactory(au_utility=True, business_time_zone="Australia/Sydney", arrangement_policy=policy)
    sydney = owing(
        AccountFactory(
            creditor=sydney_creditor, debtor=DebtorFactory(country="AU", time_zone="Australia/Sydney"), currency="AUD"
        ),
        principal="600.00",
    )
    made = datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    for account in (la, sydney):
        create_plan(
            account=account,
            request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2026, 6, 14), count=2),
            now=made,
            actor=None,
        )
    now = datetime(2026, 6, 15, 5, 30, tzinfo=ZoneInfo("UTC"))
    result = monitor_on_business_dates(now=now, account_ids=[la.pk, sydney.pk])
    assert result.arrangements == 2
    first = {
        due.arrangement.account_id: due.status for due in Due.objects.filter(number=1).select_related("arrangement")
    }
    assert first[la.pk] == Due.Status.DUE  # its day, not over yet
    assert first[sydney.pk] == Due.Status.BROKEN


def test_a_zone_that_does_not_exist_is_refused_where_it_is_set(tmp_path: Any) -> None:
    creditor = CreditorFactory.build(business_time_zone="Sydney")
    with pytest.raises(ValidationError) as refused:
        creditor.clean()
    assert "'Sydney' is not an IANA time zone" in str(refused.value.message_dict["business_time_zone"])
    with pytest.raises(ConfigurationError, match="RECOUP_TIME_ZONE.*'Europe/Londres' is not an IANA time zone"):
        load_config({"RECOUP_TIME_ZONE": "Europe/Londres", "RECOUP_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert load_config({"RECOUP_TIME_ZONE": "Europe/London", "RECOUP_DATA_DIR": str(tmp_path)}, cwd=tmp_path).time_zone
