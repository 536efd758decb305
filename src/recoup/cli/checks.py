"""`recoup check`: each configuration fact in plain words, with OK, WARN or FAIL."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection

from recoup.cli.bootstrap import unapplied_migrations


@dataclass(frozen=True)
class CheckResult:
    level: str  # OK, WARN or FAIL
    topic: str
    detail: str


def run_checks() -> list[CheckResult]:
    config = settings.CONFIG
    results: list[CheckResult] = []
    data_dir = config.data_dir
    if os.access(data_dir, os.W_OK):
        results.append(CheckResult("OK", "Data directory", f"{data_dir} is writable"))
    else:
        results.append(CheckResult("FAIL", "Data directory", f"{data_dir} is not writable"))

    database_ok = True
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA journal_mode")
                mode = cursor.fetchone()[0]
                detail = f"SQLite file {config.database['NAME']} (journal mode {mode})"
                level = "OK" if mode == "wal" else "WARN"
            else:
                cursor.execute("SHOW server_version")
                detail = f"PostgreSQL {cursor.fetchone()[0]} at {config.database_url_redacted}"
                level = "OK"
        results.append(CheckResult(level, "Database", detail))
    except OperationalError as exc:
        database_ok = False
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        results.append(CheckResult("FAIL", "Database", f"cannot connect to {config.database_url_redacted} ({reason})"))
    if database_ok:
        pending = unapplied_migrations()
        if pending:
            results.append(CheckResult("FAIL", "Migrations", f"{len(pending)} not applied; run `recoup migrate`"))
        else:
            results.append(CheckResult("OK", "Migrations", "all applied"))

    key_source = "SECRET_KEY" if "SECRET_KEY" in os.environ else f"{data_dir / 'secret_key'}"
    results.append(CheckResult("OK", "Secret key", f"from {key_source}"))
    if config.debug:
        results.append(CheckResult("WARN", "Debug", "RECOUP_DEBUG is on: tracebacks are shown; never in production"))
    else:
        results.append(CheckResult("OK", "Debug", "off"))
    results.append(CheckResult("OK", "Allowed hosts", ", ".join(config.allowed_hosts)))
    if config.secure_cookies:
        tls = "secure cookies on"
        tls += (
            f", HSTS {config.hsts_seconds} s"
            if config.hsts_seconds
            else ", HSTS off (set RECOUP_HSTS_SECONDS behind TLS)"
        )
        results.append(CheckResult("OK", "HTTPS", tls))
    else:
        results.append(
            CheckResult(
                "WARN",
                "HTTPS",
                "cookies are not marked Secure (RECOUP_SECURE_COOKIES off or debugging)",
            )
        )
    if config.email.backend.endswith("smtp.EmailBackend"):
        results.append(CheckResult("OK", "Email", f"SMTP via {config.email.host}:{config.email.port}"))
    else:
        results.append(
            CheckResult(
                "WARN",
                "Email",
                f"EMAIL_HOST not set: mail is written to files in {config.email.file_path}",
            )
        )
    results.append(_broker_check(config.celery_broker_url))
    return results


def _broker_check(url: str | None) -> CheckResult:
    if not url:
        return CheckResult("OK", "Background jobs", "run in-process (CELERY_BROKER_URL not set)")
    from kombu.connection import Connection

    from recoup.platform.config import redact_url

    try:
        with Connection(url, connect_timeout=3) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # kombu raises many transport-specific errors
        return CheckResult("FAIL", "Background jobs", f"cannot reach the broker at {redact_url(url)} ({exc})")
    return CheckResult("OK", "Background jobs", f"Celery broker reachable at {redact_url(url)}")
