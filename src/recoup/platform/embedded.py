"""Whether this process runs the embedded clock (`recoup serve` without a Celery broker).

Set by the clock when it starts; read by pages that say what delivers messages, so that what they say
is what runs in this process.
"""

from __future__ import annotations

from datetime import datetime


class EmbeddedClock:
    started_at: datetime | None = None

    @classmethod
    def running(cls) -> bool:
        return cls.started_at is not None
