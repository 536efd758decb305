"""What every range of a daily run decides with (`RunContext`), in a module of its own so that the
stages (`strategies.stages`) can take it without importing the coordinator (`strategies.run`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from recoup.core.strategy import Strategy
from recoup.strategies.models import Run


@dataclass(frozen=True)
class RunContext:
    run: Run
    strategy: Strategy
    as_of: date
    now: datetime
    creditor_ids: dict[str, int]
    currencies: tuple[str, ...]
