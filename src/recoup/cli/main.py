"""`recoup`: the operator's command line. Each command parses input, makes one service call, prints."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import date
from pathlib import Path

import click

from recoup.cli.bootstrap import (
    OperatorError,
    ensure_database_reachable,
    ensure_migrated,
    setup_django,
)
from recoup.cli.serving import prepare_to_serve, start_embedded_clock

ROLE_NAMES = ["officer", "team_lead", "manager", "legal", "admin", "auditor"]
CREDENTIALS_FILE = "demo-credentials.txt"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="recoup", prog_name="recoup")
def cli() -> None:
    """Recoup: debt-collection management. Settings come from the environment (see README)."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the staff UI with the waitress WSGI server until interrupted."""
    setup_django()
    ensure_database_reachable()
    ensure_migrated()
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    application = get_wsgi_application()

    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
    click.echo(f"Recoup {_version()} on {settings.CONFIG.database_vendor}, data in {settings.DATA_DIR}")
    credentials = Path(settings.DATA_DIR) / CREDENTIALS_FILE
    if credentials.exists():
        click.echo(f"Demo sign-ins (from {credentials}):")
        click.echo(credentials.read_text(encoding="utf-8").rstrip())
    for line in prepare_to_serve(settings, host=shown_host, port=port, environ=os.environ, demo=credentials.exists()):
        click.echo(line)
    if not settings.CELERY_BROKER_URL:
        start_embedded_clock()
    click.echo(f"Serving at http://{shown_host}:{port}/ (press Ctrl+C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="recoup")


@cli.command()
def migrate() -> None:
    """Create or update the database tables (safe to run again)."""
    setup_django()
    ensure_database_reachable()
    from django.conf import settings
    from django.core.management import call_command

    from recoup.cli.bootstrap import unapplied_migrations

    pending = unapplied_migrations()
    if not pending:
        click.echo(f"Database is up to date ({settings.CONFIG.database_vendor}).")
        return
    call_command("migrate", interactive=False, verbosity=0)
    click.echo(f"Applied {len(pending)} migrations ({settings.CONFIG.database_vendor}).")


@cli.command("demo-data")
@click.option("--accounts", default=5000, show_default=True, type=int, help="How many accounts.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Same seed, same portfolio.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the portfolio is aged to (YYYY-MM-DD); default today.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds accounts.")
@click.option("--users/--no-users", default=True, show_default=True, help="Also create demo users.")
def demo_data(accounts: int, seed: int, as_of: object, if_empty: bool, users: bool) -> None:
    """Load a synthetic, realistic demo portfolio (and one demo user per role)."""
    setup_django()
    ensure_database_reachable()
    ensure_migrated()
    from django.conf import settings
    from django.utils import timezone

    from recoup.demo.generator import (
        UnableToGenerateDemoData,
        generate_portfolio,
        portfolio_is_empty,
    )
    from recoup.demo.users import create_demo_users

    if if_empty and not portfolio_is_empty():
        click.echo("The database already holds accounts; demo data not loaded (existing data kept).")
        return
    now = timezone.now()
    as_of_date: date = as_of.date() if as_of is not None else timezone.localdate()  # type: ignore[attr-defined]
    if users:
        created = create_demo_users(now=now)
        if created:
            _write_credentials(Path(settings.DATA_DIR), created)
            click.echo("Demo users (also saved to the data directory, readable only by you):")
            for credential in created:
                click.echo(f"  {credential.role:<10} {credential.username:<10} {credential.password}")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=not sys.stdout.isatty(),
        disable=not sys.stderr.isatty(),
    ) as bar:
        tasks: dict[str, object] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        try:
            summary = generate_portfolio(accounts=accounts, seed=seed, as_of=as_of_date, now=now, progress=progress)
        except UnableToGenerateDemoData as exc:
            raise OperatorError(str(exc)) from None
    from recoup.communications.starter import create_starter_templates

    create_starter_templates(now=now)
    from recoup.strategies.starter import create_starter_strategy

    create_starter_strategy(now=now)
    click.echo(
        f"Created {summary.accounts:,} accounts, {summary.debtors:,} debtors, "
        f"{summary.contact_points:,} contact points for {summary.creditors} creditors, with "
        f"{summary.open_items:,} open items, {summary.payments:,} payments, {summary.transactions:,} ledger "
        f"transactions and {summary.entries:,} entries, and {summary.holds:,} holds behind the disputed and "
        f"on-hold accounts, in {summary.elapsed_seconds:.1f} s "
        f"(seed {seed}, as of {as_of_date.isoformat()})."
    )


def _write_credentials(data_dir: Path, created: list) -> None:  # type: ignore[type-arg]
    path = data_dir / CREDENTIALS_FILE
    lines = [f"  {c.role:<10} {c.username:<10} {c.password}" for c in created]
    existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join([*existing, *lines]) + "\n")


@cli.command()
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLE_NAMES), help="The user's role.")
@click.option("--email", default="", help="Email address.")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--team", default="", help="Name of an existing team.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def createuser(
    username: str,
    role: str,
    email: str,
    first_name: str,
    last_name: str,
    team: str,
    password_stdin: bool,
) -> None:
    """Create a staff user in a role (asks for the password twice)."""
    setup_django()
    ensure_database_reachable()
    ensure_migrated()
    from django.utils import timezone

    from recoup.users.models import Team
    from recoup.users.roles import Role
    from recoup.users.services import UnableToCreateUser, create_user

    team_obj = None
    if team:
        team_obj = Team.objects.filter(name=team).first()
        if team_obj is None:
            names = ", ".join(Team.objects.order_by("name").values_list("name", flat=True)) or "none yet"
            raise OperatorError(f"--team: no team named '{team}' (teams: {names})")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != password:
            raise OperatorError("password: the two passwords differ")
    try:
        user = create_user(
            username=username,
            role=Role(role),
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            team=team_obj,
            now=timezone.now(),
        )
    except UnableToCreateUser as exc:
        raise OperatorError(str(exc)) from None
    click.echo(f"Created {user.username} as {user.role_label}.")


@cli.command()
def check() -> None:
    """Check the configuration and say, in plain words, what is wrong."""
    setup_django()
    from recoup.cli.checks import run_checks

    results = run_checks()
    width = max(len(r.topic) for r in results)
    for result in results:
        click.echo(f"  {result.level:<5} {result.topic:<{width}}  {result.detail}")
    failures = sum(1 for r in results if r.level == "FAIL")
    warnings = sum(1 for r in results if r.level == "WARN")
    click.echo(f"{failures} problems, {warnings} warnings.")
    if failures:
        sys.exit(1)


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (for developers), e.g. `recoup manage shell`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["recoup manage", *args])


def _register_ledger_commands() -> None:
    from recoup.cli.ledger_commands import account, aging, kpis, ledger

    for command in (account, aging, kpis, ledger):
        cli.add_command(command)


_register_ledger_commands()


def _register_import_commands() -> None:
    from recoup.cli.import_commands import import_group

    cli.add_command(import_group)


_register_import_commands()


def _register_export_commands() -> None:
    from recoup.cli.export_commands import export

    cli.add_command(export)


_register_export_commands()


def _register_compliance_commands() -> None:
    from recoup.cli.compliance_commands import compliance

    cli.add_command(compliance)


_register_compliance_commands()


def _register_dispute_commands() -> None:
    from recoup.cli.dispute_commands import disputes

    cli.add_command(disputes)


_register_dispute_commands()


def _register_arrangement_commands() -> None:
    from recoup.cli.arrangement_commands import arrangements

    cli.add_command(arrangements)


_register_arrangement_commands()


def _register_message_commands() -> None:
    from recoup.cli.message_commands import messages

    cli.add_command(messages)


_register_message_commands()


def _register_strategy_commands() -> None:
    from recoup.cli.strategy_commands import run_command, simulate_command, strategy

    cli.add_command(run_command)
    cli.add_command(simulate_command)
    cli.add_command(strategy)


_register_strategy_commands()


def _version() -> str:
    from recoup import __version__

    return __version__


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="recoup")
