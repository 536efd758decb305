"""Strategy versions: the version in use and the draft, checking a definition (and the creditors and
templates it names), saving the draft, YAML import and export, publishing and discarding a draft."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Max

from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.communications.models import Template
from recoup.core.strategy import MESSAGE_ACTIONS, InvalidStrategy, Strategy, parse_strategy, strategy_dict
from recoup.parties.models import Creditor
from recoup.strategies.models import StrategyVersion

Actor = AbstractBaseUser | AnonymousUser | None


class UnableToSaveStrategy(Exception):
    """A strategy that cannot be saved; the message names each problem by where it is."""


def active_version() -> StrategyVersion | None:
    return StrategyVersion.objects.filter(state=StrategyVersion.State.ACTIVE).first()


def draft_version() -> StrategyVersion | None:
    return StrategyVersion.objects.filter(state=StrategyVersion.State.DRAFT).first()


def strategy_of(version: StrategyVersion) -> Strategy:
    return parse_strategy(version.definition)


def reference_problems(strategy: Strategy) -> list[str]:
    """Creditors and templates a strategy names that do not exist."""
    problems: list[str] = []
    known = set(Creditor.objects.values_list("code", flat=True))
    for index, segment in enumerate(strategy.segments, start=1):
        for code in segment.when.creditors:
            if code not in known:
                problems.append(f"segments[{index}].when.creditors: no creditor has the code {code!r}")
    templates = set(Template.objects.values_list("code", "channel"))
    for name, path in strategy.paths.items():
        for number, step in enumerate(path.steps, start=1):
            if step.action in MESSAGE_ACTIONS and (step.template, step.action.value) not in templates:
                problems.append(
                    f"paths.{name}.steps[{number}].template: "
                    f"no {step.action.value} template has the code {step.template!r}"
                )
    unused = set(strategy.paths) - {p for s in strategy.segments for p, _ in s.paths}
    problems += [f"paths.{name}: no segment uses this path" for name in sorted(unused)]
    return problems


def _checked(definition: Any) -> Strategy:
    try:
        strategy = parse_strategy(definition)
    except InvalidStrategy as error:
        raise UnableToSaveStrategy("; ".join(error.problems)) from None
    problems = reference_problems(strategy)
    if problems:
        raise UnableToSaveStrategy("; ".join(problems))
    return strategy


def save_draft(*, definition: Any, note: str, now: datetime, actor: Actor) -> StrategyVersion:
    """Check a definition and keep it as the draft (a new version number if there was none)."""
    strategy = _checked(definition)
    plain = strategy_dict(strategy)
    with transaction.atomic():
        draft = StrategyVersion.objects.select_for_update().filter(state=StrategyVersion.State.DRAFT).first()
        before = draft.definition if draft else None
        if draft is None:
            number = (StrategyVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            draft = StrategyVersion(number=number, created_by=_user(actor), created_at=now)
        draft.definition = plain
        draft.note = note.strip()
        draft.updated_at = now
        draft.save()
        record_event(
            event=Event.VERSION_SAVED,
            subject_id=draft.pk,
            occurred_at=now,
            actor=actor,
            before={"definition": before} if before else None,
            after={"number": draft.number, "definition": plain, "note": draft.note},
        )
    return draft


def import_yaml(*, text: str, note: str, now: datetime, actor: Actor) -> StrategyVersion:
    """Read a strategy from YAML text into the draft; a YAML error names its line and column."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise UnableToSaveStrategy(f"{where}{problem}") from None
    except (ValueError, TypeError, RecursionError) as error:  # a value YAML reads but Python cannot hold: 2026-02-30
        raise UnableToSaveStrategy(f"the YAML holds a value that cannot be read ({error})") from None
    return save_draft(definition=data, note=note, now=now, actor=actor)


def export_yaml(version: StrategyVersion) -> str:
    header = f"# Recoup collection strategy, version {version.number} ({version.get_state_display().lower()})\n"
    return header + yaml.safe_dump(version.definition, sort_keys=False, allow_unicode=True)


def draft_from_active(*, now: datetime, actor: Actor) -> StrategyVersion:
    """The draft to edit: the existing one, or a copy of the strategy in use."""
    draft = draft_version()
    if draft is not None:
        return draft
    active = active_version()
    if active is None:
        raise UnableToSaveStrategy("there is no strategy yet: import one from YAML or load the starter strategy")
    return save_draft(definition=active.definition, note="", now=now, actor=actor)


def publish(*, version: StrategyVersion, now: datetime, actor: Actor) -> StrategyVersion:
    """Make a draft the strategy the daily run follows; the one in use before it retires."""
    strategy = _checked(version.definition)
    with transaction.atomic():
        locked = StrategyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != StrategyVersion.State.DRAFT:
            raise UnableToSaveStrategy(f"version {locked.number} is {locked.get_state_display().lower()}, not a draft")
        previous = active_version()
        if previous is not None:
            previous.state = StrategyVersion.State.RETIRED
            previous.updated_at = now
            previous.save(update_fields=["state", "updated_at"])
        locked.state = StrategyVersion.State.ACTIVE
        locked.definition = strategy_dict(strategy)
        locked.published_at = now
        locked.published_by = _user(actor)
        locked.updated_at = now
        locked.save()
        record_event(
            event=Event.VERSION_PUBLISHED,
            subject_id=locked.pk,
            occurred_at=now,
            actor=actor,
            before={"active": previous.number} if previous else None,
            after={"active": locked.number},
        )
    return locked


def discard_draft(*, now: datetime, actor: Actor) -> None:
    with transaction.atomic():
        draft = StrategyVersion.objects.select_for_update().filter(state=StrategyVersion.State.DRAFT).first()
        if draft is None:
            return
        number = draft.number
        record_event(
            event=Event.VERSION_DISCARDED,
            subject_id=draft.pk,
            occurred_at=now,
            actor=actor,
            before={"number": number, "definition": draft.definition},
        )
        draft.delete()


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None
