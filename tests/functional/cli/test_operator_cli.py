"""The `recoup` command as an operator meets it: real processes, a fresh data directory each time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

RECOUP = [sys.executable, "-c", "from recoup.cli.main import main; main()"]


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RECOUP, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RECOUP_", "DJANGO_"))}
    return {**clean, "RECOUP_DATA_DIR": str(data_dir)}


class TestBadSettingsStopStartUpWithOneSentence:
    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            (
                {"DATABASE_URL": "mysql://root@localhost/recoup"},
                "recoup: DATABASE_URL: the scheme 'mysql'",
            ),
            (
                {"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/recoup"},
                "recoup: DATABASE_URL: cannot connect to postgresql://postgres@127.0.0.1:9/recoup",
            ),
            ({"RECOUP_DATA_DIR": "/no/such/recoup/dir"}, "recoup: RECOUP_DATA_DIR: the directory"),
            (
                {"RECOUP_DEBUG": "sometimes"},
                "recoup: RECOUP_DEBUG: 'sometimes' is not a yes/no value",
            ),
            (
                {"RECOUP_UNKNOWN_LOCATION": "guess"},
                "recoup: RECOUP_UNKNOWN_LOCATION: 'guess' is not a policy for a debtor whose location is unknown",
            ),
        ],
    )
    def test_no_traceback_only_the_setting_and_reason(
        self, environment: dict[str, str], values: dict[str, str], expected: str
    ) -> None:
        result = run(["migrate"], {**environment, **values})
        assert result.returncode == 2
        assert result.stderr.startswith(expected)
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr + result.stdout


class TestFirstRunAndSecondRun:
    def test_check_reports_pending_migrations_until_migrate_runs(self, environment: dict[str, str]) -> None:
        before = run(["check"], environment)
        assert before.returncode == 1
        assert "Migrations" in before.stdout
        assert "run `recoup migrate`" in before.stdout
        assert run(["migrate"], environment).returncode == 0
        after = run(["check"], environment)
        assert after.returncode == 0, after.stdout
        assert "0 problems" in after.stdout

    def test_commands_that_need_tables_say_to_migrate_first(self, environment: dict[str, str]) -> None:
        result = run(["demo-data", "--accounts", "10"], environment)
        assert result.returncode == 2
        assert "unapplied migrations; run `recoup migrate` first" in result.stderr

    def test_createuser_reads_the_password_and_refuses_a_duplicate(self, environment: dict[str, str]) -> None:
        run(["migrate"], environment)
        password = "Plenty-long-passphrase-for-ops\n"
        created = run(["createuser", "lee", "--role", "team_lead", "--password-stdin"], environment, password)
        assert created.returncode == 0, created.stderr
        assert created.stdout.strip() == "Created lee as Team lead."
        again = run(["createuser", "lee", "--role", "officer", "--password-stdin"], environment, password)
        assert again.returncode == 2
        assert again.stderr.strip() == "recoup: username: 'lee' is already taken"

    def test_createuser_names_an_unknown_team(self, environment: dict[str, str]) -> None:
        run(["migrate"], environment)
        result = run(
            ["createuser", "lee", "--role", "officer", "--team", "Nowhere", "--password-stdin"],
            environment,
            "Plenty-long-passphrase-for-ops\n",
        )
        assert result.returncode == 2
        assert "--team: no team named 'Nowhere'" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(environment: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    assert run(["migrate"], environment).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [*RECOUP, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.3)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)


class TestServe:
    def test_serves_the_login_page_static_files_and_health(self, served: tuple[str, subprocess.Popen[str]]) -> None:
        base, _ = served
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
            assert response.status == 200
            assert json.loads(response.read()) == {"status": "ok"}
        with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
            assert response.status == 200
            assert "Content-Security-Policy" in response.headers
        assert "<form" in page
        assert 'name="username"' in page
        with urllib.request.urlopen(f"{base}/", timeout=5) as response:  # noqa: S310
            assert response.url.endswith("/login/?next=/")
