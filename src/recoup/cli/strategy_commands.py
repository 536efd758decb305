"""`recoup run` (the daily run) and `recoup strategy ...` (show, export, import, publish)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import click

from recoup.cli.bootstrap import OperatorError, ensure_database_reachable, ensure_migrated, setup_django


def _ready() -> None:
    setup_django()
    ensure_database_reachable()
    ensure_migrated()


def _day(text: str | None) -> date:
    from django.utils import timezone

    if text is None:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise OperatorError(f"--as-of: '{text}' is not a date (YYYY-MM-DD)") from None


def run_clock(as_of: date) -> datetime:
    """The moment the run acts at: now for today's run; 06:00 UTC on the date for another date."""
    from django.utils import timezone

    now = timezone.now()
    return now if as_of == timezone.localdate() else datetime.combine(as_of, time(6, 0), tzinfo=UTC)


def print_report(report: dict[str, Any], stages: list[dict[str, Any]]) -> None:
    from recoup.core.money import format_minor
    from recoup.strategies.services import stage_label

    click.echo(f"Accounts in segments: {report.get('accounts_total', 0):,}")
    for row in report.get("segments", []):
        entered = report.get("entered", {}).get(f"{row['segment']}/{row['path']}/{row['currency']}", 0)
        click.echo(
            f"  {row['segment']:<14} {row['path']:<20} {row['accounts']:>9,} accounts "
            f"{format_minor(row['balance_minor'], row['currency']):>18}  ({entered:,} entered the path today)"
        )
    click.echo(f"Actions: {report.get('actions_total', 0):,}")
    for row in report.get("actions", []):
        click.echo(f"  {row['kind']:<14} {row['state']:<10} {row['count']:>9,}")
    if report.get("blocked"):
        click.echo("Blocked or deferred, by rule:")
        for row in report["blocked"]:
            click.echo(f"  {row['rule'] or '-':<16} {row['state']:<10} {row['count']:>9,}")
    if stages:
        click.echo("Stages:")
        for stage in stages:
            click.echo(f"  {stage_label(stage['name']):<44} {stage['seconds']:>8.2f} s")


@click.command("run")
@click.option("--as-of", "as_of_text", help="The business date to run for (YYYY-MM-DD); default today.")
@click.option("--dry-run", is_flag=True, help="Show what the run would do, and keep nothing.")
@click.option(
    "--chunk",
    type=click.IntRange(100, 10_000_000),
    default=50_000,
    show_default=True,
    help="Accounts per range: one transaction in-process, one task per range on Celery workers.",
)
def run_command(as_of_text: str | None, dry_run: bool, chunk: int) -> None:
    """The daily run: re-age, monitor arrangements, segment, assign paths, make the day's actions through
    the compliance gate, carry them out, and write the run report. Running a date twice does nothing new;
    a run stopped half-way carries on from where it stopped (docs/strategies.md)."""
    _ready()
    from django.conf import settings
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from recoup.strategies.services import UnableToRun, run_daily, stage_label
    from recoup.strategies.services import dry_run as preview

    as_of = _day(as_of_text)
    now = run_clock(as_of)
    if dry_run:
        try:
            report = preview(as_of=as_of, now=now)
        except UnableToRun as exc:
            raise OperatorError(str(exc)) from None
        click.echo(f"Dry run for {as_of.isoformat()} (nothing was kept):")
        print_report(report, report.get("stages", []))
        return
    with Progress(
        TextColumn("{task.description:<44}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
        disable=not sys.stderr.isatty(),
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage_label(stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            if settings.CELERY_BROKER_URL:
                from recoup.strategies.fanout import run_on_workers

                run = run_on_workers(as_of=as_of, now=now, progress=progress, chunk=chunk)
            else:
                run = run_daily(as_of=as_of, now=now, progress=progress, chunk=chunk)
        except UnableToRun as exc:
            raise OperatorError(str(exc)) from None
    state = run.get_state_display().lower()
    click.echo(f"Daily run for {as_of.isoformat()}: {state} (strategy v{run.version.number}).")
    print_report(run.report, run.stages)


@click.group("strategy")
def strategy() -> None:
    """The collection strategy: segments, paths, champion/challenger (docs/strategies.md)."""


def _version(number: int | None) -> Any:
    from recoup.strategies.models import StrategyVersion
    from recoup.strategies.services import active_version

    if number is None:
        version = active_version()
        if version is None:
            raise OperatorError("no strategy is in use yet: import one with `recoup strategy import FILE`")
        return version
    version = StrategyVersion.objects.filter(number=number).first()
    if version is None:
        raise OperatorError(f"--version: there is no version {number}")
    return version


@strategy.command("export")
@click.option("--version", "number", type=int, help="Which version (default: the one in use).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def export_command(number: int | None, output: Path | None) -> None:
    """Write a strategy version as YAML."""
    _ready()
    from recoup.strategies.services import export_yaml

    text = export_yaml(_version(number))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")


@strategy.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="What changed and why (kept with the version).")
@click.option("--publish", "publish_now", is_flag=True, help="Put it in use at once.")
def import_command(file: Path, note: str, publish_now: bool) -> None:
    """Read a strategy from YAML into the draft (checked first), and publish it if asked."""
    _ready()
    from django.utils import timezone

    from recoup.strategies.services import UnableToSaveStrategy, import_yaml, publish

    try:
        draft = import_yaml(text=file.read_text(encoding="utf-8"), note=note, now=timezone.now(), actor=None)
        if publish_now:
            draft = publish(version=draft, now=timezone.now(), actor=None)
    except UnableToSaveStrategy as exc:
        raise OperatorError(f"{file.name}: {exc}") from None
    click.echo(f"Strategy version {draft.number}: {draft.get_state_display().lower()}.")


@strategy.command("show")
@click.option("--version", "number", type=int, help="Which version (default: the one in use).")
def show_command(number: int | None) -> None:
    """Print a version's segments and paths as sentences."""
    _ready()
    from recoup.strategies.services import strategy_of

    version = _version(number)
    plan = strategy_of(version)
    click.echo(f"Strategy version {version.number} ({version.get_state_display().lower()}), seed {plan.seed}")
    for index, segment in enumerate(plan.segments, start=1):
        shares = ", ".join(f"{name} {percent}%" for name, percent in segment.paths)
        click.echo(f"{index}. {segment.label} [{segment.name}]: {shares}")
    for name, path in plan.paths.items():
        click.echo(f"Path {name}: {path.label}")
        for step in path.steps:
            click.echo(f"  {step.describe()}")


@click.command("simulate")
@click.option("--days", type=click.IntRange(1, 730), required=True, help="How many days to simulate.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same simulation.")
@click.option(
    "--start", "start_text", help="The first business date (YYYY-MM-DD); default: the day after the last run."
)
def simulate_command(days: int, seed: int, start_text: str | None) -> None:
    """Move the business date on day by day: the daily run works the portfolio and simulated debtors
    answer calls, read messages, pay, promise, break promises, dispute and ask to stop (docs/strategies.md).
    Writes to the database like real days do: use a copy, or the demo."""
    _ready()
    from datetime import timedelta

    from django.utils import timezone

    from recoup.demo.simulator import describe, simulate_portfolio
    from recoup.strategies.models import Run
    from recoup.strategies.services import UnableToRun

    if start_text is not None:
        start = _day(start_text)
    else:
        last = Run.objects.order_by("-run_date").values_list("run_date", flat=True).first()
        start = last + timedelta(days=1) if last else timezone.localdate()

    def progress(done: int, total: int, figures: Any) -> None:
        click.echo(
            f"{figures.day.isoformat()}  day {done:>3}/{total}: {figures.actions:>6,} actions, "
            f"{figures.messages_sent:>5,} sent, {figures.calls:>5,} calls, {figures.payments:>5,} payments",
            err=True,
        )

    try:
        report = simulate_portfolio(days=days, seed=seed, start=start, progress=progress)
    except UnableToRun as exc:
        raise OperatorError(str(exc)) from None
    for line in describe(report):
        click.echo(line)
    if report.violations:
        raise SystemExit(1)


@strategy.command("compare")
@click.option("--since", "since_text", help="Only accounts that entered their path on or after this date.")
def compare_command(since_text: str | None) -> None:
    """Champion/challenger: each split segment's paths on collected amount, recovery rate, promise kept
    rate and cost per unit collected, with 95% confidence intervals."""
    _ready()
    from recoup.strategies.selectors import experiments
    from recoup.strategies.services import active_version, strategy_of

    version = active_version()
    if version is None:
        raise OperatorError("no strategy is in use yet")
    since = _day(since_text) if since_text else None
    found = experiments(strategy_of(version), since=since)
    if not found:
        click.echo("No segment of the strategy in use splits its accounts between paths.")
        return
    for experiment in found:
        shares = ", ".join(f"{name} {percent}%" for name, percent in experiment.shares)
        click.echo(f"{experiment.label} [{experiment.segment}]: {shares}")
        if not experiment.results:
            click.echo("  no account has entered these paths yet")
        for currency, rows in experiment.results.items():
            click.echo(f"  {currency}")
            for row in rows:
                rate = f"{row.recovery_rate:.2%}" if row.recovery_rate is not None else "-"
                ci = (
                    f" [{row.recovery_interval.low:.2%}, {row.recovery_interval.high:.2%}]"
                    if row.recovery_interval
                    else ""
                )
                kept = f"{row.promise_kept_rate:.0%}" if row.promise_kept_rate is not None else "-"
                cost = f"{row.cost_per_unit_collected:.4f}" if row.cost_per_unit_collected is not None else "-"
                verdict = row.recovery_vs_champion.verdict if row.recovery_vs_champion else "champion"
                click.echo(
                    f"    {row.path:<22} {row.accounts:>7,} accounts  collected {row.collected:>14,}  "
                    f"recovery {rate}{ci}  promises kept {kept} of {row.promises}  cost per unit {cost}  {verdict}"
                )
