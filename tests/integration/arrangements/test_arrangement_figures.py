"""Kept rates, the cash forecast and the arrangements commands."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner

from factories import AccountFactory, CreditorFactory
from ledger_helpers import owing, usd
from recoup.accounts.models import Account
from recoup.accounts.services import record_payment
from recoup.arrangements.figures import forecast, kept_figures
from recoup.arrangements.services import create_promise, monitor
from recoup.cli.main import cli

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def accounts() -> list[Account]:
    creditor = CreditorFactory(code="lnb", arrangement_policy={"grace_days": 2, "date_rule": "none"})
    return [owing(AccountFactory(creditor=creditor, reference=f"LNB-{n}"), principal="500.00") for n in range(3)]


def pay(account: Account, amount: str, on: date) -> None:
    record_payment(
        account=account,
        amount=usd(amount),
        received_at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
        method="card",
        now=datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
        actor=None,
        idempotency_key=f"{account.pk}-{on}-{amount}",
    )


def test_kept_rates_count_only_what_fell_due_by_count_and_by_amount(accounts: list[Account]) -> None:
    for account, amount in zip(accounts, ["100.00", "200.00", "300.00"], strict=True):
        create_promise(account=account, amounts=[(date(2027, 1, 11), usd(amount))], now=NOW, actor=None)
    pay(accounts[0], "100.00", date(2027, 1, 11))
    pay(accounts[1], "200.00", date(2027, 1, 12))
    monitor(as_of=date(2027, 1, 20), now=datetime(2027, 1, 20, tzinfo=UTC), actor=None)
    [figure] = kept_figures(since=date(2027, 1, 1), until=date(2027, 1, 31))
    assert (figure.group, figure.kind, figure.fell_due, figure.kept) == ("lnb", "promise", 3, 2)
    assert figure.rate_by_count == Decimal("66.7")
    assert figure.rate_by_amount == Decimal("50.0")  # 300 of 600
    assert kept_figures(since=date(2027, 2, 1), until=date(2027, 2, 28)) == []


def test_the_forecast_weights_open_promises_by_the_recent_kept_rate(accounts: list[Account]) -> None:
    create_promise(account=accounts[0], amounts=[(date(2027, 1, 5), usd("100.00"))], now=NOW, actor=None)
    monitor(as_of=date(2027, 1, 10), now=datetime(2027, 1, 10, tzinfo=UTC), actor=None)  # broken: rate 0
    create_promise(
        account=accounts[1],
        amounts=[(date(2027, 1, 13), usd("80.00")), (date(2027, 1, 21), usd("20.00"))],
        now=NOW,
        actor=None,
    )
    weeks = forecast(as_of=date(2027, 1, 11), weeks=3)
    assert [(str(w.week_starting), str(w.scheduled), str(w.expected)) for w in weeks] == [
        ("2027-01-11", "80.00 USD", "0.00 USD"),
        ("2027-01-18", "20.00 USD", "0.00 USD"),
        ("2027-01-25", "0.00 USD", "0.00 USD"),
    ]


def test_the_commands_make_a_plan_and_monitor_it(accounts: list[Account]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    runner = CliRunner()
    first = timezone.localdate() + timedelta(days=10)  # the commands run on today's clock
    made = runner.invoke(
        cli,
        [
            "arrangements",
            "plan",
            "--account",
            "LNB-0",
            "--first-due",
            first.isoformat(),
            "--count",
            "3",
            "--frequency",
            "weekly",
        ],
    )
    assert made.exit_code == 0, made.output
    assert f"{first.isoformat()}  166.66 USD" in made.output
    assert f"{(first + timedelta(days=7)).isoformat()}  166.66 USD" in made.output
    assert f"{(first + timedelta(days=14)).isoformat()}  166.68 USD" in made.output
    refused = runner.invoke(
        cli, ["arrangements", "plan", "--account", "LNB-1", "--first-due", "2020-01-01", "--count", "3"]
    )
    assert refused.exit_code != 0
    assert "first_due: 2020-01-01 is in the past" in refused.output
    bad = runner.invoke(cli, ["arrangements", "promise", "--account", "LNB-1", "--amount", "12.50"])
    assert bad.exit_code != 0
    assert "should be AMOUNT@YYYY-MM-DD" in bad.output
    after = (first + timedelta(days=3)).isoformat()
    monitored = runner.invoke(cli, ["arrangements", "monitor", "--as-of", after])
    assert monitored.exit_code == 0, monitored.output
    assert f"1 open arrangements as of {after}: 1 dues changed" in monitored.output
    assert "0 dues changed" in runner.invoke(cli, ["arrangements", "monitor", "--as-of", after]).output
    since, until = first.isoformat(), (first + timedelta(days=30)).isoformat()
    figures = runner.invoke(cli, ["arrangements", "kpis", "--since", since, "--until", until])
    assert "lnb" in figures.output
    assert "0.0%" in figures.output


def test_explicit_dates_and_a_settlement_from_the_command_line(accounts: list[Account]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from recoup.arrangements.models import Arrangement

    runner = CliRunner()
    today = timezone.localdate()
    days = [today + timedelta(days=n) for n in (9, 23, 40)]
    # Weekdays only, so the creditor's date rule ("none" here anyway) moves nothing.
    made = runner.invoke(
        cli,
        [
            "arrangements",
            "plan",
            "--account",
            "LNB-2",
            "--first-due",
            days[0].isoformat(),
            "--dates",
            ",".join(d.isoformat() for d in days),
        ],
    )
    assert made.exit_code == 0, made.output
    assert [d.due_date for d in Arrangement.objects.get().dues.order_by("number")] == days
    refused = runner.invoke(
        cli, ["arrangements", "settle", "--account", "LNB-1", "--amount", f"400.00@{days[0].isoformat()}"]
    )
    assert refused.exit_code != 0
    assert "more than the settlement authority" in refused.output
    waiting = runner.invoke(
        cli,
        [
            "arrangements",
            "settle",
            "--account",
            "LNB-1",
            "--amount",
            f"400.00@{days[0].isoformat()}",
            "--approval-reason",
            "one-off",
        ],
    )
    assert waiting.exit_code == 0, waiting.output
    assert "waiting for approval" in waiting.output
