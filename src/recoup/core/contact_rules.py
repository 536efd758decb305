"""What a debtor's record allows at all, before the hour and the history are asked: which accounts are
open, what each hold blocks and while it is in force, and which numbers and addresses a channel can use.

Each rule is data and a predicate, with the SQL that the daily run and the lists use written beside it
from the same data. The compliance gate, the messages and the daily run's screen all read them from
here; `tests/integration/compliance/test_contact_rules_sql.py` checks on random records that each SQL
fragment and its predicate agree, on SQLite and on PostgreSQL.

The SQL fragments hold only constants from this module (statuses, hold kinds, channel names); values
known at run time are parameters, named in each fragment's docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from recoup.core.account_status import AccountStatus
from recoup.core.compliance.model import Channel, Purpose

# Accounts -------------------------------------------------------------------------------------------

OPEN_STATUSES: tuple[str, ...] = (
    AccountStatus.ACTIVE,
    AccountStatus.IN_ARRANGEMENT,
    AccountStatus.ON_HOLD,
    AccountStatus.DISPUTED,
    AccountStatus.LEGAL,
)
"""Statuses an officer still works (queues, Home, Team, the daily run, matching bank lines); the
others (settled, paid, written off, recalled, closed) are outcomes."""

CLOSED_STATUSES: tuple[str, ...] = tuple(s.value for s in AccountStatus if s not in OPEN_STATUSES)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def open_status_sql(column: str) -> str:
    """`column` is one of OPEN_STATUSES (no parameters)."""
    return f"{column} IN ({', '.join(repr(str(s)) for s in OPEN_STATUSES)})"


# Holds ----------------------------------------------------------------------------------------------


class HoldKind:
    """The kinds of hold (compliance.models.Hold.Kind holds the same values, with their labels)."""

    DISPUTE = "dispute"
    CEASE_COMMUNICATION = "cease_communication"
    REPRESENTED = "represented"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    HARDSHIP = "hardship"
    BREATHING_SPACE = "breathing_space"
    BREATHING_SPACE_MHC = "breathing_space_mhc"
    VULNERABILITY = "vulnerability"
    DO_NOT_CONTACT = "do_not_contact"


@dataclass(frozen=True)
class HoldRule:
    """What a hold of `kind` does to contact, and the rule it rests on."""

    kind: str
    rule: str
    words: str
    blocks: bool = True
    """False for a hold the gate shows as a warning only (hardship, vulnerability)."""
    per_channel: bool = False
    """True for a do-not-contact hold, which blocks only the channel it names."""
    by_country: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Where the debtor lives under another law, the rule it rests on there (by the debtor's country)."""
    allows: frozenset[Purpose] = frozenset()
    """Purposes a contact may still have while the hold is in force (US-04's notices, US-07's confirmation)."""
    stops_plans: str = ""
    """Why no payment arrangement may be made while the hold is in force; empty where one may."""
    stops_enforcement: tuple[str, str] | None = None
    """The rule and the reason no default notice or other enforcement step may be taken; None where it may."""

    def rule_for(self, country: str) -> str:
        return self.by_country.get(country, self.rule)


HOLD_RULES: tuple[HoldRule, ...] = (
    HoldRule(
        HoldKind.CEASE_COMMUNICATION,
        "US-04",
        "the person asked in writing that we stop contacting them",
        allows=frozenset({Purpose.CEASE_NOTICE}),
        stops_enforcement=("US-04", "the person asked us to stop; only the three allowed notices may be sent"),
    ),
    HoldRule(HoldKind.REPRESENTED, "US-03", "the person is represented; contact the representative instead"),
    HoldRule(
        HoldKind.DISPUTE,
        "US-15",
        "the debt is disputed and collection waits until it is verified",
        by_country=MappingProxyType({"GB": "UK-05", "AU": "AU-04"}),
        allows=frozenset({Purpose.STATEMENT, Purpose.REQUIRED_NOTICE}),
        stops_plans="the debt is disputed; collection waits until it is verified (US-15, UK-05, AU-04)",
        stops_enforcement=("UK-05", "the debt is disputed"),
    ),
    HoldRule(
        HoldKind.BANKRUPTCY,
        "HOLD-BANKRUPTCY",
        "the person is in bankruptcy; collection is stayed",
        stops_plans="the person is in bankruptcy; collection is stayed",
        stops_enforcement=("HOLD-BANKRUPTCY", "the person is in bankruptcy"),
    ),
    HoldRule(
        HoldKind.DECEASED,
        "HOLD-DECEASED",
        "the person has died; contact only the estate's representative",
        stops_plans="the person has died; deal with the estate's representative",
        stops_enforcement=("HOLD-DECEASED", "the person has died"),
    ),
    HoldRule(
        HoldKind.BREATHING_SPACE,
        "UK-07",
        "breathing space: no contact asking for payment until it ends",
        allows=frozenset({Purpose.STATEMENT, Purpose.REQUIRED_NOTICE}),
        stops_plans="breathing space: no payment may be asked for until it ends (UK-07)",
        stops_enforcement=("UK-07", "breathing space: no enforcement until it ends"),
    ),
    HoldRule(
        HoldKind.BREATHING_SPACE_MHC,
        "UK-07",
        "mental health crisis breathing space: no contact asking for payment until 30 days after treatment ends",
        allows=frozenset({Purpose.STATEMENT, Purpose.REQUIRED_NOTICE}),
        stops_plans="mental health crisis breathing space: no payment may be asked for (UK-07)",
        stops_enforcement=("UK-07", "mental health crisis breathing space: no enforcement"),
    ),
    HoldRule(
        HoldKind.DO_NOT_CONTACT,
        "US-07",
        "the person asked not to be contacted on this channel",
        per_channel=True,
        allows=frozenset({Purpose.OPT_OUT_CONFIRMATION}),
    ),
    HoldRule(
        HoldKind.HARDSHIP,
        "AU-06",
        "a hardship notice is being assessed; no enforcement, take care with demands",
        blocks=False,
    ),
    HoldRule(
        HoldKind.VULNERABILITY, "UK-01", "the person is vulnerable; follow the vulnerability procedure", blocks=False
    ),
)
"""Every kind of hold, blocking ones first in the gate's order: where several holds apply, the first
names the rule a refusal gives."""

HOLD_RULE: Mapping[str, HoldRule] = MappingProxyType({rule.kind: rule for rule in HOLD_RULES})

PURPOSE_WORDS: Mapping[Purpose, str] = MappingProxyType(
    {
        Purpose.STATEMENT: "statements the law requires",
        Purpose.REQUIRED_NOTICE: "notices the law requires",
        Purpose.CEASE_NOTICE: "the three notices US-04 allows (no further contact, remedies we may or will use)",
        Purpose.OPT_OUT_CONFIRMATION: "one confirmation of the opt-out",
        Purpose.VALIDATION_NOTICE: "the validation notice",
        Purpose.EXTINGUISHED_NOTICE: "telling the person the debt is extinguished",
    }
)


def still_allowed(kind: str) -> str:
    """What a hold of `kind` still lets through, in words for the account page ("" when nothing)."""
    rule = HOLD_RULE.get(kind)
    if rule is None or not rule.blocks or not rule.allows:
        return ""
    words = [PURPOSE_WORDS.get(purpose, purpose.value.replace("_", " ")) for purpose in sorted(rule.allows)]
    return " and ".join(words) + ", none asking for payment"


BLOCKING_HOLDS: tuple[HoldRule, ...] = tuple(rule for rule in HOLD_RULES if rule.blocks)
HELD_KINDS: tuple[str, ...] = tuple(rule.kind for rule in BLOCKING_HOLDS if not rule.per_channel)
"""Holds that stop all collection contact on the account ("held" in segments and the queue)."""


def hold_in_force(*, starts_at: datetime, ends_at: datetime | None, lifted_at: datetime | None, at: datetime) -> bool:
    """Whether a hold applies at `at`: started, not yet ended (an end is exclusive), never lifted."""
    return lifted_at is None and starts_at <= at and (ends_at is None or at < ends_at)


def hold_in_force_sql(alias: str) -> str:
    """The hold row `alias` is in force; parameters: `at`, `at`."""
    return (
        f"{alias}.starts_at <= %s AND {alias}.lifted_at IS NULL AND ({alias}.ends_at IS NULL OR {alias}.ends_at > %s)"
    )


def hold_blocks(kind: str, hold_channel: str, channel: str) -> bool:
    """Whether a hold of `kind` (on `hold_channel`, for a do-not-contact) blocks a collection contact
    on `channel`. A kind not listed blocks nothing."""
    rule = HOLD_RULE.get(kind)
    if rule is None or not rule.blocks:
        return False
    return not rule.per_channel or hold_channel == channel


def held_sql(alias: str) -> str:
    """The hold row `alias` is one that stops all collection contact (HELD_KINDS; no parameters)."""
    return f"{alias}.kind IN ({', '.join(repr(kind) for kind in HELD_KINDS)})"


# Numbers and addresses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointNeed:
    """The contact point a channel goes to: its kind, and for a text, a mobile number."""

    kind: str
    phone_type: str = ""
    """When set, only a phone of this type will do."""

    def served_by(self, *, kind: str, phone_type: str, do_not_contact: bool) -> bool:
        return kind == self.kind and (not self.phone_type or phone_type == self.phone_type) and not do_not_contact

    def sql(self, alias: str) -> str:
        """The contact point row `alias` can carry the channel (no parameters)."""
        condition = f"{alias}.kind = '{self.kind}'"
        if self.phone_type:
            condition += f" AND {alias}.phone_type = '{self.phone_type}'"
        # A boolean compared to a constant both databases read the same way (SQLite stores 0 and 1).
        return condition + f" AND {alias}.do_not_contact = {FALSE_SQL}"


FALSE_SQL = "(1 = 0)"
POINT_NEEDS: Mapping[str, PointNeed] = MappingProxyType(
    {
        Channel.CALL: PointNeed("phone"),
        Channel.SMS: PointNeed("phone", phone_type="mobile"),
        Channel.EMAIL: PointNeed("email"),
    }
)
"""The channels that go to a phone number or email address; letters and visits go to the postal address."""

POSTAL_FIELDS: tuple[str, ...] = ("address_line1", "city", "postal_code")
"""What a letter needs: a first line, a town and a postcode, each more than blanks."""


def has_postal_address(*, address_line1: str, city: str, postal_code: str) -> bool:
    return all(value.strip(" ") for value in (address_line1, city, postal_code))  # as SQL TRIM


def postal_address_sql(alias: str) -> str:
    """The debtor row `alias` has a postal address a letter can go to (no parameters)."""
    return " AND ".join(f"TRIM({alias}.{name}) <> ''" for name in POSTAL_FIELDS)


def reachable_sql(channel: str, debtor: str) -> str:
    """The debtor whose id is the SQL expression `debtor` has something `channel` can go to: a usable
    contact point of the right kind, or for a letter or visit, a postal address (no parameters)."""
    need = POINT_NEEDS.get(channel)
    if need is None:
        postal = postal_address_sql("pd")
        return f"EXISTS (SELECT 1 FROM parties_debtor pd WHERE pd.id = {debtor} AND {postal})"  # noqa: S608 - constants
    usable = need.sql("pc")
    return f"EXISTS (SELECT 1 FROM parties_contact_point pc WHERE pc.debtor_id = {debtor} AND {usable})"  # noqa: S608
