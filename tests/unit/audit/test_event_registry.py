"""The audit event registry: every event Recoup writes is declared once, and nothing writes around it.

The conftest checks every event each database test writes (registered name, declared values); these
tests check the registry itself and the code that writes: no event name typed as a string, no row put
into the audit table except through `recoup.audit.services`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from recoup.audit.events import (
    BY_NAME,
    BadEvent,
    Event,
    FieldValues,
    Section,
    _shape,
    check_values,
    event_for,
    names_in,
)

ROOT = Path(__file__).resolve().parents[3]
SOURCES = sorted(
    path
    for path in [*(ROOT / "src" / "recoup").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    if path.parent.name != "migrations"
)
WRITERS = {"bulk_insert", "copy_text_into", "insert", "bulk_add"}
RAW_INSERT = re.compile(r"insert\s+into\s+\"?audit_event", re.IGNORECASE)
APPS = {"accounts", "admin", "arrangements", "communications", "compliance", "demo", "exports", "imports"}
APPS |= {"parties", "strategies", "users", "workspace"}
EVENT_NAME = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")


def _is_audit_module(path: Path) -> bool:
    return path.parent.name == "audit" and path.parent.parent.name == "recoup"


class TestTheRegistry:
    def test_names_are_unique_and_read_app_subject_verb(self) -> None:
        names = [event.text for event in Event]
        assert len(names) == len(set(names))
        for name in names:
            assert EVENT_NAME.match(name), name
            assert name.split(".")[0] in APPS, name

    def test_former_names_never_shadow_a_current_one(self) -> None:
        current = {event.text for event in Event}
        for event in Event:
            for old in event.spec.former:
                assert old not in current, old
                assert event_for(old) is event

    def test_every_payload_type_is_one_the_checker_understands(self) -> None:
        for event in Event:
            for which in ("before", "after"):
                payload = getattr(event.spec, which)
                if payload is not None and payload is not FieldValues:
                    required, accepted = _shape(payload)  # resolves every key's value types
                    assert required <= accepted.keys()

    def test_old_admin_names_still_read(self) -> None:
        assert event_for("admin.account.changed") is Event.ADMIN_CHANGED
        assert event_for("admin.creditor.deleted") is Event.ADMIN_DELETED
        assert event_for("admin.account.exploded") is None
        assert event_for("accounts.payment.recorded") is Event.PAYMENT_RECORDED

    def test_each_section_lists_its_events_under_current_and_former_names(self) -> None:
        plans = names_in(Section.ARRANGEMENTS)
        assert "arrangements.plan.created" in plans
        assert "arrangement.plan.created" in plans
        assert "accounts.payment.recorded" not in plans
        assert set(BY_NAME) >= set(plans)


class TestValuesAreChecked:
    def test_a_missing_key_is_refused(self) -> None:
        with pytest.raises(BadEvent, match=r"after is missing \['memo'\]"):
            check_values(Event.BALANCE_LOADED, "after", {"loaded": {}})

    def test_an_unknown_key_is_refused(self) -> None:
        with pytest.raises(BadEvent, match=r"does not declare: \['colour'\]"):
            check_values(Event.NOTE_ADDED, "after", {"text": "x", "colour": "red"})

    def test_a_value_of_the_wrong_type_is_refused(self) -> None:
        with pytest.raises(BadEvent, match=r"after\['amount'\] is a Decimal"):
            from decimal import Decimal

            check_values(Event.DUE_BROKEN, "after", {"due": 1, "due_date": "2026-12-01", "amount": Decimal("1")})

    def test_optional_values_may_be_none_and_before_may_be_partial(self) -> None:
        check_values(
            Event.MESSAGE_QUEUED,
            "after",
            {
                "channel": "email",
                "to": "a@b.c",
                "subject": "s",
                "template": "t",
                "status": "queued",
                "not_before": None,
            },
        )
        check_values(Event.CHARGES_UNFROZEN, "before", {"ends_on": None})

    def test_an_event_without_values_refuses_them(self) -> None:
        with pytest.raises(BadEvent, match="carries no before values"):
            check_values(Event.PAYMENT_RECORDED, "before", {"amount": "1.00 USD"})


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else str(getattr(func, "id", ""))


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _called(node) == name]


class TestNothingWritesAroundTheRegistry:
    @pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
    def test_events_are_written_by_member_and_only_through_audit_services(self, path: Path) -> None:
        source = path.read_text()
        tree = ast.parse(source)
        for call in _calls(tree, "record_event") + _calls(tree, "event_row"):
            keywords = {k.arg for k in call.keywords}
            assert "name" not in keywords, f"{path}:{call.lineno}: name an event by its Event member"
        if _is_audit_module(path):
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                assert not RAW_INSERT.search(value), f"{path}:{node.lineno}: write events with recoup.audit.services"
                if EVENT_NAME.match(value) and value.split(".")[0] in APPS:
                    assert value in BY_NAME, f"{path}:{node.lineno}: {value!r} is not a registered event name"
            if isinstance(node, ast.Attribute) and node.attr in {"bulk_create", "create"}:
                owner = node.value
                if isinstance(owner, ast.Attribute) and owner.attr == "objects":
                    model = getattr(owner.value, "id", "")
                    assert model != "AuditEvent", f"{path}:{node.lineno}: write events with recoup.audit.services"
            if isinstance(node, ast.Call) and node.args and _called(node) in WRITERS:
                table = node.args[0]
                named = table.value if isinstance(table, ast.Constant) else getattr(table, "id", "")
                assert named not in {"audit_event", "AUDIT_TABLE"}, f"{path}:{node.lineno}: use record_events"
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AuditEvent":
                raise AssertionError(f"{path}:{node.lineno}: build events with recoup.audit.services.event_row")


def test_the_catalogue_for_compliance_officers_is_current() -> None:
    from recoup.audit.events import catalogue

    written = (ROOT / "docs" / "audit-events.md").read_text()
    assert written == catalogue(), "regenerate: .venv/bin/python -m recoup.audit.events > docs/audit-events.md"
