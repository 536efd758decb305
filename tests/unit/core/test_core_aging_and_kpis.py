"""Aging buckets and the receivables KPIs from KPIS.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.aging import DEFAULT_BUCKETS, BucketScheme, InvalidBuckets, days_past_due
from recoup.core.kpis import PeriodSales, art, cei, countback_dso, dso


class TestAging:
    def test_default_buckets_are_the_industry_ladder(self) -> None:
        assert DEFAULT_BUCKETS.labels == ["current", "1-30", "31-60", "61-90", "91-120", "121-180", "180+"]

    @pytest.mark.parametrize(
        ("days", "label"),
        [(0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (180, "121-180"), (181, "180+")],
    )
    def test_boundaries_fall_in_the_right_bucket(self, days: int, label: str) -> None:
        assert DEFAULT_BUCKETS.bucket_for(days).label == label

    @given(st.integers(min_value=0, max_value=100_000))
    def test_every_day_count_is_in_exactly_one_bucket(self, days: int) -> None:
        assert sum(b.contains(days) for b in DEFAULT_BUCKETS.buckets) == 1

    def test_days_past_due_counts_from_the_due_date_and_is_never_negative(self) -> None:
        assert days_past_due(date(2026, 1, 1), date(2026, 3, 1)) == 59
        assert days_past_due(date(2026, 3, 2), date(2026, 3, 1)) == 0
        assert days_past_due(None, date(2026, 3, 1)) == 0

    def test_a_creditor_scheme_is_read_from_its_bounds(self) -> None:
        scheme = BucketScheme.from_config([0, 15, 45])
        assert scheme.labels == ["current", "1-15", "16-45", "45+"]
        assert scheme.to_bounds() == [0, 15, 45]

    @pytest.mark.parametrize("bad", [[30, 60], [0, 60, 30], "30", [0, 30, 30]])
    def test_bad_bounds_are_refused(self, bad: object) -> None:
        with pytest.raises(InvalidBuckets, match="buckets:"):
            BucketScheme.from_config(bad)


class TestKpis:
    def test_dso_is_receivables_over_sales_times_days(self) -> None:
        assert dso(ending_receivables=Decimal(50_000), credit_sales=Decimal(100_000), days_in_period=90) == Decimal(
            "45.00"
        )
        assert dso(ending_receivables=Decimal(1), credit_sales=Decimal(0), days_in_period=30) is None

    def test_countback_walks_back_through_months(self) -> None:
        # 70k of receivables: March's 30k (31 days) and February's 30k (28 days) are covered, then
        # 10k of January's 40k covers a quarter of its 31 days.
        periods = [
            PeriodSales(31, Decimal(30_000)),
            PeriodSales(28, Decimal(30_000)),
            PeriodSales(31, Decimal(40_000)),
        ]
        assert countback_dso(ending_receivables=Decimal(70_000), periods_newest_first=periods) == Decimal("66.75")
        assert countback_dso(ending_receivables=Decimal(200_000), periods_newest_first=periods) is None

    def test_cei_is_collected_over_collectable(self) -> None:
        result = cei(
            beginning_receivables=Decimal(100_000),
            credit_sales=Decimal(50_000),
            ending_total_receivables=Decimal(60_000),
            ending_current_receivables=Decimal(45_000),
        )
        # (100k + 50k - 60k) / (100k + 50k - 45k) = 90k / 105k
        assert result == Decimal("85.71")

    def test_art_is_sales_over_average_receivables(self) -> None:
        assert art(
            credit_sales=Decimal(365_000),
            beginning_receivables=Decimal(40_000),
            ending_receivables=Decimal(60_000),
        ) == Decimal("7.30")
        assert art(credit_sales=Decimal(1), beginning_receivables=Decimal(0), ending_receivables=Decimal(0)) is None
