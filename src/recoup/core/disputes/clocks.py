"""The legal clocks a dispute or complaint starts, and whether it stops collection, by jurisdiction.

Pure: the Django layer gives the facts (the day it was received in the person's time zone, where they
live, how it came, why, the end of the US validation period) and the days the steps were taken; this
module says which rules apply, what must be done by when, and whether collection must wait.

Rule IDs are those of ../shared/reference/COMPLIANCE.md, and three that docs/disputes.md adds (the
reference lacks them): US-25 (FCRA direct disputes, 12 CFR 1022.43), UK-13 (FCA DISP 1.6, complaint
handling time limits) and AU-10 (ASIC RG 271, internal dispute resolution time limits). Their
numbers are marked "[secondary - verify]" there, as the reference marks its own secondary sources.

Counting. A day "after receipt" starts the day after the day received, in the person's time zone
(a letter opened at 23:30 on a Friday in Los Angeles was received on Friday, though it is Saturday
in UTC). Business days skip weekends and the public holidays `calendars.is_business_day` knows, for
the person's country and UK part; a holiday it does not know (an Australian state holiday, a future
proclamation) counts as a business day, so a deadline can only come out earlier than the law's.
DISP lets a firm treat a complaint received after close of business as received the next business
day; Recoup does not take that extra day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recoup.core.compliance.calendars import add_business_days
from recoup.core.compliance.model import Reason as RuleReason
from recoup.core.compliance.timers import Deadline
from recoup.core.disputes.model import LIABILITY_REASONS, WRITTEN_CHANNELS, Channel, Kind, Reason

FCRA_DIRECT_DISPUTE_DAYS = 30  # 12 CFR 1022.43(e)(1), by reference to FCRA 611(a)(1)
FCRA_ESCALATE_DAYS = 25
DISP_SUMMARY_BUSINESS_DAYS = 3  # DISP 1.5.1R(1)/1.6.2R: resolved by close of the 3rd business day after receipt
DISP_FINAL_RESPONSE_DAYS = 56  # DISP 1.6.2R(1): eight weeks after receipt
DISP_ESCALATE_DAYS = 42
RG271_ACKNOWLEDGE_BUSINESS_DAYS = 1  # RG 271: acknowledge within 24 hours or one business day
RG271_RESPONSE_DAYS = 30  # RG 271: the IDR response within 30 calendar days (standard complaints)
RG271_HARDSHIP_RESPONSE_DAYS = 21  # RG 271: 21 days for hardship notices and default-notice complaints
RG271_ESCALATE_BEFORE = 5


@dataclass(frozen=True)
class DisputeFacts:
    kind: Kind
    country: str
    region: str  # a US state, an Australian state, a UK part ("ENG", "WLS", "SCT", "NIR")
    channel: Channel
    reason: Reason | None  # a dispute's reason; None for a complaint
    received_on: date  # in the person's time zone
    validation_ends: date | None = None  # US-13: the validation period's last day, if a notice was sent
    about_credit_report: bool = False  # a direct dispute of what was furnished to a credit bureau (US-25)
    hardship_or_default: bool = False  # AU-10: about a hardship notice or a default notice (21 days)
    duplicative: bool = False  # US-15: the same dispute as one already answered, with nothing new

    @property
    def written(self) -> bool:
        return self.channel in WRITTEN_CHANNELS

    @property
    def within_validation_period(self) -> bool:
        """Received by the validation period's last day. With no validation notice sent yet the period
        has not run out, so a dispute then counts as within it (the conservative reading)."""
        return self.validation_ends is None or self.received_on <= self.validation_ends


def collection_stop(facts: DisputeFacts) -> RuleReason | None:
    """The rule that stops collection while the dispute is open (the verification hold), or None when
    collection may go on (a complaint about conduct; a US oral dispute, or a written one outside the
    validation period; a UK or Australian dispute not about liability or the amount)."""
    if facts.kind is not Kind.DISPUTE:
        return None
    if facts.country == "US":
        if facts.written and facts.within_validation_period:
            when = "within the validation period" if facts.validation_ends else "before any validation notice"
            words = f"a written dispute {when}: no collection until verification is sent"
            if facts.duplicative:
                words += " (it repeats one already answered: the duplicative notice may be sent instead)"
            return RuleReason("US-15", words)
        return None
    if facts.country == "GB" and facts.reason in LIABILITY_REASONS:
        return RuleReason("UK-05", "the debt is disputed on grounds that may be valid: recovery is suspended")
    if facts.country == "AU" and facts.reason in LIABILITY_REASONS:
        return RuleReason("AU-04", "liability is disputed: collection and default listing are suspended")
    return None


def applicable_rules(facts: DisputeFacts) -> tuple[str, ...]:
    """Every rule ID that governs this dispute or complaint (what the dispute page lists)."""
    rules: list[str] = []
    stop = collection_stop(facts)
    if facts.country == "US":
        if facts.kind is Kind.DISPUTE:
            rules.append("US-15")  # the stop, or the "disputed" flag in credit reporting either way
        if facts.about_credit_report:
            rules.append("US-25")
    elif facts.country == "GB":
        if stop is not None:
            rules.append(stop.rule)
        rules.append("UK-13")
    elif facts.country == "AU":
        if stop is not None:
            rules.append(stop.rule)
        rules.append("AU-10")
    return tuple(rules)


def dispute_clocks(
    facts: DisputeFacts, *, acknowledged_on: date | None = None, answered_on: date | None = None
) -> tuple[Deadline, ...]:
    """The deadlines this dispute or complaint runs, earliest first, each met on the day its step was
    taken (an answer also meets an acknowledgement still due)."""
    received = facts.received_on
    clocks: list[Deadline] = []
    if facts.country == "US" and facts.about_credit_report:
        clocks.append(
            Deadline(
                "US-25",
                "investigate the direct dispute and report the results to the person",
                received + timedelta(days=FCRA_DIRECT_DISPUTE_DAYS),
                received + timedelta(days=FCRA_ESCALATE_DAYS),
                answered_on,
            )
        )
    if facts.country == "GB":
        summary_by = add_business_days(received, DISP_SUMMARY_BUSINESS_DAYS, "GB", facts.region)
        clocks.append(
            Deadline(
                "UK-13",
                "resolve it with a summary resolution communication, or send a written acknowledgement",
                summary_by,
                None,
                _first(acknowledged_on, answered_on),
            )
        )
        clocks.append(
            Deadline(
                "UK-13",
                "send the final response, with the Financial Ombudsman Service referral rights",
                received + timedelta(days=DISP_FINAL_RESPONSE_DAYS),
                received + timedelta(days=DISP_ESCALATE_DAYS),
                answered_on,
            )
        )
    if facts.country == "AU":
        clocks.append(
            Deadline(
                "AU-10",
                "acknowledge the complaint",
                add_business_days(received, RG271_ACKNOWLEDGE_BUSINESS_DAYS, "AU", facts.region),
                None,
                _first(acknowledged_on, answered_on),
            )
        )
        days = RG271_HARDSHIP_RESPONSE_DAYS if facts.hardship_or_default else RG271_RESPONSE_DAYS
        clocks.append(
            Deadline(
                "AU-10",
                f"send the internal dispute resolution response ({days} days"
                + (", a hardship or default notice complaint)" if facts.hardship_or_default else ")"),
                received + timedelta(days=days),
                received + timedelta(days=days - RG271_ESCALATE_BEFORE),
                answered_on,
            )
        )
    return tuple(sorted(clocks, key=lambda clock: clock.due_on))


def _first(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None
