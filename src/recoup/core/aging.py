"""Aging: days past due and the buckets they fall in, as of a given date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


class InvalidBuckets(ValueError):
    """Bucket boundaries that leave a gap, overlap, or do not start at zero days."""


@dataclass(frozen=True)
class Bucket:
    """Days past due from `min_days` to `max_days` inclusive; `max_days` None means no upper end."""

    label: str
    min_days: int
    max_days: int | None

    def contains(self, days: int) -> bool:
        return days >= self.min_days and (self.max_days is None or days <= self.max_days)


@dataclass(frozen=True)
class BucketScheme:
    buckets: tuple[Bucket, ...]

    def __post_init__(self) -> None:
        if not self.buckets:
            raise InvalidBuckets("buckets: at least one is needed")
        expected = 0
        for index, bucket in enumerate(self.buckets):
            if bucket.min_days != expected:
                raise InvalidBuckets(f"buckets: '{bucket.label}' starts at {bucket.min_days} days, expected {expected}")
            last = index == len(self.buckets) - 1
            if bucket.max_days is None:
                if not last:
                    raise InvalidBuckets(f"buckets: only the last may be open-ended, not '{bucket.label}'")
                break
            if bucket.max_days < bucket.min_days:
                raise InvalidBuckets(f"buckets: '{bucket.label}' ends before it starts")
            expected = bucket.max_days + 1
        if self.buckets[-1].max_days is not None:
            raise InvalidBuckets("buckets: the last must be open-ended (e.g. 180+)")

    @classmethod
    def from_bounds(cls, upper_bounds: Sequence[int]) -> BucketScheme:
        """Buckets from their upper bounds: (0, 30, 60) gives current, 1-30, 31-60, 61+."""
        buckets: list[Bucket] = []
        lower = 0
        for upper in upper_bounds:
            label = "current" if upper == 0 else f"{lower}-{upper}"
            buckets.append(Bucket(label, lower, upper))
            lower = upper + 1
        buckets.append(Bucket(f"{lower - 1}+" if lower > 1 else "1+", lower, None))
        return cls(tuple(buckets))

    def to_bounds(self) -> list[int]:
        return [b.max_days for b in self.buckets if b.max_days is not None]

    @classmethod
    def from_config(cls, data: Any) -> BucketScheme:
        """Read the upper bounds stored per creditor (a list of whole numbers of days)."""
        if not isinstance(data, list) or not all(isinstance(x, int) for x in data):
            raise InvalidBuckets("buckets: give a list of whole-day upper bounds, such as [0, 30, 60, 90]")
        if sorted(set(data)) != data or (data and data[0] != 0):
            raise InvalidBuckets("buckets: upper bounds must rise and start with 0 (current)")
        return cls.from_bounds(data)

    def bucket_for(self, days_past_due: int) -> Bucket:
        for bucket in self.buckets:
            if bucket.contains(days_past_due):
                return bucket
        raise InvalidBuckets(f"days past due {days_past_due} is in no bucket")

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buckets]


DEFAULT_BUCKET_BOUNDS = (0, 30, 60, 90, 120, 180)
DEFAULT_BUCKETS = BucketScheme.from_bounds(DEFAULT_BUCKET_BOUNDS)


def days_past_due(due_date: date | None, as_of: date) -> int:
    """Whole days from the due date to `as_of`; zero when not yet due or nothing is due."""
    if due_date is None:
        return 0
    return max(0, (as_of - due_date).days)
