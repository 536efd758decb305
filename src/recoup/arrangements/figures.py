"""Figures on arrangements: kept rates per creditor and per officer, and the cash forecast.

Definitions follow shared/reference/KPIS.md: the promise (or plan) kept rate is the amounts kept
divided by the amounts that fell due in the period, by count and by amount; an amount "fell due"
once its grace period is over (kept, partly kept or broken), so amounts still pending or in grace are
left out. Each figure is one grouped query over the dues, whatever the size of the portfolio.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from recoup.arrangements.models import Arrangement, Due
from recoup.core.money import Money

FELL_DUE = [Due.Status.KEPT, Due.Status.PARTLY_KEPT, Due.Status.BROKEN]


@dataclass(frozen=True)
class KeptFigure:
    """One group's kept rate: who (a creditor or an officer), which kind, which currency."""

    group: str
    kind: str
    currency: str
    fell_due: int
    kept: int
    fell_due_amount: Money
    kept_amount: Money

    @property
    def rate_by_count(self) -> Decimal | None:
        return (Decimal(self.kept) * 100 / self.fell_due).quantize(Decimal("0.1")) if self.fell_due else None

    @property
    def rate_by_amount(self) -> Decimal | None:
        whole = self.fell_due_amount.minor
        return (Decimal(self.kept_amount.minor) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def kept_figures(*, since: date, until: date, by: str = "creditor", creditor: str | None = None) -> list[KeptFigure]:
    """Kept rates of promises, plans and settlements whose amounts fell due between two days.

    `by` is "creditor" (the creditor's code) or "officer" (who took the arrangement; "debtor" for
    self-service ones).
    """
    if by not in ("creditor", "officer"):
        raise ValueError("by: 'creditor' or 'officer'")
    dues = Due.objects.filter(due_date__gte=since, due_date__lte=until, status__in=FELL_DUE)
    if creditor:
        dues = dues.filter(arrangement__account__creditor__code=creditor)
    group = "arrangement__account__creditor__code" if by == "creditor" else "arrangement__created_by__username"
    rows = (
        dues.values(group, "arrangement__kind", "arrangement__currency")
        .annotate(
            fell_due=Count("id"),
            kept=Count("id", filter=Q(status=Due.Status.KEPT)),
            fell_due_amount=Sum("amount_minor"),
            kept_amount=Sum("amount_minor", filter=Q(status=Due.Status.KEPT)),
        )
        .order_by(group, "arrangement__kind", "arrangement__currency")
    )
    return [
        KeptFigure(
            group=row[group] or "(not recorded)",
            kind=row["arrangement__kind"],
            currency=row["arrangement__currency"],
            fell_due=row["fell_due"],
            kept=row["kept"],
            fell_due_amount=Money.from_minor(row["fell_due_amount"] or 0, row["arrangement__currency"]),
            kept_amount=Money.from_minor(row["kept_amount"] or 0, row["arrangement__currency"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ForecastWeek:
    week_starting: date
    currency: str
    scheduled: Money  # what the open arrangements still expect that week
    expected: Money  # weighted by how often each kind of arrangement has been kept lately (by amount)


def forecast(
    *, as_of: date, weeks: int = 8, history_days: int = 180, creditor: str | None = None
) -> list[ForecastWeek]:
    """Expected cash by week from active plans, promises and settlements, from the week of `as_of`."""
    start = as_of - timedelta(days=as_of.weekday())
    end = start + timedelta(days=7 * weeks - 1)
    open_dues = Due.objects.filter(
        arrangement__state=Arrangement.State.ACTIVE,
        status__in=[Due.Status.PENDING, Due.Status.DUE],
        due_date__gte=as_of - timedelta(days=14),  # recently due, still in grace: money may still come
        due_date__lte=end,
    )
    history = Due.objects.filter(
        due_date__gte=as_of - timedelta(days=history_days), due_date__lt=as_of, status__in=FELL_DUE
    )
    if creditor:
        open_dues = open_dues.filter(arrangement__account__creditor__code=creditor)
        history = history.filter(arrangement__account__creditor__code=creditor)
    rates: dict[tuple[str, str], Decimal] = {}
    for row in history.values("arrangement__kind", "arrangement__currency").annotate(
        whole=Sum("amount_minor"), kept=Sum("amount_minor", filter=Q(status=Due.Status.KEPT))
    ):
        if row["whole"]:
            rates[(row["arrangement__kind"], row["arrangement__currency"])] = Decimal(row["kept"] or 0) / row["whole"]
    scheduled: dict[tuple[date, str], int] = defaultdict(int)
    expected: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    for row in open_dues.values("due_date", "arrangement__kind", "arrangement__currency").annotate(
        owed=Sum(F("amount_minor") - F("paid_minor"))
    ):
        day = max(row["due_date"], as_of)
        week = day - timedelta(days=day.weekday())
        key = (week, row["arrangement__currency"])
        owed = int(row["owed"] or 0)
        scheduled[key] += owed
        # With no history yet, the schedule itself is the best guess.
        rate = rates.get((row["arrangement__kind"], row["arrangement__currency"]), Decimal(1))
        expected[key] += owed * rate
    currencies = sorted({currency for _week, currency in scheduled}) or []
    result = []
    for n in range(weeks):
        week = start + timedelta(days=7 * n)
        for currency in currencies:
            result.append(
                ForecastWeek(
                    week_starting=week,
                    currency=currency,
                    scheduled=Money.from_minor(scheduled.get((week, currency), 0), currency),
                    expected=Money.from_minor(int(expected.get((week, currency), Decimal(0))), currency),
                )
            )
    return result
