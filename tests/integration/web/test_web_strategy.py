"""A manager's day with the strategy: read it, change it (every problem listed), dry-run tomorrow,
run today, and read the run report."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from recoup.communications.starter import create_starter_templates
from recoup.demo.generator import generate_portfolio
from recoup.strategies.models import Action, Run, StrategyVersion
from recoup.strategies.starter import create_starter_strategy
from recoup.users.roles import Role
from web_data import WebData


@pytest.fixture
def manager(web: WebData, settings: Any) -> Client:
    from django.utils import timezone

    settings.COLLECTOR_NAME = "Summit Recovery Partners"
    settings.COLLECTOR_ADDRESS = "PO Box 4410|Denver CO 80201"
    now = timezone.now()
    generate_portfolio(accounts=120, seed=3, as_of=now.date(), now=now)
    create_starter_templates(now=now)
    create_starter_strategy(now=now)
    client = Client()
    client.force_login(web.user("morgan", Role.MANAGER))
    return client


def test_the_strategy_page_shows_segments_paths_and_the_split(manager: Client) -> None:
    page = manager.get("/strategy/").content.decode()
    assert "Early: up to 30 days past due" in page
    assert "up to 30 days past due" in page
    assert "50% " in page
    assert "champion/challenger" in page
    assert "day 1: Send an email (payment-reminder)" in page


def test_a_draft_with_problems_lists_each_and_saves_nothing(manager: Client) -> None:
    response = manager.post(
        "/strategy/edit/",
        {
            "definition": "segments:\n  - name: early\n    when: {dpd_max: 30}\n    paths: {p: 60}\npaths:\n  p: {}\n",
            "save": "1",
        },
    )
    page = response.content.decode()
    assert "Not saved: 2 problems to fix." in page
    assert "segments[1].paths: the percents add up to 60, not 100" in page
    assert "segments[1]: the last segment must have no conditions" in page
    assert not StrategyVersion.objects.filter(state="draft").exists()


def test_a_manager_saves_publishes_dry_runs_and_runs(manager: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from recoup.strategies.services import run_task
    from recoup.web import strategy_views

    # The background thread cannot see the test's transaction; run the task where the test can.
    monkeypatch.setattr(strategy_views, "start_in_background", lambda _name, **kwargs: run_task(**kwargs))
    text = manager.get("/strategy/v1.yaml").content.decode()
    assert text.startswith("# Recoup collection strategy, version 1")
    changed = text.replace("early-email-first: 50", "early-email-first: 70").replace(
        "early-text-first: 50", "early-text-first: 30"
    )
    response = manager.post("/strategy/edit/", {"definition": changed, "note": "more email", "publish": "1"})
    assert response.status_code == 302
    assert StrategyVersion.objects.get(state="active").number == 2
    dry = manager.post("/strategy/dry-run/").content.decode()
    assert "Dry run for" in dry
    assert "Nothing was kept" in dry
    assert "Queue for a call" in dry
    assert not Run.objects.exists()
    assert not Action.objects.exists()
    started = manager.post("/strategy/run/")
    assert started.status_code == 302
    run = Run.objects.get()
    assert run.state == Run.State.FINISHED
    report = manager.get(started["Location"]).content.decode()
    assert "Accounts by segment and path" in report
    assert f"{run.report['actions_total']} action" in report


def test_champion_and_challenger_are_compared_after_a_run(manager: Client) -> None:
    from datetime import UTC, datetime

    from recoup.accounts.models import Account
    from recoup.accounts.services import record_payment
    from recoup.core.money import Money
    from recoup.strategies.models import Assignment
    from recoup.strategies.services import run_daily

    now = datetime.now(UTC)
    run_daily(as_of=now.date(), now=now)
    challenger = Assignment.objects.filter(segment="early", path="early-text-first").order_by("id").first()
    assert challenger is not None
    account = Account.objects.get(pk=challenger.account_id)
    record_payment(
        account=account,
        amount=Money.from_minor(5_000, account.currency),
        received_at=now,
        method="card",
        now=now,
        actor=None,
    )
    page = manager.get("/strategy/experiments/").content.decode()
    assert "Early: up to 30 days past due" in page
    assert "early-email-first" in page
    assert "early-text-first" in page
    assert "champion" in page
    assert "50.00" in page  # the challenger's payment counts as collected
    assert "no clear difference yet" in page or "better" in page or "too few accounts" in page
