"""Deadlines the law sets after an event, and the gates that wait for them.

- US-11 (§1006.34(a)): validation information within 5 days after the initial communication; we
  escalate on day 3 and block further collection once it is overdue.
- AU-06 (National Credit Code s 72): after a hardship notice, 21 days to ask for information; the
  debtor has 21 days to answer; the decision is due 21 days after the notice when nothing was asked,
  28 days after a request the debtor does not answer, or 21 days after the information arrives.
- AU-07 (s 89A): after a hardship refusal, no enforcement until 14 days have passed.
- UK-07 (Breathing Space Regulations 2020): a standard breathing space lasts 60 days; a mental
  health crisis breathing space lasts until 30 days after the crisis treatment ends, so it has no
  date of its own until then.
- US-17 and US-18 (§1006.30(a); FCRA §605): the credit reporting gate.
- AU-08 (Privacy Act s 21D): the default listing gate.

Every function takes the dates it needs and the day to judge on; nothing reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from recoup.core.compliance.model import Reason

VALIDATION_NOTICE_DAYS = 5
VALIDATION_NOTICE_ESCALATE_DAYS = 3
HARDSHIP_INFO_REQUEST_DAYS = 21
HARDSHIP_DEBTOR_REPLY_DAYS = 21
HARDSHIP_DECISION_DAYS = 21
HARDSHIP_DECISION_AFTER_UNANSWERED_REQUEST_DAYS = 28
HARDSHIP_REFUSAL_ENFORCEMENT_WAIT_DAYS = 14
BREATHING_SPACE_DAYS = 60
FURNISHING_WAIT_DAYS = 14  # US-17, cmt 30(a)(1)-2
OBSOLESCENCE_DAYS = 180  # US-18: 7 years after the 180 days that follow the first delinquency
OBSOLESCENCE_YEARS = 7
AU_LISTING_MIN_OVERDUE_DAYS = 60
AU_LISTING_MIN_AMOUNT = Decimal("150")
AU_LISTING_WAIT_DAYS = 14
# The Credit Reporting Code's gap between the overdue notice and the notice of intention; COMPLIANCE.md
# gives 30 days from a secondary source ("verify"), and the longer reading is the safe one.
AU_LISTING_NOTICE_GAP_DAYS = 30


class DeadlineState(StrEnum):
    MET = "met"
    RUNNING = "running"
    ESCALATE = "escalate"  # still in time, but close: someone should act today
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Deadline:
    """Something that must happen by a day; `met_on` is when it happened, if it has."""

    rule: str
    what: str
    due_on: date
    escalate_on: date | None = None
    met_on: date | None = None

    def state(self, today: date) -> DeadlineState:
        if self.met_on is not None:
            return DeadlineState.MET
        if today > self.due_on:
            return DeadlineState.OVERDUE
        if self.escalate_on is not None and today >= self.escalate_on:
            return DeadlineState.ESCALATE
        return DeadlineState.RUNNING


def validation_notice_deadline(first_communication_on: date, notice_sent_on: date | None) -> Deadline:
    """US-11: the notice is due within 5 days after the initial communication."""
    return Deadline(
        "US-11",
        "send the validation notice",
        first_communication_on + timedelta(days=VALIDATION_NOTICE_DAYS),
        first_communication_on + timedelta(days=VALIDATION_NOTICE_ESCALATE_DAYS),
        notice_sent_on,
    )


def hardship_deadlines(
    *,
    received_on: date,
    info_requested_on: date | None,
    info_received_on: date | None,
    decided_on: date | None,
) -> list[Deadline]:
    """AU-06: the clocks that a hardship notice starts, each met or not."""
    if info_received_on is not None and (info_requested_on is None or info_received_on < info_requested_on):
        raise ValueError("info_received_on: information cannot arrive before it was asked for")
    for name, day in (("info_requested_on", info_requested_on), ("decided_on", decided_on)):
        if day is not None and day < received_on:
            raise ValueError(f"{name}: {day.isoformat()} is before the notice was received ({received_on.isoformat()})")
    ask_by = received_on + timedelta(days=HARDSHIP_INFO_REQUEST_DAYS)
    deadlines = [
        Deadline(
            "AU-06",
            "ask for any information needed to assess the hardship notice",
            ask_by,
            ask_by - timedelta(days=7),
            info_requested_on or decided_on,
        )
    ]
    if info_requested_on is None:
        decide_by = received_on + timedelta(days=HARDSHIP_DECISION_DAYS)
    else:
        reply_by = info_requested_on + timedelta(days=HARDSHIP_DEBTOR_REPLY_DAYS)
        deadlines.append(
            Deadline("AU-06", "the debtor's reply to the information request", reply_by, None, info_received_on)
        )
        if info_received_on is None:
            decide_by = info_requested_on + timedelta(days=HARDSHIP_DECISION_AFTER_UNANSWERED_REQUEST_DAYS)
        else:
            decide_by = info_received_on + timedelta(days=HARDSHIP_DECISION_DAYS)
    deadlines.append(
        Deadline("AU-06", "give the written hardship decision", decide_by, decide_by - timedelta(days=7), decided_on)
    )
    return deadlines


def enforcement_allowed_from(refused_on: date) -> date:
    """AU-07: the first day enforcement may start after a hardship refusal notice given on `refused_on`."""
    return refused_on + timedelta(days=HARDSHIP_REFUSAL_ENFORCEMENT_WAIT_DAYS)


def breathing_space_ends(starts_on: date) -> date:
    """UK-07: the last day of a standard breathing space that starts on `starts_on`."""
    return starts_on + timedelta(days=BREATHING_SPACE_DAYS - 1)


@dataclass(frozen=True)
class Gate:
    """Whether an action may go ahead, every reason it may not, and from when it could."""

    allowed: bool
    reasons: tuple[Reason, ...]
    earliest: date | None  # the first day every time-cured reason is gone; None when time cannot cure one

    @staticmethod
    def of(today: date, blocks: list[tuple[Reason, date | None]]) -> Gate:
        if not blocks:
            return Gate(True, (), today)
        waits = [until for _reason, until in blocks]
        earliest = None if any(w is None for w in waits) else max(w for w in waits if w is not None)
        return Gate(False, tuple(reason for reason, _until in blocks), earliest)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def obsolete_from(first_delinquency: date) -> date:
    """US-18: the day a collection item becomes obsolete (7 years after DOFD + 180 days)."""
    return _add_years(first_delinquency + timedelta(days=OBSOLESCENCE_DAYS), OBSOLESCENCE_YEARS)


def us_furnishing_gate(
    *,
    today: date,
    first_delinquency: date | None,
    conversation_on: date | None,
    message_sent_on: date | None,
    message_undeliverable: bool,
    disputed: bool,
) -> Gate:
    """US-17/US-18/US-15: may this debt be reported to a credit reporting agency today?

    `conversation_on` is the first telephone or in-person conversation about the debt; `message_sent_on`
    the first letter or electronic message about it, and `message_undeliverable` whether it came back.
    """
    blocks: list[tuple[Reason, date | None]] = []
    if conversation_on is not None and conversation_on > today:
        conversation_on = None  # a conversation recorded for a later day has not happened yet
    if first_delinquency is None:
        blocks.append((Reason("US-18", "the date of first delinquency is missing; it must be reported"), None))
    elif today >= obsolete_from(first_delinquency):
        text = f"the item is obsolete since {obsolete_from(first_delinquency).isoformat()} (DOFD + 180 days + 7 years)"
        blocks.append((Reason("US-18", text), None))
    if conversation_on is None:
        if message_sent_on is None:
            text = "nobody has spoken to the person about the debt and no letter or message about it has been sent"
            blocks.append((Reason("US-17", text), None))
        elif message_undeliverable:
            blocks.append((Reason("US-17", "the letter or message about the debt came back undeliverable"), None))
        elif today < message_sent_on + timedelta(days=FURNISHING_WAIT_DAYS):
            until = message_sent_on + timedelta(days=FURNISHING_WAIT_DAYS)
            text = (
                f"the first letter or message was sent on {message_sent_on.isoformat()}; reporting waits "
                f"{FURNISHING_WAIT_DAYS} days for it to come back undeliverable, until {until.isoformat()}"
            )
            blocks.append((Reason("US-17", text), until))
    if disputed:
        blocks.append((Reason("US-15", "the debt is disputed; it is not reported until the dispute is resolved"), None))
    gate = Gate.of(today, blocks)
    if (
        gate.earliest is not None
        and first_delinquency is not None
        and gate.earliest >= obsolete_from(first_delinquency)
    ):
        return Gate(False, gate.reasons, None)  # by the time the wait ends the item is obsolete
    return gate


def au_listing_gate(
    *,
    today: date,
    overdue_since: date | None,
    overdue_amount: Decimal,
    overdue_notice_on: date | None,
    intent_notice_on: date | None,
    time_barred: bool,
    disputed: bool,
) -> Gate:
    """AU-08 (and AU-04, AU-05): may this consumer credit default be listed with a credit reporting body?"""
    blocks: list[tuple[Reason, date | None]] = []
    if overdue_since is None:
        blocks.append((Reason("AU-08", "nothing is overdue"), None))
    elif today < overdue_since + timedelta(days=AU_LISTING_MIN_OVERDUE_DAYS):
        until = overdue_since + timedelta(days=AU_LISTING_MIN_OVERDUE_DAYS)
        text = f"the payment is not yet {AU_LISTING_MIN_OVERDUE_DAYS} days overdue (it will be on {until.isoformat()})"
        blocks.append((Reason("AU-08", text), until))
    if overdue_amount < AU_LISTING_MIN_AMOUNT:
        blocks.append(
            (Reason("AU-08", f"the overdue amount {overdue_amount} is under A${AU_LISTING_MIN_AMOUNT}"), None)
        )
    if overdue_notice_on is None:
        blocks.append((Reason("AU-08", "no written overdue notice asking for payment has been sent"), None))
    if intent_notice_on is None:
        blocks.append((Reason("AU-08", "no notice of intention to list the default has been sent"), None))
    elif overdue_notice_on is not None and intent_notice_on < overdue_notice_on + timedelta(
        days=AU_LISTING_NOTICE_GAP_DAYS
    ):
        text = (
            f"the notice of intention ({intent_notice_on.isoformat()}) must come at least "
            f"{AU_LISTING_NOTICE_GAP_DAYS} days after the overdue notice ({overdue_notice_on.isoformat()}); "
            "send it again"
        )
        blocks.append((Reason("AU-08", text), None))
    elif today < intent_notice_on + timedelta(days=AU_LISTING_WAIT_DAYS):
        until = intent_notice_on + timedelta(days=AU_LISTING_WAIT_DAYS)
        text = f"listing waits {AU_LISTING_WAIT_DAYS} days after the notice of intention, until {until.isoformat()}"
        blocks.append((Reason("AU-08", text), until))
    if time_barred:
        blocks.append((Reason("AU-05", "the debt is statute-barred"), None))
    if disputed:
        blocks.append((Reason("AU-04", "liability is disputed; listing is suspended"), None))
    return Gate.of(today, blocks)
