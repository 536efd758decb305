"""Starting Django for a command, turning configuration and database problems into one sentence."""

from __future__ import annotations

import os

import click

from recoup.platform.config import ConfigurationError, redact_url


class OperatorError(click.ClickException):
    """A problem the operator can fix; printed as one line, never as a traceback."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message

    def show(self, file: object = None) -> None:
        click.echo(f"recoup: {self.format_message()}", err=True)


def setup_django() -> None:
    """Load settings and apps; a bad setting stops here with a sentence naming it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recoup.project.settings")
    import django

    try:
        django.setup()
    except ConfigurationError as exc:
        raise OperatorError(str(exc)) from None


def ensure_database_reachable() -> None:
    """Connect once; an unreachable database stops the command with the reason."""
    from django.conf import settings
    from django.db import OperationalError, connection

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        url = redact_url(settings.CONFIG.database_url)
        raise OperatorError(f"DATABASE_URL: cannot connect to {url} ({reason})") from None


def unapplied_migrations() -> list[str]:
    """Names of migrations not yet applied to the database."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def ensure_migrated() -> None:
    pending = unapplied_migrations()
    if pending:
        raise OperatorError(f"the database has {len(pending)} unapplied migrations; run `recoup migrate` first")
