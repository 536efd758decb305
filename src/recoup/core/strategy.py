"""Collection strategies: segments, treatment paths and champion/challenger splits.

A strategy is an ordered list of segments. Each segment has conditions over account facts; an account
belongs to the first segment whose conditions it meets, so the last segment must have none (it catches
every account the others leave). A segment runs one or more treatment paths with set percentages; which
path an account gets is decided by a stable hash of the account's id and the segment, so the same account
always gets the same path in the same segment and the split is random with respect to everything else.
A path is a list of steps, each on a day after the account entered the path or on an event.

This module is pure: it parses and checks a strategy from plain data (YAML or form input), writes it back,
and decides segments and paths for facts given in Python. The database run compiles the same rules to SQL
(`recoup.strategies.compiler`), and tests check that the two agree.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from recoup.core.contact_rules import OPEN_STATUSES

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
ARRANGEMENT_KINDS = ("none", "promise", "plan", "settlement")
CALL_OUTCOMES = (
    "connected_conversation",
    "voicemail",
    "no_answer",
    "not_connected",
    "delivered",
    "none",
)
MAX_DAY = 3650
HASH_MULTIPLIER = 2654435761  # Knuth's multiplicative hash; the SQL uses the same arithmetic
HASH_SPACE = 2**32


class InvalidStrategy(ValueError):
    """A strategy definition with problems; `problems` names each one by where it is."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class ActionKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    CALL = "call"
    FEE = "fee"
    STATUS = "status"
    LEGAL_REVIEW = "legal_review"
    WAIT = "wait"


ACTION_LABELS = {
    ActionKind.EMAIL: "Send an email",
    ActionKind.SMS: "Send a text message",
    ActionKind.LETTER: "Send a letter",
    ActionKind.CALL: "Queue for a call",
    ActionKind.FEE: "Apply a fee",
    ActionKind.STATUS: "Change the account's status",
    ActionKind.LEGAL_REVIEW: "Flag for legal review",
    ActionKind.WAIT: "Wait",
}
MESSAGE_ACTIONS = frozenset({ActionKind.EMAIL, ActionKind.SMS, ActionKind.LETTER})
CONTACT_ACTIONS = MESSAGE_ACTIONS | {ActionKind.CALL}
STATUS_TARGETS = ("active", "on_hold", "legal")


class Event(StrEnum):
    # A promised payment or a plan's instalment missed (marked broken or partly kept that day).
    ARRANGEMENT_BROKEN = "arrangement_broken"


@dataclass(frozen=True)
class Conditions:
    """What an account must meet to be in a segment; an empty field does not restrict."""

    dpd_min: int | None = None
    dpd_max: int | None = None
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    products: tuple[str, ...] = ()
    creditors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    arrangements: tuple[str, ...] = ()
    held: bool | None = None
    last_outcomes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self == Conditions()


@dataclass(frozen=True)
class Step:
    """One thing a path does: on `day` days after the account entered the path, or on an event."""

    action: ActionKind
    day: int | None = None
    event: Event | None = None
    template: str = ""
    priority: int = 0
    amount: Decimal | None = None
    status: str = ""
    note: str = ""

    def describe(self) -> str:
        when = f"day {self.day}" if self.day is not None else f"when {str(self.event).replace('_', ' ')}"
        what = ACTION_LABELS[self.action]
        if self.action in MESSAGE_ACTIONS:
            what += f" ({self.template})"
        elif self.action is ActionKind.CALL:
            what += f" (priority {self.priority})"
        elif self.action is ActionKind.FEE:
            what += f" of {self.amount}"
        elif self.action is ActionKind.STATUS:
            what += f" to {self.status}"
        return f"{when}: {what}"


@dataclass(frozen=True)
class Path:
    name: str
    label: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Segment:
    name: str
    label: str
    when: Conditions
    paths: tuple[tuple[str, int], ...]  # (path name, percent), percents sum to 100


@dataclass(frozen=True)
class Strategy:
    segments: tuple[Segment, ...]
    paths: Mapping[str, Path] = field(default_factory=dict)
    seed: int = 1

    def segment(self, name: str) -> Segment:
        return next(s for s in self.segments if s.name == name)


@dataclass(frozen=True)
class AccountFacts:
    """What segmentation reads about one account on the run's date."""

    account_id: int
    dpd: int
    balance: Decimal
    product: str = ""
    creditor: str = ""
    country: str = ""
    region: str = ""
    status: str = "active"
    arrangement: str = "none"
    held: bool = False
    last_outcome: str = "none"


def _dpd_range_of_bucket(label: str) -> tuple[int, int | None]:
    """A bucket label as the aging report writes it ("current", "31-60", "181+") as a day range."""
    if label == "current":
        return 0, 0
    if match := re.fullmatch(r"(\d+)-(\d+)", label):
        low, high = int(match[1]), int(match[2])
        if low <= high:
            return low, high
    if match := re.fullmatch(r"(\d+)\+", label):
        return int(match[1]), None
    raise ValueError(f"{label!r} is not a bucket such as current, 31-60 or 181+")


def _whole(value: Any, where: str, problems: list[str], *, low: int = 0, high: int = MAX_DAY) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{where}: {value!r} is not a whole number")
        return None
    if not low <= value <= high:
        problems.append(f"{where}: {value} is outside {low} to {high}")
        return None
    return value


def _amount(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, (bool, float)):
        problems.append(f"{where}: write amounts as text or whole numbers, such as '500.00', not {value!r}")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{where}: {value!r} is not an amount")
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -4:  # type: ignore[operator]
        problems.append(f"{where}: {value!r} must be zero or more, with at most 4 decimal places")
        return None
    return amount


def _names(
    value: Any, where: str, problems: list[str], *, allowed: Sequence[str] = (), upper: bool = False
) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        problems.append(f"{where}: expected a list of names")
        return ()
    names = tuple(dict.fromkeys(v.strip().upper() if upper else v.strip() for v in items))
    if allowed:
        for name in names:
            if name not in allowed:
                problems.append(f"{where}: {name!r} is not one of {', '.join(allowed)}")
    return names


CONDITION_KEYS = (
    "dpd_min",
    "dpd_max",
    "bucket",
    "balance_min",
    "balance_max",
    "products",
    "creditors",
    "countries",
    "regions",
    "statuses",
    "arrangements",
    "held",
    "last_outcomes",
)


def _conditions(data: Any, where: str, problems: list[str]) -> Conditions:
    if data is None:
        return Conditions()
    if not isinstance(data, Mapping):
        problems.append(f"{where}: expected a mapping of conditions")
        return Conditions()
    for key in data:
        if key not in CONDITION_KEYS:
            problems.append(f"{where}.{key}: unknown condition (known: {', '.join(CONDITION_KEYS)})")
    dpd_min = _whole(data.get("dpd_min"), f"{where}.dpd_min", problems, high=100_000)
    dpd_max = _whole(data.get("dpd_max"), f"{where}.dpd_max", problems, high=100_000)
    if data.get("bucket") is not None:
        if dpd_min is not None or dpd_max is not None:
            problems.append(f"{where}.bucket: give a bucket or dpd_min/dpd_max, not both")
        else:
            try:
                dpd_min, dpd_max = _dpd_range_of_bucket(str(data["bucket"]))
            except ValueError as error:
                problems.append(f"{where}.bucket: {error}")
    if dpd_min is not None and dpd_max is not None and dpd_min > dpd_max:
        problems.append(f"{where}: dpd_min {dpd_min} is more than dpd_max {dpd_max}")
    balance_min = _amount(data.get("balance_min"), f"{where}.balance_min", problems)
    balance_max = _amount(data.get("balance_max"), f"{where}.balance_max", problems)
    if balance_min is not None and balance_max is not None and balance_min > balance_max:
        problems.append(f"{where}: balance_min {balance_min} is more than balance_max {balance_max}")
    held = data.get("held")
    if held is not None and not isinstance(held, bool):
        problems.append(f"{where}.held: write true or false, not {held!r}")
        held = None
    return Conditions(
        dpd_min=dpd_min,
        dpd_max=dpd_max,
        balance_min=balance_min,
        balance_max=balance_max,
        products=_names(data.get("products"), f"{where}.products", problems),
        creditors=_names(data.get("creditors"), f"{where}.creditors", problems),
        countries=_names(data.get("countries"), f"{where}.countries", problems, upper=True),
        regions=_names(data.get("regions"), f"{where}.regions", problems, upper=True),
        statuses=_names(data.get("statuses"), f"{where}.statuses", problems, allowed=OPEN_STATUSES),
        arrangements=_names(data.get("arrangements"), f"{where}.arrangements", problems, allowed=ARRANGEMENT_KINDS),
        held=held,
        last_outcomes=_names(data.get("last_outcomes"), f"{where}.last_outcomes", problems, allowed=CALL_OUTCOMES),
    )


STEP_KEYS = ("day", "event", "action", "template", "priority", "amount", "status", "note")


def _step(data: Any, where: str, problems: list[str]) -> Step | None:
    if not isinstance(data, Mapping):
        problems.append(f"{where}: expected a mapping with day (or event) and action")
        return None
    for key in data:
        if key not in STEP_KEYS:
            problems.append(f"{where}.{key}: unknown field (known: {', '.join(STEP_KEYS)})")
    try:
        action = ActionKind(str(data.get("action")))
    except ValueError:
        problems.append(
            f"{where}.action: {data.get('action')!r} is not one of {', '.join(a.value for a in ActionKind)}"
        )
        return None
    day = _whole(data.get("day"), f"{where}.day", problems)
    event = None
    if data.get("event") is not None:
        try:
            event = Event(data["event"])
        except ValueError:
            problems.append(f"{where}.event: {data['event']!r} is not one of {', '.join(e.value for e in Event)}")
    if data.get("day") is None and data.get("event") is None:
        problems.append(f"{where}: give the day after entering the path, or an event")
    elif data.get("day") is not None and data.get("event") is not None:
        problems.append(f"{where}: give a day or an event, not both")
    template = str(data.get("template") or "").strip()
    if action in MESSAGE_ACTIONS and not template:
        problems.append(f"{where}.template: a {action.value} step needs the code of a template")
    priority = 0
    if action is ActionKind.CALL:
        priority = _whole(data.get("priority", 5), f"{where}.priority", problems, low=1, high=9) or 5
    amount = None
    if action is ActionKind.FEE:
        amount = _amount(data.get("amount"), f"{where}.amount", problems)
        if amount is None or amount == 0:
            problems.append(f"{where}.amount: a fee step needs an amount above zero")
    status = str(data.get("status") or "")
    if action is ActionKind.STATUS and status not in STATUS_TARGETS:
        problems.append(f"{where}.status: {status!r} is not one of {', '.join(STATUS_TARGETS)}")
    note = str(data.get("note") or "")[:200]
    return Step(action, day, event, template, priority, amount, status, note)


def _name(value: Any, where: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not NAME.match(value):
        problems.append(f"{where}: {value!r} must be 1-40 lower-case letters, digits, '-' or '_'")
        return ""
    return value


def parse_strategy(data: Any) -> Strategy:
    """Read a strategy from plain data (parsed YAML, or what the editor built); raise InvalidStrategy
    naming every problem by where it is, such as `segments[2].paths.gentle: percent must be 1 to 100`."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise InvalidStrategy(["the strategy must be a mapping with segments and paths"])
    for key in data:
        if key not in ("seed", "segments", "paths"):
            problems.append(f"{key}: unknown field (known: seed, segments, paths)")
    seed = _whole(data.get("seed", 1), "seed", problems, high=2**31) or 0
    paths: dict[str, Path] = {}
    raw_paths = data.get("paths")
    if not isinstance(raw_paths, Mapping) or not raw_paths:
        problems.append("paths: at least one path is needed")
        raw_paths = {}
    for path_name, body in raw_paths.items():
        where = f"paths.{path_name}"
        name = _name(path_name, where, problems)
        if not isinstance(body, Mapping):
            problems.append(f"{where}: expected a mapping with label and steps")
            continue
        raw_steps = body.get("steps") or []
        if not isinstance(raw_steps, list):
            problems.append(f"{where}.steps: expected a list")
            raw_steps = []
        steps = [s for i, raw in enumerate(raw_steps) if (s := _step(raw, f"{where}.steps[{i + 1}]", problems))]
        days = [s.day for s in steps if s.day is not None]
        for day in sorted({d for d in days if days.count(d) > 1}):
            problems.append(f"{where}: two steps on day {day}; one action per day keeps contact paced")
        ordered = tuple(sorted(steps, key=lambda s: (s.day is None, s.day or 0, str(s.event or ""))))
        if name:
            paths[name] = Path(name, str(body.get("label") or name)[:100], ordered)
    segments: list[Segment] = []
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list) or not raw_segments:
        problems.append("segments: at least one segment is needed")
        raw_segments = []
    used: set[str] = set()
    for index, body in enumerate(raw_segments, start=1):
        where = f"segments[{index}]"
        if not isinstance(body, Mapping):
            problems.append(f"{where}: expected a mapping with name, when and paths")
            continue
        for key in body:
            if key not in ("name", "label", "when", "paths"):
                problems.append(f"{where}.{key}: unknown field (known: name, label, when, paths)")
        name = _name(body.get("name"), f"{where}.name", problems)
        if name in used:
            problems.append(f"{where}.name: {name!r} is used twice")
        used.add(name)
        when = _conditions(body.get("when"), f"{where}.when", problems)
        shares: list[tuple[str, int]] = []
        raw_shares = body.get("paths")
        if isinstance(raw_shares, str):
            raw_shares = {raw_shares: 100}
        if not isinstance(raw_shares, Mapping) or not raw_shares:
            problems.append(f"{where}.paths: name at least one path, with its percent")
            raw_shares = {}
        for path_name, percent in raw_shares.items():
            if path_name not in paths:
                problems.append(f"{where}.paths.{path_name}: no such path")
            share = _whole(percent, f"{where}.paths.{path_name}", problems, low=1, high=100)
            if share is not None:
                shares.append((str(path_name), share))
        if shares and sum(p for _, p in shares) != 100:
            problems.append(f"{where}.paths: the percents add up to {sum(p for _, p in shares)}, not 100")
        segments.append(Segment(name, str(body.get("label") or name)[:100], when, tuple(shares)))
    if segments and not segments[-1].when.empty:
        problems.append(
            f"segments[{len(segments)}]: the last segment must have no conditions, so every account is in a segment"
        )
    for index, segment in enumerate(segments[:-1], start=1):
        if segment.when.empty:
            problems.append(f"segments[{index}]: only the last segment may have no conditions (later ones never match)")
    if problems:
        raise InvalidStrategy(problems)
    return Strategy(tuple(segments), paths, seed)


def _plain_amount(amount: Decimal) -> str:
    return format(amount, "f")


def conditions_dict(when: Conditions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in CONDITION_KEYS:
        if key == "bucket":
            continue
        value = getattr(when, key)
        if value is None or value == ():
            continue
        if isinstance(value, Decimal):
            value = _plain_amount(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def strategy_dict(strategy: Strategy) -> dict[str, Any]:
    """The strategy as plain data, in the shape `parse_strategy` reads (for YAML export)."""
    paths: dict[str, Any] = {}
    for name, path in strategy.paths.items():
        steps = []
        for step in path.steps:
            item: dict[str, Any] = {}
            if step.day is not None:
                item["day"] = step.day
            else:
                item["event"] = str(step.event)
            item["action"] = step.action.value
            if step.template:
                item["template"] = step.template
            if step.action is ActionKind.CALL:
                item["priority"] = step.priority
            if step.amount is not None:
                item["amount"] = _plain_amount(step.amount)
            if step.status:
                item["status"] = step.status
            if step.note:
                item["note"] = step.note
            steps.append(item)
        paths[name] = {"label": path.label, "steps": steps}
    segments = []
    for segment in strategy.segments:
        body: dict[str, Any] = {"name": segment.name, "label": segment.label}
        when = conditions_dict(segment.when)
        if when:
            body["when"] = when
        body["paths"] = dict(segment.paths)
        segments.append(body)
    return {"seed": strategy.seed, "segments": segments, "paths": paths}


def matches(when: Conditions, facts: AccountFacts) -> bool:
    """Whether an account's facts meet a segment's conditions."""
    if when.dpd_min is not None and facts.dpd < when.dpd_min:
        return False
    if when.dpd_max is not None and facts.dpd > when.dpd_max:
        return False
    if when.balance_min is not None and facts.balance < when.balance_min:
        return False
    if when.balance_max is not None and facts.balance > when.balance_max:
        return False
    checks = (
        (when.products, facts.product),
        (when.creditors, facts.creditor),
        (when.countries, facts.country),
        (when.regions, facts.region),
        (when.statuses, facts.status),
        (when.arrangements, facts.arrangement),
        (when.last_outcomes, facts.last_outcome),
    )
    if any(allowed and value not in allowed for allowed, value in checks):
        return False
    return when.held is None or when.held == facts.held


def segment_for(strategy: Strategy, facts: AccountFacts) -> Segment:
    """The first segment whose conditions the account meets (the last one takes every account left)."""
    return next(s for s in strategy.segments if matches(s.when, facts))


def segment_salt(seed: int, segment: str) -> int:
    """A per-segment number mixed into the path hash, so splits in different segments are independent."""
    return zlib.crc32(f"{seed}:{segment}".encode()) % 1_000_003


def slot(account_id: int, salt: int) -> int:
    """A stable pseudo-random number 0-99 for an account in a segment (the SQL computes the same)."""
    return ((account_id * HASH_MULTIPLIER + salt) % HASH_SPACE) * 100 // HASH_SPACE


def path_for(segment: Segment, account_id: int, seed: int) -> str:
    """The path an account gets in a segment: its slot falls in one path's share of 0-99."""
    point = slot(account_id, segment_salt(seed, segment.name))
    upper = 0
    for name, percent in segment.paths:
        upper += percent
        if point < upper:
            return name
    return segment.paths[-1][0]
