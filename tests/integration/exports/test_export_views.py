"""The Exports page and download: who may use it, streamed CSV, XLSX, bad input, and the audit event."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from recoup.audit.events import Event
from recoup.audit.models import AuditEvent
from recoup.exports.sources import ACCOUNT_COLUMNS, PAYMENT_COLUMNS
from recoup.users.roles import Role
from recoup.web.export_views import export_download

if TYPE_CHECKING:
    from web_data import WebData

pytestmark = pytest.mark.django_db


def page_url() -> str:
    return reverse("exports")


def download_url() -> str:
    return reverse("export-download")


def download_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(name=Event.EXPORT_DOWNLOADED.text).order_by("id"))


def streamed(response: Any) -> bytes:
    """The whole body; the test client closes a streaming response once it has been read, as a server does."""
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def close_early(response: StreamingHttpResponse) -> None:
    """Close the response as a server does when the client goes away, keeping the test's connection.

    (Closing fires request_finished, whose connection clean-up would drop the connection holding the
    test's transaction; Django's test client unhooks it around close() the same way.)
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture
def manager_client(web: WebData) -> Client:
    bank = web.creditor("nwb", "Northwind Bank")
    web.many_accounts(creditor=bank, count=3, prefix="NWB", principal_minor=10_000)
    other = web.creditor("hosp", "Mercy Hospital")
    web.many_accounts(creditor=other, count=2, prefix="HOSP", principal_minor=10_000)
    return web.client(web.user("mia", Role.MANAGER))


class TestWhoMayExport:
    @pytest.mark.parametrize("role", [Role.OFFICER, Role.TEAM_LEAD, Role.LEGAL, None])
    def test_roles_without_the_export_permission_are_refused(self, web: WebData, role: Role | None) -> None:
        client = web.client(web.user("someone", role))
        assert client.get(page_url()).status_code == 403
        response = client.post(download_url(), {"kind": "accounts", "format": "csv"})
        assert response.status_code == 403
        assert download_events() == []

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN, Role.AUDITOR])
    def test_managers_admins_and_auditors_may(self, web: WebData, role: Role) -> None:
        web.many_accounts(creditor=web.creditor("nwb"), count=2, principal_minor=10_000)
        client = web.client(web.user("someone", role))
        assert client.get(page_url()).status_code == 200
        response = client.post(download_url(), {"kind": "accounts", "format": "csv"})
        assert response.status_code == 200
        assert len(read_csv(streamed(response))) == 2

    def test_anonymous_visitors_are_sent_to_sign_in(self, client: Client, db: None) -> None:
        response = client.get(page_url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert client.post(download_url(), {"kind": "accounts"}).status_code == 302

    def test_the_download_takes_post_only(self, manager_client: Client) -> None:
        assert manager_client.get(download_url(), {"kind": "accounts"}).status_code == 405


class TestExportsPage:
    def test_a_labelled_form_and_what_each_export_contains(self, manager_client: Client) -> None:
        response = manager_client.get(page_url())
        html = response.content.decode()
        assert "<title>Exports · Recoup</title>" in html
        for field in ("kind", "creditor", "status", "as_of", "date_from", "date_to", "format"):
            assert f'<label for="id_{field}">' in html
        assert f'action="{download_url()}"' in html
        assert 'method="post"' in html
        assert "csrfmiddlewaretoken" in html
        for column in (*ACCOUNT_COLUMNS, *PAYMENT_COLUMNS):
            assert f"<code>{column.key}</code>" in html
        assert "recorded in the audit log" in html
        creditors = dict(response.context["form"].fields["creditor"].choices)
        assert set(creditors.values()) == {"All creditors", "Northwind Bank", "Mercy Hospital"}

    def test_the_page_makes_the_same_queries_however_many_creditors(self, web: WebData) -> None:
        client = web.client(web.user("mia", Role.MANAGER))
        client.get(page_url())
        with CaptureQueriesContext(connection) as few:
            client.get(page_url())
        for i in range(15):
            web.creditor(f"creditor-{i}")
        with CaptureQueriesContext(connection) as many:
            client.get(page_url())
        assert len(many.captured_queries) == len(few.captured_queries)


def read_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


class TestCsvDownload:
    def test_streams_an_attachment_named_for_the_kind_and_day(self, web: WebData, manager_client: Client) -> None:
        response = manager_client.post(download_url(), {"kind": "accounts", "format": "csv"})
        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="recoup-accounts-{web.today}.csv"'
        assert "no-cache" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        rows = read_csv(streamed(response))
        assert [r["account_reference"] for r in rows] == [
            "HOSP-00000",
            "HOSP-00001",
            "NWB-00000",
            "NWB-00001",
            "NWB-00002",
        ]
        assert rows[2]["principal"] == "100.00"

    def test_the_download_is_recorded_once_the_file_has_been_sent(self, manager_client: Client) -> None:
        response = manager_client.post(download_url(), {"kind": "accounts", "format": "csv"})
        assert download_events() == [], "nothing is read before the response streams"
        streamed(response)
        (event,) = download_events()
        assert event.actor_label == "mia"
        assert event.after == {
            "kind": "accounts",
            "format": "csv",
            "filters": {},
            "rows": 5,
            "completed": True,
            "channel": "web",
        }

    def test_a_download_cut_short_is_recorded_as_incomplete(self, web: WebData, rf: RequestFactory) -> None:
        web.many_accounts(creditor=web.creditor("big-bank"), count=800, principal_minor=10_000)
        request = rf.post(download_url(), {"kind": "accounts", "format": "csv"})
        request.user = web.user("mia", Role.MANAGER)
        response = export_download(request)
        assert isinstance(response, StreamingHttpResponse)
        first = next(iter(response.streaming_content))
        assert first.startswith(b"creditor_code,")
        close_early(response)
        (event,) = download_events()
        assert event.after is not None
        assert event.after["completed"] is False
        assert 0 < event.after["rows"] < 800

    @pytest.mark.django_db(transaction=True)
    def test_cut_short_in_autocommit_as_in_production(self, web: WebData, rf: RequestFactory) -> None:
        web.many_accounts(creditor=web.creditor("big-bank"), count=800, principal_minor=10_000)
        request = rf.post(download_url(), {"kind": "accounts", "format": "csv"})
        request.user = web.user("mia", Role.MANAGER)
        response = export_download(request)
        assert isinstance(response, StreamingHttpResponse)
        next(iter(response.streaming_content))
        close_early(response)
        assert not connection.in_atomic_block
        (event,) = download_events()
        assert event.after is not None
        assert event.after["completed"] is False

    def test_filters_go_into_the_file_name_and_the_audit_event(self, web: WebData, manager_client: Client) -> None:
        creditors = dict(
            (label, value) for value, label in manager_client.get(page_url()).context["form"].fields["creditor"].choices
        )
        response = manager_client.post(
            download_url(),
            {"kind": "accounts", "format": "csv", "creditor": creditors["Northwind Bank"], "status": "active"},
        )
        assert response["Content-Disposition"] == f'attachment; filename="recoup-accounts-nwb-{web.today}.csv"'
        rows = read_csv(streamed(response))
        assert [r["account_reference"] for r in rows] == ["NWB-00000"]
        (event,) = download_events()
        assert event.after is not None
        assert event.after["filters"] == {"creditor": "nwb", "statuses": ["active"]}
        assert event.after["rows"] == 1

    def test_payments_in_a_date_range(self, manager_client: Client) -> None:
        response = manager_client.post(
            download_url(),
            {"kind": "payments", "format": "csv", "date_from": "2026-11-01", "date_to": "2026-11-30"},
        )
        assert read_csv(streamed(response)) == []
        (event,) = download_events()
        assert event.after is not None
        assert event.after["filters"] == {"from": "2026-11-01", "to": "2026-11-30"}

    def test_activities(self, manager_client: Client) -> None:
        response = manager_client.post(download_url(), {"kind": "activities", "format": "csv"})
        body = streamed(response)
        assert body.decode().startswith("occurred_at,event,actor,")


class TestXlsxDownload:
    def test_a_workbook_attachment_recorded_before_it_is_sent(self, web: WebData, manager_client: Client) -> None:
        response = manager_client.post(download_url(), {"kind": "accounts", "format": "xlsx", "as_of": "2026-11-20"})
        assert response.status_code == 200
        assert isinstance(response, FileResponse)
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response["Content-Disposition"] == f'attachment; filename="recoup-accounts-{web.today}.xlsx"'
        (event,) = download_events()
        assert event.after is not None
        assert (event.after["format"], event.after["rows"], event.after["completed"]) == ("xlsx", 5, True)
        assert event.after["filters"] == {"as_of": "2026-11-20"}
        body = b"".join(response.streaming_content)
        assert int(response["Content-Length"]) == len(body)
        sheet = load_workbook(io.BytesIO(body)).active
        assert sheet is not None
        assert [cell.value for cell in sheet[1]] == [column.key for column in ACCOUNT_COLUMNS]
        assert sheet.max_row == 6


class TestBadInput:
    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"kind": "payments", "status": "active"}, "Only the accounts export filters by status"),
            ({"kind": "activities", "as_of": "2026-11-20"}, "Only the accounts export counts days past due"),
            ({"kind": "accounts", "date_from": "2026-11-01"}, "The accounts export has no date range"),
            (
                {"kind": "payments", "date_from": "2026-11-02", "date_to": "2026-11-01"},
                "The range ends before it starts",
            ),
            ({"kind": "payments", "date_from": "01/11/2026"}, "Enter a date as YYYY-MM-DD."),
            ({"kind": "everything"}, "Select a valid choice"),
            ({"kind": "accounts", "format": "pdf"}, "Select a valid choice"),
            ({"kind": "accounts", "status": "lost"}, "Select a valid choice"),
        ],
    )
    def test_is_explained_on_the_page_and_nothing_is_exported(
        self, manager_client: Client, data: dict[str, str], message: str
    ) -> None:
        response = manager_client.post(download_url(), {"format": "csv", **data})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Nothing was exported" in html
        assert message in html
        assert download_events() == []
