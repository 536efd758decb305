"""Every role against every page and action: the server refuses (403) exactly what a role may not do.

The matrix below is written out by hand from what each role is for (officers work their accounts,
team leads also decide and approve, managers also run imports and exports and lift holds, legal
works accounts like an officer, auditors only read (the imports pages too, without uploading),
administrators do everything). A URL added to the application without a row here fails
`test_every_url_is_in_the_matrix`, so no page or action can ship without someone deciding who may use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

from ledger_helpers import owing
from recoup.users.roles import Role
from recoup.web import urls as web_urls
from web_data import WebData

OFFICER, T, M, L, A, D = Role.OFFICER, Role.TEAM_LEAD, Role.MANAGER, Role.LEGAL, Role.AUDITOR, Role.ADMIN
EVERYONE = {OFFICER, T, M, L, A, D}
WORKERS = {OFFICER, T, M, L, D}  # everyone but the auditor, who only reads
LEADS = {T, M, D}
MANAGERS = {M, D}

# url name: (method, roles allowed)
MATRIX: dict[str, tuple[str, set[Role]]] = {
    "home": ("GET", EVERYONE),
    "password_change": ("GET", EVERYONE),
    "password_change_done": ("GET", EVERYONE),
    "queue": ("GET", WORKERS),
    "next-account": ("POST", WORKERS),
    "queue-view-save": ("POST", WORKERS),
    "queue-view-delete": ("POST", WORKERS),
    "team": ("GET", {T, M, A, D}),
    "accounts": ("GET", EVERYONE),
    "account": ("GET", EVERYONE),
    "account-timeline": ("GET", EVERYONE),
    "account-arrangements": ("GET", EVERYONE),
    "account-affordability": ("GET", EVERYONE),
    "account-arrangement-letter": ("GET", EVERYONE),
    "account-hold": ("POST", WORKERS),
    "account-call": ("POST", WORKERS),
    "account-payment": ("POST", WORKERS),
    "account-payment-reverse": ("POST", WORKERS),  # officers their own recent ones; the rest a refusal message
    "account-contact-point": ("POST", WORKERS),
    "account-contact-point-stop": ("POST", WORKERS),
    "account-assign": ("POST", LEADS | {L}),
    "account-message": ("POST", WORKERS),
    "outbox": ("GET", EVERYONE),
    "message": ("GET", EVERYONE),
    "templates": ("GET", EVERYONE),
    "bulk-send": ("GET", MANAGERS),
    "account-note": ("POST", WORKERS),
    "account-wish": ("POST", WORKERS),
    "account-wish-withdraw": ("POST", WORKERS),
    "account-notice": ("POST", WORKERS),
    "account-notice-undeliverable": ("POST", WORKERS),
    "account-hardship": ("POST", WORKERS),
    "account-call-consent": ("POST", WORKERS),
    "account-forbearance": ("POST", WORKERS),
    "account-close-extinguished": ("POST", LEADS | {L}),  # accounts.change_account
    "account-payment-return-extinguished": ("POST", LEADS | {L}),  # accounts.change_account
    "account-plan": ("POST", WORKERS),
    "account-promise": ("POST", WORKERS),
    "account-settlement": ("POST", WORKERS),
    "account-hold-lift": ("POST", MANAGERS),
    "account-hold-lift-request": ("POST", WORKERS),
    "account-hold-lift-decide": ("POST", LEADS),
    "account-hardship-step": ("POST", LEADS),
    "account-arrangement-approve": ("POST", LEADS),
    "account-arrangement-cancel": ("POST", WORKERS),  # leads any; the officer the account is assigned to
    "creditors": ("GET", EVERYONE),
    "audit-log": ("GET", {M, A, D}),
    "aging": ("GET", {T, M, A, D}),
    "imports": ("GET", MANAGERS | {A}),  # the auditor reads them
    "import-progress": ("GET", MANAGERS | {A}),  # the auditor reads them
    "import-mappings": ("GET", MANAGERS | {A}),  # the auditor reads them
    "import-mapping-new": ("GET", MANAGERS),
    "import-mapping": ("GET", MANAGERS),
    "import-rejects": ("GET", MANAGERS | {A}),  # the auditor reads them
    "exports": ("GET", {M, A, D}),
    "export-download": ("GET", {M, A, D}),
    "unmatched-payments": ("GET", MANAGERS | {A}),  # the auditor reads them
    "unmatched-payment": ("GET", MANAGERS | {A}),  # the auditor reads it; deciding is a POST (below)
    "strategy": ("GET", {M, A, D}),
    "strategy-edit": ("GET", MANAGERS),
    "strategy-publish": ("POST", MANAGERS),
    "strategy-discard": ("POST", MANAGERS),
    "strategy-export": ("GET", {M, A, D}),
    "strategy-dry-run": ("POST", MANAGERS),
    "strategy-run": ("POST", MANAGERS),
    "strategy-schedule": ("POST", MANAGERS),
    "run-report": ("GET", {M, A, D}),
    "strategy-experiments": ("GET", {M, A, D}),
}
NOT_ROLE_BOUND = {
    "healthz",
    "login",
    "logout",
    "unsubscribe",
    "hook-sms",
    "hook-email-bounce",
}  # open to anyone (unsubscribe: a signed link; the SMS hook: a signed request), or the way in and out


def _named_patterns(patterns: list[Any], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            continue  # the Django admin has its own staff check
        if isinstance(pattern, URLPattern) and pattern.name:
            found[pattern.name] = prefix + str(pattern.pattern)
    return found


def test_every_url_is_in_the_matrix() -> None:
    names = set(_named_patterns(web_urls.urlpatterns)) - NOT_ROLE_BOUND
    assert names == set(MATRIX), (
        f"decide who may use: {sorted(names - set(MATRIX))}; gone: {sorted(set(MATRIX) - names)}"
    )


def _path(template: str, ids: dict[str, Any]) -> str:
    path = "/" + template
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<str:{name}>", str(value))
    return path


@pytest.mark.parametrize("role", sorted(EVERYONE, key=lambda r: r.value), ids=lambda r: r.value)
def test_each_role_is_refused_exactly_what_it_may_not_do(web: WebData, role: Role) -> None:
    user = web.user(f"user-{role.value}", role)
    account = owing(web.account(creditor=web.creditor("lnb"), reference="PM-1", officer=user), principal="100.00")
    ids = {
        "account_id": account.pk,
        "hold_id": 999_999,
        "wish_id": 999_999,
        "notice_id": 999_999,
        "arrangement_id": 999_999,
        "line_id": 999_999,
        "job_id": 999_999,
        "mapping_id": 999_999,
        "view_id": 999_999,
        "point_id": 999_999,
        "payment_id": 999_999,
        "request_id": 999_999,
        "message_id": 999_999,
        "token": "no-such-token",
        "kind": "accounts",
        "number": 999_999,
        "run_date": "2026-01-01",
    }
    client = Client(raise_request_exception=False)
    client.force_login(user)
    templates = _named_patterns(web_urls.urlpatterns)
    wrong: list[str] = []
    for name, (method, allowed) in MATRIX.items():
        path = _path(templates[name], ids)
        response = client.post(path, {}) if method == "POST" else client.get(path)
        if response.status_code >= 500:
            wrong.append(f"{method} {path}: server error {response.status_code}")
        elif role in allowed and response.status_code == 403:
            wrong.append(f"{method} {path}: refused, but {role.value} may use it")
        elif role not in allowed and response.status_code != 403:
            wrong.append(f"{method} {path}: {response.status_code}, but {role.value} may not use it")
    assert wrong == []


def test_signed_out_visitors_are_sent_to_sign_in(web: WebData) -> None:
    account = web.account(creditor=web.creditor("lnb"), reference="PM-2")
    ids = {
        name: 1
        for name in (
            "hold_id",
            "wish_id",
            "notice_id",
            "arrangement_id",
            "line_id",
            "job_id",
            "mapping_id",
            "view_id",
            "point_id",
            "payment_id",
            "request_id",
            "message_id",
        )
    }
    ids.update({"account_id": account.pk, "token": "x", "kind": "accounts", "number": 1, "run_date": "2026-01-01"})
    client = Client()
    templates = _named_patterns(web_urls.urlpatterns)
    for name, (method, _allowed) in MATRIX.items():
        path = _path(templates[name], ids)
        response = client.post(path, {}) if method == "POST" else client.get(path)
        assert response.status_code == 302, f"{method} {path}: {response.status_code}"
        assert response["Location"].startswith("/login/"), path


# Every URL that names a row under an account: the row must belong to that account. The id of another
# account's row under one's own account is "no such row" (404) and changes nothing; an officer could
# otherwise reach any debtor's row by putting its id under an account they work.
CHILD_URLS: dict[str, tuple[str, str, dict[str, str]]] = {
    # url name: (method, id parameter, form data that would be accepted for the right row)
    "account-contact-point-stop": ("POST", "point_id", {"reason": "wrong number"}),
    "account-payment-reverse": ("POST", "payment_id", {"reason": "chargeback"}),
    "account-payment-return-extinguished": ("POST", "payment_id", {}),
    "account-wish-withdraw": ("POST", "wish_id", {}),
    "account-hold-lift": ("POST", "hold_id", {"reason": "resolved"}),
    "account-hold-lift-request": ("POST", "hold_id", {"reason": "resolved"}),
    "account-hold-lift-decide": ("POST", "request_id", {"decision": "decline", "note": "not yet"}),
    "account-notice-undeliverable": ("POST", "notice_id", {}),
    "account-hardship-step": ("POST", "notice_id", {"step": "requested", "on": "{today}"}),
    "account-arrangement-approve": ("POST", "arrangement_id", {"note": "fine"}),
    "account-arrangement-cancel": ("POST", "arrangement_id", {"reason": "debtor asked"}),
    "account-arrangement-letter": ("GET", "arrangement_id", {}),
}


def test_every_url_with_an_account_and_a_row_is_checked_for_foreign_rows() -> None:
    two_ids = {
        name
        for name, template in _named_patterns(web_urls.urlpatterns).items()
        if template.startswith("accounts/<int:account_id>/") and template.count("<") > 1
    }
    assert two_ids == set(CHILD_URLS)


def _foreign_rows(web: WebData, actor: Any) -> tuple[Any, dict[str, Any]]:
    """Another account's contact point, payment, wish, hold, notice, hardship notice and arrangement."""
    from datetime import time, timedelta

    from django.utils import timezone

    from factories import ContactPointFactory
    from ledger_helpers import usd
    from recoup.accounts.services import record_payment
    from recoup.arrangements.services import create_promise
    from recoup.compliance.deadlines import record_hardship_notice, record_notice
    from recoup.compliance.services import place_hold, record_wish

    theirs = owing(web.account(creditor=web.creditor("other"), reference="THEIRS-1"), principal="100.00")
    debtor = theirs.debtors.get()
    now = timezone.now()
    rows = {  # the arrangement first: the holds would refuse it
        "arrangement_id": create_promise(
            account=theirs, amounts=[(web.today + timedelta(days=7), usd("10.00"))], now=now, actor=actor
        ),
        "point_id": ContactPointFactory(debtor=debtor, value="+15185550199"),
        "payment_id": record_payment(
            account=theirs, amount=usd("5.00"), received_at=now, method="card", now=now, actor=actor
        ),
        "wish_id": record_wish(
            debtor=debtor, weekdays=[0, 1], starts=time(9), ends=time(12), now=now, actor=actor, note="mornings"
        ),
        "hold_id": place_hold(
            kind="dispute", reason="disputes the amount", starts_at=now, now=now, actor=actor, account=theirs
        ),
        "notice_id": record_notice(account=theirs, kind="first_letter", sent_on=web.today, now=now, actor=actor),
    }
    hardship = record_hardship_notice(
        account=theirs, received_on=web.today, how="oral", summary="lost job", now=now, actor=actor
    )
    from recoup.compliance.models import HoldLiftRequest

    asked = HoldLiftRequest.objects.create(
        hold=rows["hold_id"], account=theirs, requested_by=None, reason="paid", requested_at=now
    )
    return theirs, rows | {"hardship_notice_id": hardship, "request_id": asked}


@pytest.mark.parametrize("name", sorted(CHILD_URLS))
def test_another_accounts_row_under_ones_own_account_is_not_found(web: WebData, name: str) -> None:
    from django.forms.models import model_to_dict

    from recoup.audit.models import AuditEvent

    method, parameter, data = CHILD_URLS[name]
    admin = web.user("admin-idor", Role.ADMIN)  # may do everything: only the row's owner can refuse
    mine = owing(web.account(creditor=web.creditor("lnb"), reference="MINE-1", officer=admin), principal="100.00")
    _theirs, rows = _foreign_rows(web, admin)
    row = rows["hardship_notice_id"] if name == "account-hardship-step" else rows[parameter]
    before, events = model_to_dict(row), AuditEvent.objects.count()
    path = _path(_named_patterns(web_urls.urlpatterns)[name], {"account_id": mine.pk, parameter: row.pk})
    form = {key: value.replace("{today}", web.today.isoformat()) for key, value in data.items()}
    client = web.client(admin)
    response = client.post(path, form) if method == "POST" else client.get(path)
    assert response.status_code == 404, f"{method} {path}: {response.status_code}"
    row.refresh_from_db()
    assert model_to_dict(row) == before
    assert AuditEvent.objects.count() == events
