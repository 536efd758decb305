"""A collection manager's strategy pages in a real Chromium under the strict CSP: the strategy, a draft
with problems, tomorrow's dry run, today's run and its report, and champion/challenger. Writes
docs/screenshots/strategy.png, strategy-edit.png, dry-run.png, run-report.png and experiments.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, sign_in
from recoup.communications.starter import create_starter_templates
from recoup.demo.generator import generate_portfolio
from recoup.demo.simulator import simulate_portfolio
from recoup.strategies.models import Action, Run
from recoup.strategies.services import run_task
from recoup.strategies.starter import create_starter_strategy
from recoup.users.roles import Role
from recoup.users.services import create_user
from recoup.web import strategy_views

PASSWORD = "Strategy-passphrase-2026"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def test_a_manager_reads_changes_dry_runs_and_runs_the_strategy(
    browser: Any, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.COLLECTOR_NAME = "Summit Recovery Partners"
    settings.COLLECTOR_ADDRESS = "PO Box 4410|Denver CO 80201"
    # The run is a background task; here it runs in the request's thread, where the test database is.
    monkeypatch.setattr(strategy_views, "start_in_background", lambda _name, **kwargs: run_task(**kwargs))
    now = timezone.now()
    generate_portfolio(accounts=400, seed=11, as_of=now.date(), now=now)
    create_starter_templates(now=now)
    create_starter_strategy(now=now)
    create_user(username="morgan", role=Role.MANAGER, password=PASSWORD, now=now, first_name="Morgan", last_name="Lee")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "morgan", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Strategy").click()
    segments = page.get_by_role("region", name="Segments", exact=True)
    expect(segments.locator("tbody tr")).to_have_count(6)
    expect(segments).to_contain_text("Early: up to 30 days past due")
    expect(segments).to_contain_text("champion/challenger")
    expect(page.locator("#path-late-large")).to_contain_text("day 30: Flag for legal review")
    page.screenshot(path=str(SCREENSHOTS / "strategy.png"), full_page=True)

    page.get_by_role("link", name="Change the strategy").click()
    box = page.get_by_label("Strategy (YAML)")
    box.fill(box.input_value().replace("early-text-first: 50", "early-text-first: 40"))
    page.get_by_role("button", name="Save the draft").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("segments[3].paths: the percents add up to 90, not 100")
    page.screenshot(path=str(SCREENSHOTS / "strategy-edit.png"), full_page=True)

    page.get_by_role("link", name="Back to the strategy").click()
    page.get_by_role("button", name="Dry run for").click()
    expect(page.get_by_role("heading", name="Dry run for")).to_be_visible()
    expect(page.get_by_role("region", name="Actions by type", exact=True)).to_contain_text("Queue for a call")
    page.screenshot(path=str(SCREENSHOTS / "dry-run.png"), full_page=True)
    assert not Run.objects.exists()

    page.get_by_role("link", name="Back to the strategy").click()
    page.get_by_role("button", name="Run today").click()
    expect(page.get_by_role("heading", name="Daily run for")).to_be_visible()
    expect(page.locator("#run-progress")).to_contain_text("Write the run report: done in")
    expect(page.get_by_role("region", name="Blocked by rule", exact=True)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "run-report.png"), full_page=True)
    run = Run.objects.get()
    assert run.state == Run.State.FINISHED
    assert Action.objects.filter(run=run).count() == run.report["actions_total"] > 0

    # Three simulated weeks, so the champion and the challenger have results to compare.
    simulate_portfolio(days=21, seed=4, start=now.date() + timedelta(days=1))
    page.goto(f"{live_server.url}/strategy/experiments/")
    expect(page.get_by_role("heading", name="Early: up to 30 days past due")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("early-text-first")
    expect(page.get_by_role("main")).to_contain_text("champion")
    expect(page.get_by_role("main")).to_contain_text("(95% CI")
    page.screenshot(path=str(SCREENSHOTS / "experiments.png"), full_page=True)
    watch.assert_clean()
    context.close()
