"""The Django admin cannot change what the services own, and what it may change is audited (issue 20.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from ledger_helpers import owing
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.users.models import User
from recoup.users.roles import Role
from web_data import WebData


def _change_form(client: Any, url: str) -> dict[str, Any]:
    """The fields of an admin change form as the browser would post them back."""
    from django.forms import BaseForm

    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    adminform = response.context["adminform"]
    form: BaseForm = adminform.form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, datetime):
            data[f"{name}_0"] = value.date().isoformat()
            data[f"{name}_1"] = value.strftime("%H:%M:%S")
        elif isinstance(value, (list, tuple)):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for i, inline_form in enumerate(formset.formset.forms):
            data[f"{formset.formset.prefix}-{i}-id"] = inline_form.instance.pk
    return data


class TestAccountAdmin:
    def test_balances_and_status_cannot_be_changed_and_the_ledger_stays_verified(self, web: WebData) -> None:
        admin_user = web.user("ada", Role.ADMIN)
        officer = web.user("olga", Role.OFFICER)
        account = owing(web.account(creditor=web.creditor("acme-bank"), reference="R-1"), principal="500.00")
        client = web.client(admin_user)
        url = reverse("admin:accounts_account_change", args=[account.pk])
        data = _change_form(client, url)
        for field in ("principal_minor", "fees_minor", "status", "credit_balance_minor", "currency"):
            assert field not in data, f"{field} is editable in the admin"
        data.update(
            principal_minor=1, fees_minor=999, status=Account.Status.CLOSED, currency="EUR", assigned_officer=officer.pk
        )
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]

        account.refresh_from_db()
        assert account.principal_minor == 50000
        assert account.fees_minor == 0
        assert account.status == Account.Status.ACTIVE
        assert account.currency == "USD"
        assert account.assigned_officer_id == officer.pk
        assert verify_ledger().ok
        event = AuditEvent.objects.get(name="admin.record.changed", subject_id=account.pk)
        assert event.actor_id == admin_user.pk
        assert event.account_id == account.pk
        assert event.after == {"assigned_officer": str(officer)}
        assert event.before == {"assigned_officer": None}

    def test_accounts_are_neither_added_nor_deleted_in_the_admin(self, web: WebData) -> None:
        account = web.account(creditor=web.creditor("acme-bank"), reference="R-1")
        client = web.client(web.user("ada", Role.ADMIN))
        assert client.get(reverse("admin:accounts_account_add")).status_code == 403
        assert (
            client.post(reverse("admin:accounts_account_delete", args=[account.pk]), {"post": "yes"}).status_code == 403
        )
        assert Account.objects.filter(pk=account.pk).exists()

    def test_contact_points_are_shown_but_not_editable_on_the_debtor(self, web: WebData) -> None:
        from recoup.parties.models import ContactPoint

        debtor = web.debtor(family_name="Rivera", given_name="Sam")
        ContactPoint.objects.create(
            debtor=debtor,
            kind=ContactPoint.Kind.EMAIL,
            value="sam@example.com",
            source=ContactPoint.Source.PLACEMENT,
            obtained_date=web.today,
        )
        client = web.client(web.user("ada", Role.ADMIN))
        url = reverse("admin:parties_debtor_change", args=[debtor.pk])
        html = client.get(url).content.decode()
        assert "sam@example.com" in html
        assert 'name="contact_points-0-do_not_contact"' not in html
        assert 'name="contact_points-0-consent"' not in html


class TestUserAdmin:
    def test_an_administrator_neither_sees_nor_grants_superuser_status(self, web: WebData) -> None:
        admin_user = web.user("ada", Role.ADMIN)
        client = web.client(admin_user)
        url = reverse("admin:users_user_change", args=[admin_user.pk])
        html = client.get(url).content.decode()
        assert 'name="is_superuser"' not in html
        assert 'name="user_permissions"' not in html
        data = _change_form(client, url)
        data.update(is_superuser="on", user_permissions=[1, 2, 3])
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        admin_user.refresh_from_db()
        assert not admin_user.is_superuser
        assert not admin_user.user_permissions.exists()

    def test_an_administrator_cannot_edit_a_superuser(self, web: WebData) -> None:
        root = User.objects.create_superuser(username="root", password=web.password)
        client = web.client(web.user("ada", Role.ADMIN))
        assert client.post(reverse("admin:users_user_change", args=[root.pk]), {"username": "x"}).status_code == 403
        password_url = reverse("admin:auth_user_password_change", args=[root.pk])
        response = client.post(password_url, {"password1": "Hijack-2026-xx", "password2": "Hijack-2026-xx"})
        assert response.status_code in (403, 404)
        root.refresh_from_db()
        assert root.username == "root"
        assert root.check_password(web.password)

    def test_a_superuser_still_sees_superuser_status(self, web: WebData) -> None:
        root = User.objects.create_superuser(username="root", password=web.password)
        html = web.client(root).get(reverse("admin:users_user_change", args=[root.pk])).content.decode()
        assert 'name="is_superuser"' in html

    def test_a_password_changed_in_the_admin_is_audited_without_its_hash(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER)
        client = web.client(web.user("ada", Role.ADMIN))
        url = reverse("admin:auth_user_password_change", args=[officer.pk])
        response = client.post(url, {"password1": "New-passphrase-2026", "password2": "New-passphrase-2026"})
        assert response.status_code == 302
        event = AuditEvent.objects.get(name="users.user.password_changed", subject_id=officer.pk)
        assert event.after == {"password": "(changed)"}
