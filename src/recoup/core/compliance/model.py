"""The vocabulary of contact compliance: a proposed contact, past contacts, findings and decisions.

Every type is frozen so a decision can be stored, compared and replayed as evidence. Times are aware
datetimes; the rules turn them into the debtor's local time themselves, so nothing here assumes a zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class InvalidContact(ValueError):
    """A contact with a naive time or a time zone name the IANA database does not know."""


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"


class Outcome(StrEnum):
    """What happened to a past contact; the frequency rules count some outcomes and not others."""

    CONNECTED_CONVERSATION = "connected_conversation"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"  # it rang and nobody answered
    NOT_CONNECTED = "not_connected"  # busy, not in service: the call never reached the person
    DELIVERED = "delivered"  # an SMS, email or letter that reached the person


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"  # the debtor contacted us


class Purpose(StrEnum):
    """Why a contact is made; a few purposes stay allowed where collection contact is not."""

    COLLECTION = "collection"
    VALIDATION_NOTICE = "validation_notice"  # US-11/US-12: the notice itself
    CEASE_NOTICE = "cease_notice"  # US-04: one of the three notices allowed after a cease request
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"  # US-07/US-24: the one confirmation of an opt-out
    EXTINGUISHED_NOTICE = "extinguished_notice"  # UK-06/AU-05: telling the person the debt is extinguished
    # UK-07: a statement or notice the law still requires during a breathing space (a Consumer Credit
    # Act statement, an arrears notice), which must not ask for payment.
    STATEMENT = "statement"
    REQUIRED_NOTICE = "required_notice"


# Purposes whose messages must not ask for payment: what lets them through a hold that stops collection,
# or to a debt that is extinguished.
NO_PAYMENT_REQUEST = frozenset(
    {Purpose.STATEMENT, Purpose.REQUIRED_NOTICE, Purpose.CEASE_NOTICE, Purpose.EXTINGUISHED_NOTICE}
)


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidContact(f"{what}: the time {value.isoformat()} has no time zone; give an aware datetime")


@dataclass(frozen=True)
class ContactRequest:
    """A contact someone proposes to make at `at`.

    `time_zones` lists every IANA zone the person may plausibly be in (address, phone area codes, IP);
    the hours rules must hold in all of them. An empty tuple means the location is unknown.
    """

    channel: Channel
    at: datetime
    person_id: str
    debt_id: str
    time_zones: tuple[str, ...] = ()
    purpose: Purpose = Purpose.COLLECTION
    # US-08: the person gave their prior consent directly, within the last 7 days, to a call at this time.
    consented: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.at, "contact request")
        for name in self.time_zones:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise InvalidContact(f"contact request: unknown time zone {name!r}") from error

    def zones(self) -> tuple[ZoneInfo, ...]:
        return tuple(ZoneInfo(name) for name in dict.fromkeys(self.time_zones))


@dataclass(frozen=True)
class PastContact:
    """One contact or attempt from the ledger, whatever its outcome.

    `debt_id` is the debt it was recorded against; `also_about` the other debts of the same person it
    was about (a call about two accounts). Regulation F counts it toward each of them (US-08).
    """

    at: datetime
    channel: Channel
    person_id: str
    debt_id: str
    outcome: Outcome
    direction: Direction = Direction.OUTBOUND
    consented: bool = False  # US-08: made with the person's direct prior consent, so not counted
    also_about: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.at, "past contact")

    def concerns(self, request: ContactRequest) -> bool:
        """The same person, and the request's debt among those it was about: the key every per-debt
        frequency rule counts by."""
        return self.person_id == request.person_id and (
            self.debt_id == request.debt_id or request.debt_id in self.also_about
        )

    @property
    def debts(self) -> tuple[str, ...]:
        """Every debt the contact was about, the one it was recorded against first."""
        return (self.debt_id, *(debt for debt in self.also_about if debt != self.debt_id))


@dataclass(frozen=True)
class Reason:
    """A rule ID from COMPLIANCE.md (or a firm-policy ID) and words a collector understands."""

    rule: str
    text: str


@dataclass(frozen=True)
class Finding:
    """What one rule says about one request.

    For a block, `until` is the earliest time at which this rule alone would stop blocking, or None
    when waiting cannot cure it (for example an unknown time zone).
    """

    severity: Severity
    reason: Reason
    until: datetime | None = None


@dataclass(frozen=True)
class Allowance:
    """How much of a frequency limit is used: `used` of `limit` counted `what` in the `days` local days
    ending with the request's day (the busiest of the person's zones). What an officer reads as
    "attempts left this week"; the limit itself is enforced by the pack's `check`."""

    rule: str
    what: str
    used: int
    limit: int
    days: int

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    def describe(self) -> str:
        period = {1: "today", 7: "in 7 days", 30: "in 30 days"}.get(self.days, f"in {self.days} days")
        return f"{self.used} of {self.limit} {self.what} {period} ({self.left} left)"


@dataclass(frozen=True)
class Decision:
    """The answer for a proposed contact.

    `next_allowed` is `request.at` when the contact is allowed, the earliest later time at which every
    rule would allow it when it is blocked for reasons time cures, and None otherwise.
    """

    allowed: bool
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    next_allowed: datetime | None


class RulePack(Protocol):
    """A set of rules for one jurisdiction or policy; `check` returns what each rule found."""

    @property
    def name(self) -> str: ...

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]: ...

    # A pack with frequency limits may also define
    # `allowances(request, history) -> Sequence[Allowance]`: how much of each limit is used.
