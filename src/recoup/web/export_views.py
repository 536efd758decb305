"""The Exports page: accounts, payments or activities as CSV (streamed) or XLSX, every download audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from recoup.accounts.selectors import status_choices
from recoup.exports.services import (
    CONTENT_TYPES,
    EXPORT_LABELS,
    ExportFilters,
    ExportFormat,
    ExportKind,
    UnableToExport,
    csv_download,
    export_filename,
    xlsx_download,
)
from recoup.exports.sources import COLUMNS, Column
from recoup.parties.selectors import creditor_by_id, creditor_choices

TEMPLATE = "web/exports.html"
PERMISSION = "accounts.export_data"
FORMAT_LABELS = {
    ExportFormat.CSV.value: "CSV (UTF-8, opens in any spreadsheet)",
    ExportFormat.XLSX.value: "Excel workbook (.xlsx)",
}
_DATE_ERRORS = {"invalid": "Enter a date as YYYY-MM-DD."}


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_DATE_ERRORS,
    )


class ExportForm(forms.Form):
    """What to export and how. Status and as-of apply to accounts; the date range to the other two."""

    kind = forms.ChoiceField(
        label="Export",
        choices=[(kind.value, EXPORT_LABELS[kind]) for kind in ExportKind],
        initial=ExportKind.ACCOUNTS.value,
    )
    creditor = forms.TypedChoiceField(label="Creditor", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, help_text="Accounts only.")
    as_of = _date_field("Days past due as of", "Accounts only. Empty: today.")
    date_from = _date_field("From", "Payments and activities only: first day (UTC), included.")
    date_to = _date_field("To", "Payments and activities only: last day (UTC), included.")
    format = forms.ChoiceField(label="Format", choices=list(FORMAT_LABELS.items()), initial=ExportFormat.CSV.value)

    def __init__(
        self, data: Any = None, *, creditor_choices: list[tuple[int, str]], status_choices: list[tuple[str, str]]
    ) -> None:
        super().__init__(data)
        creditor_field = self.fields["creditor"]
        status_field = self.fields["status"]
        assert isinstance(creditor_field, forms.TypedChoiceField)
        assert isinstance(status_field, forms.ChoiceField)
        creditor_field.choices = [("", "All creditors"), *creditor_choices]
        status_field.choices = [("", "All statuses"), *status_choices]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == ExportKind.ACCOUNTS.value:
            for name in ("date_from", "date_to"):
                if cleaned.get(name):
                    self.add_error(name, "The accounts export has no date range; clear this or choose another export.")
        elif kind:
            if cleaned.get("status"):
                self.add_error("status", "Only the accounts export filters by status; choose All statuses.")
            if cleaned.get("as_of"):
                self.add_error("as_of", "Only the accounts export counts days past due; clear this date.")
            start: date | None = cleaned.get("date_from")
            end: date | None = cleaned.get("date_to")
            if start is not None and end is not None and start > end:
                self.add_error("date_to", "The range ends before it starts.")
        return cleaned

    def export(self) -> tuple[ExportKind, ExportFormat, ExportFilters]:
        """The kind, format and filters of a valid form (the creditor read from the database)."""
        cleaned = self.cleaned_data
        creditor = creditor_by_id(cleaned["creditor"]) if cleaned.get("creditor") is not None else None
        status = cleaned.get("status") or ""
        filters = ExportFilters(
            creditor=creditor,
            statuses=(status,) if status else (),
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
            as_of=cleaned.get("as_of"),
        )
        return ExportKind(cleaned["kind"]), ExportFormat(cleaned["format"]), filters


@dataclass(frozen=True)
class ExportDescription:
    """One export as the page explains it: its name and its columns."""

    kind: str
    label: str
    columns: tuple[Column, ...]


def _form(data: Any = None) -> ExportForm:
    return ExportForm(data, creditor_choices=creditor_choices(), status_choices=status_choices())


def _page(request: HttpRequest, form: ExportForm, *, status: int = 200) -> HttpResponse:
    descriptions = [ExportDescription(kind.value, EXPORT_LABELS[kind], COLUMNS[kind]) for kind in ExportKind]
    return render(request, TEMPLATE, {"form": form, "exports": descriptions}, status=status)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_safe
def export_page(request: HttpRequest) -> HttpResponse:
    """The export form, and what each export contains."""
    return _page(request, _form())


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
@never_cache
def export_download(request: HttpRequest) -> HttpResponseBase:
    """Send the export as a file: CSV streamed as it is read, XLSX once written. Recorded in the audit log."""
    form = _form(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    kind, fmt, filters = form.export()
    if form.cleaned_data.get("creditor") is not None and filters.creditor is None:
        form.add_error("creditor", "That creditor no longer exists.")
        return _page(request, form, status=400)
    now = timezone.now()
    filename = export_filename(kind=kind, fmt=fmt, filters=filters, today=timezone.localdate())
    try:
        if fmt is ExportFormat.XLSX:
            workbook, _rows = xlsx_download(kind=kind, filters=filters, actor=request.user, now=now)
            return FileResponse(
                workbook, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[ExportFormat.XLSX]
            )
        response = StreamingHttpResponse(
            csv_download(kind=kind, filters=filters, actor=request.user, now=now),
            content_type=CONTENT_TYPES[ExportFormat.CSV],
        )
    except UnableToExport as exc:
        form.add_error(None, str(exc))
        return _page(request, form, status=400)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    return response
