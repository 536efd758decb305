"""Export speed and memory: every account of a demo portfolio to CSV and to XLSX, streamed.

    python bench/bench_export.py --database postgresql --accounts 100000

Each export runs in a child process of its own so its peak memory (ru_maxrss) is its own; the
baseline, measured in the same run, is the same child doing nothing but starting Django, so the
difference is what the export itself held in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ledger_portfolio import NOW, fresh_database

CHILD = """
import json, os, sys, time
import django
django.setup()
from django.db import connection
from recoup.exports.services import export_accounts
from recoup.exports.services import ExportFormat
def high_water_mb():
    # VmHWM starts afresh at exec; ru_maxrss would carry the forking parent's peak over.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
start_rss = high_water_mb()
started = time.perf_counter()
rows = 0
if sys.argv[1] != "none":
    with open(sys.argv[2], "wb") as out:
        rows = export_accounts(out=out, fmt=ExportFormat(sys.argv[1]))
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started,
                  "start_mb": start_rss, "peak_mb": high_water_mb()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="recoup-export-bench-"))
    with fresh_database(args.database):
        from django.db import connection

        from recoup.demo.generator import generate_portfolio

        generate_portfolio(accounts=args.accounts, seed=2026, as_of=NOW.date(), now=NOW)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        connection.close()
        results = {}
        for fmt in ["none", "csv", "xlsx"]:
            out = folder / f"accounts.{fmt}"
            child = subprocess.run(
                [sys.executable, "-c", CHILD, fmt, str(out)],
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                capture_output=True,
                text=True,
                check=True,
            )
            results[fmt] = json.loads(child.stdout.strip().splitlines()[-1])
            results[fmt]["megabytes"] = out.stat().st_size / 1e6 if out.exists() else 0

    baseline = results["none"]["peak_mb"]
    print(f"database: {args.database}; {args.accounts:,} demo accounts")
    for fmt in ["csv", "xlsx"]:
        r = results[fmt]
        print(
            f"{fmt}: {r['rows']:,} rows in {r['seconds']:.2f} s = {r['rows'] / r['seconds']:,.0f} rows/s; "
            f"file {r['megabytes']:.1f} MB; peak memory {r['peak_mb']:.0f} MB "
            f"(baseline process {baseline:.0f} MB: the export held {r['peak_mb'] - baseline:.0f} MB)"
        )


if __name__ == "__main__":
    main()
