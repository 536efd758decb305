"""Structural guarantees that no code path contacts a debtor without a decision of the compliance gate.

Contact leaves Recoup only through a channel backend, and a backend must be handed a decision token
(`record_contact` redeems it once). These tests read the source: a module that could send an email,
a text or an HTTP request to a provider, or write a contact to the ledger, anywhere but the few
places allowed, fails them, so a new path cannot be added by accident.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "recoup"
# Modules that can reach the outside world: mail, HTTP clients, SMS providers.
SENDING_MODULES = ("smtplib", "django.core.mail", "requests", "httpx", "urllib.request", "http.client", "twilio")
# The only places allowed to use them: channel backends, which refuse to send without a gate decision
# that allows the contact (recoup/communications/backends/: email today).
SENDING_ALLOWED = ("communications/backends/",)
# The one function that writes rows of the contact ledger.
LEDGER_WRITER = ("compliance/services.py", "_write_contact")


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(SOURCE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sends(names: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == m or n.startswith(m + ".") for m in SENDING_MODULES))


def test_nothing_outside_a_channel_backend_can_send_a_message() -> None:
    offenders = {
        path: _sends(_imports(tree))
        for path, tree in _modules()
        if _sends(_imports(tree)) and not path.startswith(SENDING_ALLOWED)
    }
    assert offenders == {}, f"these modules could contact a debtor without a gate decision: {offenders}"


def test_the_scan_would_catch_a_module_that_sends_mail() -> None:
    sneaky = ast.parse("from django.core.mail import send_mail\nimport smtplib\n")
    assert _sends(_imports(sneaky)) == ["django.core.mail", "django.core.mail.send_mail", "smtplib"]


def _functions_writing_contacts(tree: ast.Module) -> list[str]:
    """Names of functions that call Contact.objects.create / bulk_create or insert into compliance_contact."""
    writers = []
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "objects"
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id == "Contact"
            ) or (isinstance(node, ast.Constant) and node.value == "compliance_contact"):
                writers.append(function.name)
                break
    return writers


def test_only_the_gate_writes_to_the_contact_ledger() -> None:
    writers = [(path, name) for path, tree in _modules() for name in _functions_writing_contacts(tree)]
    assert writers == [LEDGER_WRITER]


@pytest.mark.parametrize(
    "code",
    [
        "def f():\n    Contact.objects.create(account=a)\n",
        "def f():\n    bulk_insert('compliance_contact', [], [])\n",
    ],
)
def test_the_scan_would_catch_another_ledger_writer(code: str) -> None:
    assert _functions_writing_contacts(ast.parse(code)) == ["f"]


def test_outbound_contacts_are_recorded_only_against_a_decision_token() -> None:
    """`_write_contact` is called with a decision by `record_contact` (which redeems a token) and
    without one only for contacts the person made (`record_inbound_contact`, `record_inbound_message`)."""
    tree = dict(_modules())["compliance/services.py"]
    callers = {}
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_write_contact":
                keywords = {k.arg: k.value for k in node.keywords}
                decision = keywords["decision"]
                callers[function.name] = "none" if isinstance(decision, ast.Constant) else "decision"
                direction = ast.unparse(keywords["direction"])
                callers[function.name] += f" {direction}"
    assert callers == {
        "record_contact": "decision Contact.Direction.OUTBOUND",
        "record_inbound_contact": "none Contact.Direction.INBOUND",
        "record_inbound_message": "none Contact.Direction.INBOUND",
    }
