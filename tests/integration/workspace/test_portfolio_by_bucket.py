"""The manager's home: open accounts by creditor and days past due, per currency, in one grouped query."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from factories import AccountFactory, CreditorFactory, UserFactory
from recoup.accounts.models import Account
from recoup.accounts.services import post_charge
from recoup.core.aging import DEFAULT_BUCKETS, days_past_due
from recoup.core.ledger import Component
from recoup.core.money import Money
from recoup.parties.models import Creditor
from recoup.users.roles import Role
from recoup.workspace.figures import BucketPortfolio, CurrencyRow, portfolio_by_bucket

pytestmark = pytest.mark.django_db
TODAY = date(2027, 1, 20)
LABELS = ("current", "1-30", "31-60", "61-90", "91-120", "121-180", "180+")


def charged(
    creditor: Creditor,
    *,
    due: date | None,
    principal: str = "0",
    interest: str | None = None,
    currency: str | None = None,
    status: str = Account.Status.ACTIVE,
    today: date = TODAY,
) -> Account:
    """An account owing `principal` due on `due` (and `interest` due five days before today), through the
    posting service, so the cached balances and oldest unpaid due date are the ones it keeps."""
    account = AccountFactory(creditor=creditor, currency=currency or creditor.default_currency)
    now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    if due is not None:
        post_charge(
            account=account,
            component=Component.PRINCIPAL,
            amount=Money.of(principal, account.currency),
            due_date=due,
            effective_date=min(due, today),
            now=now,
            actor=None,
        )
    if interest is not None:
        post_charge(
            account=account,
            component=Component.INTEREST,
            amount=Money.of(interest, account.currency),
            due_date=today - timedelta(days=5),
            effective_date=today - timedelta(days=5),
            now=now,
            actor=None,
        )
    if status != Account.Status.ACTIVE:
        Account.objects.filter(pk=account.pk).update(status=status)
    account.refresh_from_db()
    return account


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def cells(row: CurrencyRow) -> list[tuple[int, str]]:
    return [(cell.count, str(cell.owed)) for cell in row.cells]


def known_book() -> tuple[Creditor, Creditor]:
    alpha = CreditorFactory(code="alpha", name="Alpha Bank")
    beta = CreditorFactory(code="beta", name="Beta Clinic", uk_lender=True)
    charged(alpha, due=TODAY, principal="100.00")  # due today: 0 days, current
    charged(alpha, due=TODAY + timedelta(days=10), principal="50.00")  # not yet due: current
    charged(alpha, due=None)  # nothing owing: current, owes nothing
    charged(alpha, due=ago(30), principal="200.00", interest="10.00")  # exactly 30 days: 1-30
    charged(alpha, due=ago(31), principal="300.00")  # 31 days: 31-60
    charged(alpha, due=ago(181), principal="400.00", status=Account.Status.IN_ARRANGEMENT)  # 180+
    charged(alpha, due=ago(100), principal="999.00", status=Account.Status.SETTLED)  # not open: left out
    charged(alpha, due=ago(100), principal="888.00", status=Account.Status.CLOSED)  # not open: left out
    charged(alpha, due=ago(40), principal="777.00", status=Account.Status.LEGAL)  # not open: left out
    charged(alpha, due=ago(1), principal="75.00", currency="EUR")  # 1 day: 1-30, in euros
    charged(beta, due=ago(180), principal="500.00")  # exactly 180 days: 121-180, in pounds
    charged(beta, due=ago(91), principal="20.00", currency="USD")  # 91 days: 91-120, in dollars
    charged(beta, due=ago(90), principal="30.00", currency="USD")  # 90 days: 61-90
    return alpha, beta


def test_the_helper_days_agree_with_the_aging_rules() -> None:
    # The boundaries the book below relies on, as the Python aging rules see them.
    assert [DEFAULT_BUCKETS.bucket_for(days_past_due(d, TODAY)).label for d in (ago(30), ago(31), ago(180))] == [
        "1-30",
        "31-60",
        "121-180",
    ]
    assert days_past_due(TODAY + timedelta(days=3), TODAY) == 0


def test_counts_and_amounts_per_creditor_currency_and_bucket() -> None:
    alpha, beta = known_book()
    figures = portfolio_by_bucket(today=TODAY)
    assert figures.labels == LABELS
    assert [(c.name, c.code) for c in figures.creditors] == [("Alpha Bank", "alpha"), ("Beta Clinic", "beta")]
    first, second = figures.creditors
    assert (first.creditor_id, second.creditor_id) == (alpha.pk, beta.pk)

    assert [row.currency for row in first.rows] == ["EUR", "USD"]
    eur, usd = first.rows
    assert cells(eur) == [
        (0, "0.00 EUR"),
        (1, "75.00 EUR"),
        (0, "0.00 EUR"),
        (0, "0.00 EUR"),
        (0, "0.00 EUR"),
        (0, "0.00 EUR"),
        (0, "0.00 EUR"),
    ]
    assert cells(usd) == [
        (3, "150.00 USD"),  # due today, not yet due, nothing owing
        (1, "210.00 USD"),  # exactly 30 days; principal and interest together
        (1, "300.00 USD"),  # 31 days
        (0, "0.00 USD"),
        (0, "0.00 USD"),
        (0, "0.00 USD"),
        (1, "400.00 USD"),  # in an arrangement, 181 days
    ]
    assert (usd.total.count, usd.total.owed) == (6, Money.of("1060.00", "USD"))
    assert (eur.total.count, str(eur.total.owed)) == (1, "75.00 EUR")
    assert first.counts == (3, 2, 1, 0, 0, 0, 1)  # every currency counted together, money never

    assert [row.currency for row in second.rows] == ["GBP", "USD"]
    gbp, beta_usd = second.rows
    assert cells(gbp)[5] == (1, "500.00 GBP")
    assert cells(beta_usd)[3:5] == [(1, "30.00 USD"), (1, "20.00 USD")]

    totals = {row.currency: row for row in figures.totals}
    assert list(totals) == ["EUR", "GBP", "USD"]
    assert cells(totals["USD"]) == [
        (3, "150.00 USD"),
        (1, "210.00 USD"),
        (1, "300.00 USD"),
        (1, "30.00 USD"),
        (1, "20.00 USD"),
        (0, "0.00 USD"),
        (1, "400.00 USD"),
    ]
    assert (totals["USD"].total.count, totals["USD"].total.owed) == (8, Money.of("1110.00", "USD"))
    assert (totals["GBP"].total.count, str(totals["GBP"].total.owed)) == (1, "500.00 GBP")
    assert all(isinstance(cell.owed, Money) for row in figures.totals for cell in row.cells)


def test_the_stacked_bar_fills_exactly_and_names_each_bucket() -> None:
    known_book()
    first = portfolio_by_bucket(today=TODAY).creditors[0]
    segments = first.segments
    assert [(s.label, s.count) for s in segments] == [("current", 3), ("1-30", 2), ("31-60", 1), ("180+", 1)]
    assert segments[0].x == 0
    assert all(a.x + a.width == b.x for a, b in itertools.pairwise(segments))
    assert segments[-1].x + segments[-1].width == 1000
    assert first.share_label == (
        "Alpha Bank: 7 open accounts by days past due: 3 current, 2 at 1-30 days, 1 at 31-60 days, 1 at 180+ days"
    )


def test_the_buckets_move_with_today() -> None:
    known_book()
    later = portfolio_by_bucket(today=TODAY + timedelta(days=1))
    usd = later.creditors[0].rows[1]
    # A day later: the account due today is 1 day late; the one 30 days late is 31, with the one now 32.
    assert [cell.count for cell in usd.cells] == [2, 1, 2, 0, 0, 0, 1]


def test_an_empty_book_has_no_rows() -> None:
    assert portfolio_by_bucket(today=TODAY) == BucketPortfolio(labels=LABELS, creditors=(), totals=())


@pytest.mark.parametrize("accounts", [3, 15])
def test_one_query_whatever_the_number_of_accounts(accounts: int, django_assert_num_queries: object) -> None:
    creditor = CreditorFactory(code="many", name="Many Bank")
    for n in range(accounts):
        charged(creditor, due=ago(n * 17), principal="10.00")
    with django_assert_num_queries(1):  # type: ignore[operator]
        figures = portfolio_by_bucket(today=TODAY)
    assert figures.creditors[0].total_count == accounts
    assert figures.totals[0].total.owed == Money.of(accounts * 10, "USD")


def test_the_manager_home_shows_the_panel_and_the_chart() -> None:
    today = timezone.localdate()  # the home page ages as of the real today
    creditor = CreditorFactory(code="gamma", name="Gamma Loans")
    charged(creditor, due=today - timedelta(days=45), principal="123.45", today=today)
    charged(creditor, due=today, principal="10.00", today=today)
    client = Client()
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    aging = response.context["aging"]
    assert [cell.count for cell in aging.creditors[0].rows[0].cells] == [1, 0, 1, 0, 0, 0, 0]
    panel = html[html.index('data-panel="aging"') :]
    panel = panel[: panel.index("</figure>")]
    assert "Portfolio by creditor and days past due" in panel
    assert 'aria-label="Portfolio by creditor and days past due"' in panel  # the scrolling table region
    assert "$123.45" in panel  # the 31-60 cell
    assert "$133.45" in panel  # the creditor's total
    assert 'role="img" aria-label="Gamma Loans: 2 open accounts by days past due: 1 current, 1 at 31-60 days"' in panel
    assert 'class="bucket-chart__seg bucket-chart__seg--2"' in panel
    assert "style=" not in panel  # the Content-Security-Policy forbids inline styles


def test_an_officer_does_not_get_the_panel() -> None:
    client = Client()
    client.force_login(UserFactory(role=Role.OFFICER))
    assert "Portfolio by creditor and days past due" not in client.get("/").content.decode()
