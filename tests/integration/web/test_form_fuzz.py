"""Every form of the staff UI answers hostile input with a refusal, never a server error (issue 20.4).

The test signs in as a collection manager (who reaches every staff form), opens the pages a user opens, reads
every form on them (as a browser would: fields, their current values, the first choice of a list) and
sends each form back once per field with that field replaced by an out-of-range number, a NUL byte, a
very long text or an impossible date. Every answer must be a page or a redirect (2xx, 3xx, 400, 403, 404),
never a 500; and a NUL byte anywhere is a 400 that changes nothing.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.test import Client
from django.urls import reverse

from ledger_helpers import owing
from recoup.audit.models import AuditEvent
from recoup.parties.models import ContactPoint
from recoup.users.roles import Role
from web_data import WebData

HOSTILE = [
    "1e30",
    "99999999999999",
    "-99999999999999",
    "-1",
    "NaN",
    "Infinity",
    "a\x00b",
    "x" * 3000,
    "2026-02-30",
    "99999-12-31",
    "0",
]


class _Forms(HTMLParser):
    """The forms on a page: method, action and the values a browser would send unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": {}}
            self._form["multipart"] = "multipart" in a.get("enctype", "")
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        fields: dict[str, str] = self._form["fields"]
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                if kind == "submit" and a.get("value"):
                    fields.setdefault(name, a["value"])
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(name, "")
                return
            fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            fields[name] = ""
        elif tag == "option" and self._select:
            if not fields.get(self._select) or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""
        elif tag == "button" and a.get("value"):
            fields.setdefault(name, a["value"])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_on(client: Client, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        form["action"] = form["action"] or url
        form["page"] = url
    return parser.forms


def _send(client: Client, form: dict[str, Any], data: dict[str, str]) -> int:
    action = urlsplit(form["action"]).path
    if form["method"] == "post":
        return int(client.post(action, data).status_code)
    return int(client.get(f"{action}?{urlencode(data)}").status_code)


def _portfolio(web: WebData) -> dict[str, Any]:
    team = web.team("North")
    manager = web.user("maya", Role.MANAGER, team=team)
    bank = web.creditor("acme-bank")
    account = owing(web.account(creditor=bank, reference="R-1", officer=manager, team=team), principal="800.00")
    debtor = account.debtors.get()
    debtor.address_line1, debtor.city, debtor.region, debtor.postal_code = "1 Main St", "Albany", "NY", "12207"
    debtor.save()
    for kind, value, phone_type in (("email", "pat@example.com", ""), ("phone", "+15185550100", "mobile")):
        ContactPoint.objects.create(
            debtor=debtor,
            kind=kind,
            value=value,
            phone_type=phone_type,
            source=ContactPoint.Source.PLACEMENT,
            obtained_date=web.today,
            verified=True,
        )
    return {"manager": manager, "account": account}


def _pages(account_id: int) -> list[str]:
    on_account = ["account", "account-arrangements", "account-affordability", "account-timeline"]
    staff = ["home", "queue", "accounts", "team", "outbox", "templates", "strategy", "strategy-edit", "imports"]
    staff += ["import-mappings", "exports", "unmatched-payments", "aging", "audit-log", "creditors"]
    return [reverse(n, args=[account_id]) for n in on_account] + [reverse(n) for n in staff]


def _fuzz(client: Client, pages: list[str]) -> tuple[int, list[str]]:
    failures: list[str] = []
    sent = 0
    for page in pages:
        for form in _forms_on(client, page):
            if form["multipart"] or "logout" in form["action"]:
                continue
            base: dict[str, str] = {k: v for k, v in form["fields"].items()}
            for field in [k for k in base if k != "csrfmiddlewaretoken"]:
                for value in HOSTILE:
                    status = _send(client, form, {**base, field: value})
                    sent += 1
                    if status >= 500:
                        failures.append(f"{form['method'].upper()} {form['action']} {field}={value[:20]!r}: {status}")
    return sent, failures


def test_no_form_field_answers_a_server_error(web: WebData) -> None:
    data = _portfolio(web)
    client = Client(raise_request_exception=False)
    client.force_login(data["manager"])  # a manager reaches every form an administrator does, and more
    sent, failures = _fuzz(client, _pages(data["account"].pk))
    assert sent > 300, "the pages should hold many forms"
    assert not failures, "\n".join(failures)


def test_admin_filters_with_a_nul_byte_are_refused_plainly(web: WebData) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(web.user("ada", Role.ADMIN))
    for url in ("/admin/accounts/account/", "/admin/parties/debtor/", "/admin/users/user/"):
        response = client.get(url, {"q": "a\x00b"})
        assert response.status_code == 400, url
        assert "We could not read that request" in response.content.decode()
        response = client.get(url, {"status__exact": "\x00"})
        assert response.status_code == 400


def test_a_nul_byte_in_a_form_changes_nothing(web: WebData) -> None:
    data = _portfolio(web)
    client = Client(raise_request_exception=False)
    client.force_login(data["manager"])
    before = AuditEvent.objects.count()
    url = reverse("account-note", args=[data["account"].pk])
    response = client.post(url, {"text": "Called\x00back"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert AuditEvent.objects.count() == before
