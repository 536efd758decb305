"""The shell around every page: sign-in, sign-out, password change, errors, headers and the CSP."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse

from recoup.users.roles import Role

if TYPE_CHECKING:
    from web_data import WebData

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
HOME = reverse("home")


def assert_no_inline_script_or_style(html: str) -> None:
    """The CSP allows scripts and styles from our origin only, so pages must carry none inline."""
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'\ssrc="/static/[^"]+\.js"', tag), tag
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), "no inline script bodies"


class TestSignIn:
    def test_the_sign_in_page_has_labelled_fields(self, client: Client) -> None:
        html = client.get(LOGIN).content.decode()
        assert '<label for="id_username">Username</label>' in html
        assert '<label for="id_password">Password</label>' in html
        assert 'autocomplete="current-password"' in html
        assert_no_inline_script_or_style(html)

    def test_wrong_credentials_get_a_clear_message(self, web: WebData, client: Client) -> None:
        web.user("olga", Role.OFFICER)
        response = client.post(LOGIN, {"username": "olga", "password": "not-the-password"})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html
        assert "That username and password do not match an active account." in html

    def test_signing_in_lands_on_the_home_page(self, web: WebData, client: Client) -> None:
        web.user("olga", Role.OFFICER, first_name="Olga")
        response = client.post(LOGIN, {"username": "olga", "password": web.password}, follow=True)
        assert response.redirect_chain[-1][0] == HOME
        assert "Good to see you, Olga" in response.content.decode()

    def test_anonymous_visitors_are_sent_to_sign_in(self, client: Client, db: None) -> None:
        for name in ("home", "accounts", "creditors", "audit-log", "password_change"):
            url = reverse(name)
            response = client.get(url)
            assert response.status_code == 302, name
            assert response["Location"] == f"{LOGIN}?next={url}"


class TestTopBar:
    def test_shows_the_user_their_role_and_a_sign_out_form(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER, first_name="Olga", last_name="Nowak")
        html = web.client(officer).get(HOME).content.decode()
        assert "Olga Nowak" in html
        assert "Collections officer" in html
        assert re.search(
            r'<form method="post" action="/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken"', html
        )
        assert 'href="#main"' in html, "skip link"
        assert 'id="main"' in html
        assert 'aria-current="page"' in html

    def test_navigation_follows_permissions(self, web: WebData) -> None:
        officer_html = web.client(web.user("olga", Role.OFFICER)).get(HOME).content.decode()
        auditor_html = web.client(web.user("audrey", Role.AUDITOR)).get(HOME).content.decode()
        admin_html = web.client(web.user("ada", Role.ADMIN)).get(HOME).content.decode()
        assert ">Accounts</a>" in officer_html
        assert ">Audit log</a>" not in officer_html
        assert ">Audit log</a>" in auditor_html
        assert ">Administration</a>" in admin_html
        assert ">Administration</a>" not in auditor_html

    def test_signing_out_needs_a_post(self, web: WebData) -> None:
        client = web.client(web.user("olga", Role.OFFICER))
        assert client.get(reverse("logout")).status_code == 405
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert response["Location"] == LOGIN
        assert client.get(HOME).status_code == 302


class TestPasswordChange:
    def test_changes_the_password_and_confirms(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER)
        client = web.client(officer)
        assert '<label for="id_old_password">' in client.get(reverse("password_change")).content.decode()
        response = client.post(
            reverse("password_change"),
            {
                "old_password": web.password,
                "new_password1": "A-brand-new-passphrase-77",
                "new_password2": "A-brand-new-passphrase-77",
            },
            follow=True,
        )
        assert "Your password has been changed." in response.content.decode()
        officer.refresh_from_db()
        assert officer.check_password("A-brand-new-passphrase-77")

    def test_a_wrong_old_password_is_explained(self, web: WebData) -> None:
        client = web.client(web.user("olga", Role.OFFICER))
        response = client.post(
            reverse("password_change"),
            {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
        )
        html = response.content.decode()
        assert "The password was not changed." in html
        assert 'aria-invalid="true"' in html
        assert 'id="id_old_password_error"' in html


class TestErrorPages:
    def test_not_found_uses_the_house_style(self, web: WebData) -> None:
        response = web.client(web.user("olga", Role.OFFICER)).get("/no/such/page/")
        html = response.content.decode()
        assert response.status_code == 404
        assert "We could not find that page" in html
        assert "recoup.css" in html

    def test_forbidden_uses_the_house_style(self, web: WebData) -> None:
        response = web.client(web.user("olga", Role.OFFICER)).get(reverse("audit-log"))
        assert response.status_code == 403
        assert "You do not have access to this page" in response.content.decode()

    def test_the_server_error_page_renders_without_a_request(self) -> None:
        from django.template.loader import render_to_string

        html = render_to_string("500.html")
        assert "Something went wrong on our side" in html
        assert "recoup.css" in html
        assert_no_inline_script_or_style(html)


class TestAdminSite:
    def test_refused_to_staff_outside_the_admin_role(self, web: WebData) -> None:
        lead = web.user("tara", Role.TEAM_LEAD)
        lead.is_staff = True
        lead.save(update_fields=["is_staff"])
        response = web.client(lead).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    def test_open_to_the_admin_role(self, web: WebData) -> None:
        admin = web.user("ada", Role.ADMIN)
        assert admin.is_staff
        assert web.client(admin).get("/admin/").status_code == 200


class TestHeadersAndHealth:
    def test_pages_carry_the_security_headers(self, web: WebData) -> None:
        response = web.client(web.user("olga", Role.OFFICER)).get(HOME)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"

    def test_healthz_tells_anyone_only_whether_it_is_up(self, web: WebData) -> None:
        for client in (Client(), web.client(web.user("ada", Role.ADMIN))):
            response = client.get("/healthz")
            assert response.status_code == 200
            assert response["Content-Type"] == "application/json"
            assert response.json() == {"status": "ok"}  # not the database vendor

    def test_healthz_without_a_database_is_503_and_says_no_more(
        self, client: Client, db: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from django.db import DatabaseError, connection

        def refuse(*_args: object, **_kwargs: object) -> None:
            raise DatabaseError('could not connect to server at "db.internal" (10.0.0.5), port 5432')

        monkeypatch.setattr(connection, "cursor", refuse)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable"}

    @pytest.mark.parametrize("role", list(Role))
    def test_every_home_page_and_list_has_no_inline_script_or_style(self, web: WebData, role: Role) -> None:
        user = web.user(f"u-{role.value}", role)
        bank = web.creditor("acme-bank")
        web.account(creditor=bank, reference="R-1", officer=user)
        client = web.client(user)
        for name in ("home", "accounts", "creditors", "audit-log", "password_change"):
            response = client.get(reverse(name))
            if response.status_code == 403:
                continue
            assert response.status_code == 200, name
            assert_no_inline_script_or_style(response.content.decode())

    def test_htmx_is_served_from_our_static_files_and_configured_for_the_csp(self, web: WebData) -> None:
        html = web.client(web.user("olga", Role.OFFICER)).get(HOME).content.decode()
        assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer></script>', html)
        assert '"includeIndicatorStyles":false' in html
        assert '"allowEval":false' in html
