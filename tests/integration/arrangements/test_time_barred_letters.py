"""An arrangement's confirmation letter and email on a time-barred New York debt carry New York's
time-barred disclosure first (US-16); on a debt within its period they do not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import override_settings

from factories import AccountFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.arrangements.letters import confirmation_email, letter_html
from recoup.arrangements.services import PlanRequest, create_plan
from recoup.core.arrangements import Frequency
from recoup.core.compliance.disclosures import NEW_YORK_TEXT

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
SENDER = {"COLLECTOR_NAME": "Summit Recovery Partners", "COLLECTOR_ADDRESS": "PO Box 4410|Albany NY 12201"}


def _plan(first_delinquency: date) -> Any:
    creditor = CreditorFactory(
        name="Lakeshore National Bank",
        collector_type="third_party",
        arrangement_policy={"grace_days": 3, "date_rule": "none"},
    )
    debtor = DebtorFactory(given_name="Maria", family_name="Alvarez", city="Troy", region="NY", postal_code="12180")
    account = owing(
        AccountFactory(creditor=creditor, debtor=debtor, first_delinquency_date=first_delinquency), principal="900.00"
    )
    return create_plan(
        account=account,
        request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 1, 4), count=3),
        now=NOW,
        actor=None,
    )


@override_settings(**SENDER)
def test_the_letter_and_email_on_a_time_barred_new_york_debt_start_with_the_disclosure() -> None:
    plan = _plan(date(2022, 1, 10))  # New York's 3 years ended on 2025-01-10
    html = letter_html(plan, today=TODAY)
    assert html.count("New York State Department of Financial Services") == 1
    assert html.index("New York State Department of Financial Services") < html.index("Dear Maria Alvarez")
    email = confirmation_email(plan, today=TODAY)
    assert email.text.startswith(NEW_YORK_TEXT + "\n\nDear Maria Alvarez,")


@override_settings(**SENDER)
def test_a_debt_within_its_period_gets_none() -> None:
    plan = _plan(date(2025, 11, 1))
    assert "statute of limitations" not in letter_html(plan, today=TODAY)
    assert confirmation_email(plan, today=TODAY).text.startswith("Dear Maria Alvarez,")
