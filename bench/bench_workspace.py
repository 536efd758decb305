"""The officer's pages under a realistic portfolio: the account page and My queue, timed per request.

    python bench/bench_workspace.py --database sqlite --accounts 100000 --requests 200

Generates the demo portfolio (with its plans and payments), gives one officer a realistic book of
accounts, signs them in with Django's test client (the whole request: middleware, views, templates,
queries) and times the account page over many different accounts and the queue repeatedly. Prints
the median, the 95th percentile and the worst. Baseline measured in the same run: the sign-in page,
which touches no portfolio data, so the ratio shows what the portfolio costs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from ledger_portfolio import NOW, fresh_database

BOOK = 400  # accounts assigned to the officer: a full-time collector's book


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def report(label: str, samples: list[float], baseline: float | None = None) -> float:
    median, p95, worst = percentiles(samples)
    ratio = f"  ({p95 / baseline:.1f}x the baseline p95)" if baseline else ""
    print(
        f"{label:<34} median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   worst {worst * 1000:7.1f} ms{ratio}"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with fresh_database(args.database):
        from django.test import Client

        from recoup.accounts.models import Account
        from recoup.demo.generator import generate_portfolio
        from recoup.users.roles import Role
        from recoup.users.services import create_user

        started = time.perf_counter()
        generate_portfolio(accounts=args.accounts, seed=2026, as_of=NOW.date(), now=NOW)
        print(f"portfolio of {args.accounts:,} accounts generated in {time.perf_counter() - started:.1f} s")
        officer = create_user(
            username="bench-officer",
            role=Role.OFFICER,
            password="Bench-passphrase-2026",  # noqa: S106 (a throwaway user in a throwaway database)
            now=NOW,
        )
        ids = list(Account.objects.filter(status__in=["active", "in_arrangement"]).values_list("id", flat=True)[:BOOK])
        Account.objects.filter(pk__in=ids).update(assigned_officer=officer)
        client = Client(HTTP_HOST="localhost")  # a host the settings allow
        client.force_login(officer)
        anonymous = Client(HTTP_HOST="localhost")

        def timed(c: Client, path: str) -> float:
            t = time.perf_counter()
            response = c.get(path)
            elapsed = time.perf_counter() - t
            assert response.status_code == 200, (path, response.status_code)
            return elapsed

        for path in ("/login/", "/queue/", f"/accounts/{ids[0]}/"):  # warm caches and templates
            timed(anonymous if path == "/login/" else client, path)
        rng = random.Random(7)
        baseline = report("baseline: sign-in page", [timed(anonymous, "/login/") for _ in range(args.requests)])
        report(
            "account page (random in the book)",
            [timed(client, f"/accounts/{rng.choice(ids)}/") for _ in range(args.requests)],
            baseline,
        )
        report("my queue", [timed(client, "/queue/") for _ in range(args.requests)], baseline)
        report("my queue, page 2", [timed(client, "/queue/?page=2") for _ in range(args.requests)], baseline)

        def next_account() -> float:
            t = time.perf_counter()
            response = client.post("/queue/next/")
            elapsed = time.perf_counter() - t
            assert response.status_code == 302, response.status_code
            return elapsed

        # Next account asks the compliance gate about now: time it at 11:00 in New York (calls allowed)
        # and at 23:00 there (every debtor in the US outside contact hours, so nothing is handed out).
        import time_machine

        for label, hour in (("next account, 16:00 UTC", 16), ("next account, 04:00 UTC", 4)):
            with time_machine.travel(NOW.replace(hour=hour), tick=True):
                client.force_login(officer)
                report(label, [next_account() for _ in range(args.requests)], baseline)
        client.force_login(officer)  # the session signed in at the travelled-to time has expired by now
        # Filtered as an officer would (a state, a bucket, a balance floor): the filters run in SQL.
        state = (
            Account.objects.filter(pk__in=ids, account_debtors__role="primary")
            .values_list("account_debtors__debtor__region", flat=True)
            .first()
        )
        filtered = f"/queue/?region={state}&bucket=180%2B&min_balance=500"
        report("my queue, filtered", [timed(client, filtered) for _ in range(args.requests)], baseline)


if __name__ == "__main__":
    main()
