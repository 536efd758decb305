"""Sixty simulated days over a demo portfolio, through the command line: the daily run, messages, calls
and payments every day, and the independent check of the contact ledger finds no violation."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from test_import_crash import database  # noqa: F401  (the fixture: a database of the test's own)

RECOUP = str(Path(sys.executable).with_name("recoup"))


def test_sixty_days_of_automation_break_no_rule(database: str, tmp_path: Path) -> None:  # noqa: F811
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RECOUP_", "DJANGO_", "CELERY_"))}
    env = {
        **clean,
        "DATABASE_URL": database,
        "RECOUP_DATA_DIR": str(tmp_path),
        "RECOUP_COLLECTOR_NAME": "Summit Recovery Partners",
        "RECOUP_COLLECTOR_ADDRESS": "PO Box 4410|Denver CO 80201",
    }
    for args in (["migrate"], ["demo-data", "--accounts", "250"]):
        subprocess.run([RECOUP, *args], env=env, check=True, capture_output=True, text=True, timeout=300)
    result = subprocess.run(
        [RECOUP, "simulate", "--days", "60", "--seed", "7"], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "60 days simulated (seed 7)." in out
    assert "Compliance check of every contact: 0 violation(s)." in out

    def figure(pattern: str) -> int:
        match = re.search(pattern, out)
        assert match, (pattern, out)
        return int(match.group(1).replace(",", ""))

    assert figure(r"messages sent ([\d,]+)") > 0
    assert figure(r"calls made ([\d,]+)") > 0
    assert figure(r"Payments ([\d,]+)") > 0
    assert figure(r"Promises ([\d,]+) made") > 0
    # Day by day on stderr: sixty business dates, one after the other.
    assert len(re.findall(r"day +\d+/60", result.stderr)) == 60
