"""The nightly daily run (strategies.services.run_daily) over a large portfolio.

    python bench/bench_daily_run.py --database postgresql --accounts 1000000 --sample 10000
    python bench/bench_daily_run.py --database sqlite --accounts 20000 --sample 2000

Loads the portfolio set-based (ledger_portfolio.make_portfolio: one creditor, active accounts owing
`--items` open items each, no debtors), saves the starter templates, then saves and publishes a strategy
(`--strategy bench`, the default: segments on days past due and balance, day-offset steps that call,
wait, flag for legal review and one email; or `--strategy starter`, the starter strategy). The accounts
have no debtors, so every contact action (calls, messages) is blocked set-based by the screen stage
with NO-ENDPOINT and no message is made; the execute stage carries out the rest (on the run's date,
day 0 of every path, that is the bench strategy's waits).

Timed, in this order:

- baseline (b): one hand-written statement that only re-ages and buckets the same tables (accounts
  joined to their open items, days past due from the oldest unpaid due date, a CASE for the bucket),
  written into a temporary table; run twice, the second (warm) figure counts;
- baseline (a): the same run written the obvious way with the Django ORM, account by account, over
  `--sample` accounts, in a transaction that is rolled back; extrapolated per account to the portfolio;
- the run itself, `run_daily(as_of=..., now=..., chunk=...)`, end to end and per stage (from
  `run.stages`), then the same date again (a finished date is left as it is: no new actions).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ledger_portfolio import NOW, fresh_database, make_portfolio

BENCH_STRATEGY: dict[str, object] = {
    "seed": 4242,
    "segments": [
        {
            "name": "early",
            "label": "Up to 30 days past due",
            "when": {"dpd_max": 30},
            "paths": {"early-call": 50, "early-email": 50},
        },
        {"name": "middle", "label": "31-90 days", "when": {"dpd_min": 31, "dpd_max": 90}, "paths": {"middle": 100}},
        {
            "name": "late-large",
            "label": "Over 90 days, 2,500 or more",
            "when": {"dpd_min": 91, "balance_min": "2500"},
            "paths": {"late-large": 100},
        },
        {"name": "late", "label": "Every other account", "paths": {"late": 100}},
    ],
    "paths": {
        "early-call": {
            "label": "Early, call first",
            "steps": [
                {"day": 0, "action": "call", "priority": 3},
                {"day": 7, "action": "wait"},
                {"day": 10, "action": "call", "priority": 5},
            ],
        },
        "early-email": {
            "label": "Early, email first",
            "steps": [
                {"day": 0, "action": "email", "template": "payment-reminder"},
                {"day": 5, "action": "call", "priority": 4},
            ],
        },
        "middle": {
            "label": "31-90: call, wait, call",
            "steps": [
                {"day": 0, "action": "call", "priority": 5},
                {"day": 7, "action": "wait"},
                {"day": 14, "action": "call", "priority": 6},
            ],
        },
        "late-large": {
            "label": "Over 90, large: call, then legal review",
            "steps": [
                {"day": 0, "action": "call", "priority": 8},
                {"day": 14, "action": "call", "priority": 8},
                {"day": 30, "action": "legal_review", "note": "large balance, no arrangement after 30 days"},
            ],
        },
        "late": {
            "label": "Over 90: cool off, call, review",
            "steps": [
                {"day": 0, "action": "wait", "note": "cool-off after placement"},
                {"day": 14, "action": "call", "priority": 4},
                {"day": 60, "action": "legal_review", "note": "no arrangement after 60 days"},
            ],
        },
    },
}


def timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"{label:<52} {elapsed:9.2f} s", file=sys.stderr)
    return result, elapsed


def scalar(sql: str, params: list[Any] | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def vacuum_analyze(tables: list[str] | None = None) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if tables:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("VACUUM ANALYZE")


def reage_baseline(as_of: date) -> int:
    """Baseline (b): re-age and bucket every account with something owing, in one statement."""
    from django.db import connection

    if connection.vendor == "postgresql":
        days = "(%s::date - MIN(i.due_date))"
    else:
        days = "CAST(julianday(%s) - julianday(MIN(i.due_date)) AS INTEGER)"
    bounds = (0, 30, 60, 90, 120, 180)  # core.aging.DEFAULT_BUCKET_BOUNDS
    whens = " ".join(f"WHEN g.dpd <= {high} THEN {index}" for index, high in enumerate(bounds))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_aged")
        sql = (
            "CREATE TEMP TABLE bench_aged AS SELECT g.id, g.dpd, "  # noqa: S608 (no input in the text)
            f"CASE {whens} ELSE {len(bounds)} END AS bucket FROM ("
            f"SELECT a.id AS id, CASE WHEN {days} < 0 THEN 0 ELSE {days} END AS dpd "
            "FROM accounts_account a JOIN accounts_open_item i ON i.account_id = a.id "
            "WHERE i.balance_minor > 0 GROUP BY a.id) g"
        )
        cursor.execute(sql, [as_of.isoformat(), as_of.isoformat()])
        cursor.execute("SELECT COUNT(*) FROM bench_aged")
        return int(cursor.fetchone()[0])


def orm_baseline(*, sample: int, as_of: date, now: datetime) -> tuple[int, int]:
    """Baseline (a): the run written the obvious way with the ORM, one account at a time, for `sample`
    accounts, in one transaction that is rolled back. Returns (accounts, actions written).

    Per account: days past due from its open items (one aggregate query), the cached oldest unpaid date
    corrected if it differs, the facts row kept, the segment and path from the core rules, the open
    assignment looked up (ended and replaced if the segment or path changed, created if none), each due
    step's action created unless it exists, and each action decided: contacts blocked on a hold or with
    no number or address (the screen), wait done, calls queued, legal review flagged (an audit event).
    Messages are not made (the set-based run makes none here either: every one is blocked)."""
    from django.db import transaction
    from django.db.models import Min

    from recoup.accounts.models import Account, AccountDebtor, OpenItem
    from recoup.audit.events import Event
    from recoup.audit.services import record_event
    from recoup.compliance.models import Hold
    from recoup.core.contact_rules import OPEN_STATUSES
    from recoup.core.strategy import CONTACT_ACTIONS, AccountFacts, ActionKind, path_for, segment_for
    from recoup.parties.models import ContactPoint
    from recoup.strategies.models import AccountFact, Action, Assignment, Run
    from recoup.strategies.services import CATCH_UP_DAYS, active_version, strategy_of

    version = active_version()
    assert version is not None
    strategy = strategy_of(version)
    accounts = actions = 0
    with transaction.atomic():
        run = Run.objects.create(run_date=as_of, version=version, trigger="bench-orm", started_at=now)
        for account in (
            Account.objects.filter(status__in=OPEN_STATUSES).select_related("creditor").order_by("id")[:sample]
        ):
            accounts += 1
            due = OpenItem.objects.filter(account=account, balance_minor__gt=0).aggregate(due=Min("due_date"))["due"]
            if account.oldest_unpaid_due_date != due:
                account.oldest_unpaid_due_date = due
                account.save(update_fields=["oldest_unpaid_due_date"])
            dpd = max((as_of - due).days, 0) if due else 0
            minor = account.principal_minor + account.interest_minor + account.fees_minor + account.costs_minor
            facts = AccountFacts(
                account_id=account.pk,
                dpd=dpd,
                balance=Decimal(minor) / 100,
                product=account.product_type,
                creditor=account.creditor.code,
                status=account.status,
            )
            segment = segment_for(strategy, facts)
            path_name = path_for(segment, account.pk, strategy.seed)
            AccountFact.objects.update_or_create(
                account=account,
                defaults={
                    "run_date": as_of,
                    "dpd": dpd,
                    "balance_minor": minor,
                    "currency": account.currency,
                    "segment": segment.name,
                    "path": path_name,
                    "slot": 0,
                },
            )
            assignment = Assignment.objects.filter(account=account, ended_on__isnull=True).first()
            if assignment is not None and (assignment.segment, assignment.path) != (segment.name, path_name):
                assignment.ended_on = as_of
                assignment.save(update_fields=["ended_on"])
                assignment = None
            if assignment is None:
                assignment = Assignment.objects.create(
                    account=account,
                    segment=segment.name,
                    path=path_name,
                    slot=0,
                    started_on=as_of,
                    version=version,
                    currency=account.currency,
                    balance_minor=minor,
                )
            days_in = (as_of - assignment.started_on).days
            due_steps = [
                s
                for s in strategy.paths[path_name].steps
                if s.day is not None and days_in - CATCH_UP_DAYS < s.day <= days_in
            ]
            for step in due_steps:
                key = f"{step.day}:{step.action.value}"
                if Action.objects.filter(assignment=assignment, step_key=key).exists():
                    continue
                action = Action(
                    run=run,
                    account=account,
                    assignment=assignment,
                    step_key=key,
                    kind=step.action.value,
                    template=step.template,
                    priority=step.priority,
                    status_to=step.status,
                    state=Action.State.PLANNED,
                    decided_at=now,
                )
                if step is not due_steps[-1]:
                    action.state, action.reason = Action.State.SKIPPED, "a later step of the path is due now"
                elif step.action in CONTACT_ACTIONS:
                    primary = (
                        AccountDebtor.objects.filter(account=account, role="primary")
                        .values_list("debtor_id", flat=True)
                        .first()
                    )
                    held = Hold.objects.filter(account=account, lifted_at__isnull=True, starts_at__lte=now).exists()
                    kind = "phone" if step.action in (ActionKind.CALL, ActionKind.SMS) else "email"
                    reachable = (
                        primary is not None
                        and ContactPoint.objects.filter(debtor_id=primary, kind=kind, do_not_contact=False).exists()
                    )
                    if held:
                        action.state, action.rule = Action.State.BLOCKED, "HOLD"
                    elif not reachable:
                        action.state, action.rule = Action.State.BLOCKED, "NO-ENDPOINT"
                    else:
                        action.state = Action.State.QUEUED  # a message would be made here; none is
                elif step.action is ActionKind.LEGAL_REVIEW:
                    record_event(
                        event=Event.LEGAL_REVIEW_FLAGGED,
                        subject_id=account.pk,
                        account_id=account.pk,
                        occurred_at=now,
                        actor=None,
                        after={"step": key, "run_date": as_of.isoformat()},
                    )
                    action.state = Action.State.QUEUED
                else:
                    action.state = Action.State.DONE
                action.save()
                actions += 1
        transaction.set_rollback(True)
    return accounts, actions


def code_revision() -> str:
    """The commit the benchmark ran on, and whether the working tree had changes (src/ moves quickly)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True, text=True, check=False
    )
    changed = len(dirty.stdout.splitlines())
    return f"{head.stdout.strip() or 'unknown'}" + (f" + {changed} changed files under src/" if changed else "")


def progress_printer():  # type: ignore[no-untyped-def]
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        print(f"  {stage}: {done}/{total} ranges, {time.perf_counter() - started:.1f} s", file=sys.stderr)

    return progress


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--sample", type=int, default=10_000, help="accounts for the ORM baseline")
    parser.add_argument("--chunk", type=int, default=50_000, help="accounts per range (one transaction each)")
    parser.add_argument("--strategy", choices=["bench", "starter"], default="bench")
    args = parser.parse_args()
    as_of, now = NOW.date(), NOW
    revision = code_revision()  # before the run: the modules are imported once, at the start
    rows: list[tuple[str, str, str]] = []  # (what, seconds, note)
    with fresh_database(args.database):
        from recoup.communications.starter import create_starter_templates
        from recoup.strategies.services import STAGE_LABELS, publish, run_daily, save_draft
        from recoup.strategies.starter import STARTER

        _, load_seconds = timed("load portfolio", make_portfolio, accounts=args.accounts, items_per_account=args.items)
        create_starter_templates(now=NOW)
        definition = BENCH_STRATEGY if args.strategy == "bench" else STARTER
        draft = save_draft(definition=definition, note=f"benchmark ({args.strategy})", now=NOW, actor=None)
        version = publish(version=draft, now=NOW, actor=None)
        debtors = scalar("SELECT COUNT(*) FROM accounts_account_debtor")
        print(f"  strategy v{version.number} ({args.strategy}); account-debtor links: {debtors:,}", file=sys.stderr)
        _, vacuum_seconds = timed("VACUUM ANALYZE (PostgreSQL only)", vacuum_analyze)

        aged, _ = timed("baseline (b): re-age and bucket, one statement", reage_baseline, as_of)
        _, baseline_b = timed("baseline (b) again (warm)", reage_baseline, as_of)

        (orm_accounts, orm_actions), orm_seconds = timed(
            f"baseline (a): ORM per account, {args.sample:,} accounts",
            orm_baseline,
            sample=args.sample,
            as_of=as_of,
            now=now,
        )
        strategy_tables = ["strategies_run", "strategies_assignment", "strategies_action", "strategies_account_fact"]
        vacuum_analyze(strategy_tables)  # the rolled-back rows leave dead tuples behind

        before = scalar("SELECT COUNT(*) FROM strategies_action")
        run, run_seconds = timed(
            "daily run", run_daily, as_of=as_of, now=now, chunk=args.chunk, progress=progress_printer()
        )
        after = scalar("SELECT COUNT(*) FROM strategies_action")
        again, again_seconds = timed("daily run, same date again", run_daily, as_of=as_of, now=now, chunk=args.chunk)
        after_again = scalar("SELECT COUNT(*) FROM strategies_action")
        # The next day: what most nights look like once the paths are under way (every account is re-aged
        # and placed again; only accounts whose path has a step today get an action).
        next_run, next_seconds = timed(
            "daily run, the next day",
            run_daily,
            as_of=as_of + timedelta(days=1),
            now=now + timedelta(days=1),
            chunk=args.chunk,
        )
        after_next = scalar("SELECT COUNT(*) FROM strategies_action")
        assignments = scalar("SELECT COUNT(*) FROM strategies_assignment")
        report = run.report
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    accounts = report.get("accounts_total", 0)
    print()
    print(
        f"database {args.database}: {args.accounts:,} accounts, {args.accounts * args.items:,} open items; "
        f"strategy {args.strategy}; chunk {args.chunk:,}; as of {as_of}, now {now.isoformat()}"
    )
    print(f"code: {revision}")
    print(
        f"accounts with a primary debtor: {debtors:,} (make_portfolio makes none, so every contact action is "
        "blocked by the screen stage with NO-ENDPOINT)"
    )
    print()
    print(f"{'Stage':<46} {'Seconds':>9} {'s/1M accts':>11}  Counts")
    for stage in run.stages:
        label = f"{stage['name']}: {STAGE_LABELS.get(stage['name'], '')}"
        per_million = stage["seconds"] / max(args.accounts, 1) * 1_000_000
        counts = ", ".join(f"{k} {v:,}" for k, v in stage["counts"].items()) or "-"
        print(f"{label[:46]:<46} {stage['seconds']:9.2f} {per_million:11.1f}  {counts}")
    stage_total = sum(stage["seconds"] for stage in run.stages)
    not_execute = sum(stage["seconds"] for stage in run.stages if stage["name"] != "execute")
    print(f"{'sum of stages':<46} {stage_total:9.2f}")
    print(f"{'sum of stages without execute':<46} {not_execute:9.2f}")
    print(f"{'run_daily end to end':<46} {run_seconds:9.2f}")
    print()
    print("Actions by kind and state:")
    for row in report.get("actions", []):
        print(f"  {row['kind']:<14} {row['state']:<10} {row['count']:>10,}")
    print("Blocked or deferred by rule:")
    for row in report.get("blocked", []):
        print(f"  {row['rule']:<14} {row['state']:<10} {row['count']:>10,}")
    print("Accounts entering each path:")
    for name, count in report.get("entered", {}).items():
        print(f"  {name:<28} {count:>10,}")
    print()

    per_account_set = run_seconds / max(accounts, 1)
    per_account_orm = orm_seconds / max(orm_accounts, 1)
    orm_full = per_account_orm * accounts
    rows += [
        ("load portfolio (not part of the run)", f"{load_seconds:.1f}", ""),
        ("VACUUM ANALYZE after loading", f"{vacuum_seconds:.1f}", "PostgreSQL only"),
        ("baseline (b): re-age + bucket, one statement (warm)", f"{baseline_b:.2f}", f"{aged:,} accounts aged"),
        (
            f"baseline (a): ORM per account, {orm_accounts:,} accounts",
            f"{orm_seconds:.2f}",
            f"{orm_actions:,} actions, {per_account_orm * 1000:.2f} ms/account",
        ),
        (f"baseline (a) extrapolated to {accounts:,}", f"{orm_full:.0f}", f"{orm_full / 3600:.2f} h"),
        (
            "daily run, end to end",
            f"{run_seconds:.2f}",
            f"{accounts:,} accounts, {after - before:,} actions added, {per_account_set * 1e6:.1f} µs/account",
        ),
        ("daily run without the execute stage (sum)", f"{not_execute:.2f}", ""),
        (
            "daily run, same date again",
            f"{again_seconds:.3f}",
            f"{after_again - after:,} actions added; run {again.state}",
        ),
        (
            "daily run, the next day",
            f"{next_seconds:.2f}",
            f"{after_next - after_again:,} actions added; stages "
            + ", ".join(f"{stage['name']} {stage['seconds']:.1f}" for stage in next_run.stages),
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'Step':<{width}} {'Seconds':>10}  Notes")
    for what, seconds, note in rows:
        print(f"{what:<{width}} {seconds:>10}  {note}")
    print()
    print(f"assignments open after the run: {assignments:,}")
    print(
        f"ORM per account / set-based per account: {per_account_orm / per_account_set:.1f}x "
        f"({per_account_orm * 1e6:.0f} µs vs {per_account_set * 1e6:.1f} µs)"
    )
    print(
        f"ORM per account / set-based per account without execute: "
        f"{per_account_orm / (not_execute / max(accounts, 1)):.1f}x"
    )
    print(f"full run / baseline (b): {run_seconds / baseline_b:.1f}x; without execute: {not_execute / baseline_b:.1f}x")
    print(f"next day / baseline (b): {next_seconds / baseline_b:.1f}x")
    print(f"peak memory (ru_maxrss): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
