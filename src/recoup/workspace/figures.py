"""The manager's figures for the day: money collected (today and the last 14 days, for a bar chart
drawn on the server), promises due today and kept lately, and the open portfolio by creditor and
aging bucket. Grouped queries, no loop per account."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from recoup.accounts.models import Account, Payment
from recoup.arrangements.models import Due
from recoup.core.aging import DEFAULT_BUCKETS, BucketScheme
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


# The portfolio by creditor and days past due -------------------------------------------------------

OPEN_FOR_AGING = (Account.Status.ACTIVE, Account.Status.IN_ARRANGEMENT)
SHARE_WIDTH = 1000  # the stacked bar's length in chart units


@dataclass(frozen=True)
class BucketCell:
    """Open accounts in one bucket (or a total) and what they owe, in one currency."""

    count: int
    owed: Money


@dataclass(frozen=True)
class CurrencyRow:
    """One creditor's (or all creditors') open accounts in one currency, per bucket, and the total."""

    currency: str
    cells: tuple[BucketCell, ...]  # one per bucket, in bucket order
    total: BucketCell


@dataclass(frozen=True)
class ShareSegment:
    """One bucket's part of a creditor's stacked bar; x and width in chart units (0..SHARE_WIDTH)."""

    index: int
    label: str
    count: int
    x: int
    width: int


@dataclass(frozen=True)
class CreditorBuckets:
    creditor_id: int
    name: str
    code: str
    rows: tuple[CurrencyRow, ...]  # one per currency the creditor has open accounts in
    counts: tuple[int, ...]  # accounts per bucket, every currency (counts can be added, money cannot)
    segments: tuple[ShareSegment, ...]  # buckets with accounts, for the stacked bar

    @property
    def total_count(self) -> int:
        return sum(self.counts)

    @property
    def share_label(self) -> str:
        """The bar in words, for its aria-label."""
        parts = ", ".join(
            f"{s.count} {s.label}" if s.index == 0 else f"{s.count} at {s.label} days" for s in self.segments
        )
        noun = "account" if self.total_count == 1 else "accounts"
        return f"{self.name}: {self.total_count} open {noun} by days past due: {parts}"


@dataclass(frozen=True)
class BucketPortfolio:
    labels: tuple[str, ...]
    creditors: tuple[CreditorBuckets, ...]  # by name, then id
    totals: tuple[CurrencyRow, ...]  # all creditors, one per currency


def _bucket_index(today: date, scheme: BucketScheme) -> Case:
    """The bucket number of an account, in SQL: days past due = today - oldest unpaid due date,
    zero when nothing is owing or it is not yet due. Each bucket is a date range computed from today."""
    whens = []
    for index, bucket in enumerate(scheme.buckets[:-1]):
        assert bucket.max_days is not None  # only the last is open-ended
        # days <= max_days  <=>  due date >= today - max_days
        within = Q(oldest_unpaid_due_date__gte=today - timedelta(days=bucket.max_days))
        if index == 0:
            within |= Q(oldest_unpaid_due_date__isnull=True)
        whens.append(When(within, then=Value(index)))
    return Case(*whens, default=Value(len(scheme.buckets) - 1), output_field=IntegerField())


def _segments(counts: tuple[int, ...], labels: tuple[str, ...]) -> tuple[ShareSegment, ...]:
    """Cumulative rounding, so the segments always fill the bar exactly."""
    total = sum(counts)
    if not total:
        return ()
    segments = []
    before = 0
    for index, count in enumerate(counts):
        x = round(before * SHARE_WIDTH / total)
        before += count
        end = round(before * SHARE_WIDTH / total)
        if count:
            segments.append(ShareSegment(index, labels[index], count, x, end - x))
    return tuple(segments)


def _currency_row(currency: str, cells: dict[int, tuple[int, int]], n_buckets: int) -> CurrencyRow:
    """Counts and minor amounts per bucket number, in one currency, as a row with its total."""
    filled = [cells.get(i, (0, 0)) for i in range(n_buckets)]
    return CurrencyRow(
        currency=currency,
        cells=tuple(BucketCell(n, Money.from_minor(minor, currency)) for n, minor in filled),
        total=BucketCell(sum(n for n, _ in filled), Money.from_minor(sum(minor for _, minor in filled), currency)),
    )


def portfolio_by_bucket(*, today: date, scheme: BucketScheme = DEFAULT_BUCKETS) -> BucketPortfolio:
    """Open accounts (active or in an arrangement) per creditor and aging bucket as of `today`: how many
    and what they owe (principal, interest, fees and costs), per currency. One grouped query."""
    owed = F("principal_minor") + F("interest_minor") + F("fees_minor") + F("costs_minor")
    grouped = (
        Account.objects.filter(status__in=OPEN_FOR_AGING)
        .values("creditor_id", "creditor__name", "creditor__code", "currency", bucket=_bucket_index(today, scheme))
        .annotate(n=Count("id"), owed=Sum(owed))
        .order_by("creditor__name", "creditor_id", "currency", "bucket")
    )
    n_buckets = len(scheme.buckets)
    labels = tuple(scheme.labels)
    names: dict[int, tuple[str, str]] = {}
    cells: dict[int, dict[str, dict[int, tuple[int, int]]]] = defaultdict(lambda: defaultdict(dict))
    totals: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for row in grouped:
        creditor_id, currency, bucket = row["creditor_id"], row["currency"], int(row["bucket"])
        n, minor = int(row["n"]), int(row["owed"] or 0)
        names[creditor_id] = (row["creditor__name"], row["creditor__code"])
        cells[creditor_id][currency][bucket] = (n, minor)
        count, total = totals[currency].get(bucket, (0, 0))
        totals[currency][bucket] = (count + n, total + minor)
    creditors = []
    for creditor_id, (name, code) in names.items():
        by_currency = cells[creditor_id]
        counts = tuple(sum(c.get(i, (0, 0))[0] for c in by_currency.values()) for i in range(n_buckets))
        creditors.append(
            CreditorBuckets(
                creditor_id=creditor_id,
                name=name,
                code=code,
                rows=tuple(_currency_row(cur, by_currency[cur], n_buckets) for cur in sorted(by_currency)),
                counts=counts,
                segments=_segments(counts, labels),
            )
        )
    return BucketPortfolio(
        labels=labels,
        creditors=tuple(creditors),
        totals=tuple(_currency_row(cur, totals[cur], n_buckets) for cur in sorted(totals)),
    )
