"""The manager's figures for the day: money collected (today and the last 14 days, for a bar chart
drawn on the server), and promises due today and kept lately. Grouped queries, no loop per account."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum

from recoup.accounts.models import Payment
from recoup.arrangements.models import Due
from recoup.core.money import Money

CHART_DAYS = 14


@dataclass(frozen=True)
class Bar:
    day: date
    amount: Money
    x: int
    height: int  # in chart units (0..100)

    @property
    def y(self) -> int:
        return 100 - self.height


@dataclass(frozen=True)
class CollectionFigures:
    today: tuple[Money, ...]  # one per currency
    bars: dict[str, tuple[Bar, ...]]  # by currency, the last CHART_DAYS days, oldest first
    promises_due_today: int
    promised_today: tuple[Money, ...]
    kept_last_30: int
    fell_due_last_30: int

    @property
    def kept_rate(self) -> str:
        if not self.fell_due_last_30:
            return "—"
        return f"{self.kept_last_30 * 100 / self.fell_due_last_30:.1f}%"


def collection_figures(*, today: date) -> CollectionFigures:
    first = today - timedelta(days=CHART_DAYS - 1)
    by_day: dict[str, dict[date, int]] = defaultdict(dict)
    for received, currency, minor in (
        Payment.objects.filter(reversal__isnull=True, received_at__date__gte=first, received_at__date__lte=today)
        .values("received_at__date", "currency")
        .annotate(total=Sum("amount_minor"))
        .values_list("received_at__date", "currency", "total")
    ):
        by_day[currency][received] = int(minor or 0)
    bars: dict[str, tuple[Bar, ...]] = {}
    for currency, days in sorted(by_day.items()):
        top = max(days.values()) or 1
        bars[currency] = tuple(
            Bar(
                first + timedelta(days=n),
                Money.from_minor(days.get(first + timedelta(days=n), 0), currency),
                n * 20,
                round(days.get(first + timedelta(days=n), 0) * 100 / top),
            )
            for n in range(CHART_DAYS)
        )
    due_today = Due.objects.filter(arrangement__kind="promise", arrangement__state="active", due_date=today)
    promised = [
        Money.from_minor(int(total or 0), currency)
        for currency, total in due_today.values("arrangement__currency")
        .annotate(total=Sum("amount_minor"))
        .values_list("arrangement__currency", "total")
        .order_by("arrangement__currency")
    ]
    recent = Due.objects.filter(
        arrangement__kind="promise", due_date__gte=today - timedelta(days=30), due_date__lt=today
    ).aggregate(
        kept=Count("id", filter=Q(status="kept")),
        fell=Count("id", filter=Q(status__in=["kept", "partly_kept", "broken"])),
    )
    return CollectionFigures(
        today=tuple(bar[-1].amount for bar in bars.values()),
        bars=bars,
        promises_due_today=due_today.count(),
        promised_today=tuple(promised),
        kept_last_30=recent["kept"] or 0,
        fell_due_last_30=recent["fell"] or 0,
    )
