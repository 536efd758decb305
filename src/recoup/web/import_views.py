"""The imports page: upload a placement, payment or bank statement file, watch it run, read the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from recoup.imports.models import ColumnMapping, ImportJob
from recoup.imports.uploads import KINDS, progress_of, start_upload
from recoup.parties.selectors import creditor_by_id, creditor_choices

MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What is in the file", choices=list(KINDS.items()))
    creditor = forms.TypedChoiceField(
        label="Creditor",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Required for account placements; for payments and statements, limits matching to this creditor.",
    )
    mapping = forms.TypedChoiceField(
        label="Column mapping", required=False, coerce=int, empty_value=None, help_text="For files not in our format."
    )
    file = forms.FileField(label="File", help_text="CSV or Excel (.xlsx); bank statements as CAMT.053, MT940 or OFX.")
    accept_valid = forms.BooleanField(
        label="Import the good rows even if some are bad",
        required=False,
        help_text="Otherwise one bad row and nothing is written; either way every bad row is listed.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creditor_field = self.fields["creditor"]
        mapping_field = self.fields["mapping"]
        assert isinstance(creditor_field, forms.TypedChoiceField)
        assert isinstance(mapping_field, forms.TypedChoiceField)
        creditor_field.choices = [("", "(none)"), *creditor_choices()]
        mapping_field.choices = [("", "Our documented format")] + [
            (m.pk, f"{m.name} ({m.get_kind_display().lower()}{f', {m.creditor.name}' if m.creditor else ''})")
            for m in ColumnMapping.objects.select_related("creditor").order_by("kind", "name")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "accounts" and not data.get("creditor"):
            self.add_error("creditor", "Say which creditor placed these accounts.")
        upload = data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        mapping_id = data.get("mapping")
        if mapping_id:
            mapping = ColumnMapping.objects.filter(pk=mapping_id).first()
            if mapping is None or mapping.kind != data.get("kind"):
                self.add_error("mapping", "That mapping is for another kind of file.")
        return data


@login_required
@permission_required("accounts.import_data", raise_exception=True)
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a file to import, and the latest imports with their outcome."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        progress = start_upload(
            kind=data["kind"],
            file_name=upload.name,
            chunks=upload.chunks(),
            creditor=creditor_by_id(data["creditor"]) if data["creditor"] else None,
            mapping=ColumnMapping.objects.filter(pk=data["mapping"]).first() if data["mapping"] else None,
            accept_valid=data["accept_valid"],
            user_id=request.user.pk,
        )
        return redirect("import-progress", token=progress.token)
    jobs = ImportJob.objects.select_related("creditor", "requested_by").order_by("-started_at", "-id")[:20]
    return render(request, "web/imports.html", {"form": form, "jobs": jobs}, status=400 if form.errors else 200)


@login_required
@permission_required("accounts.import_data", raise_exception=True)
def import_progress(request: HttpRequest, token: str) -> HttpResponse:
    """How far the import has got; the page asks again every second until it has finished."""
    progress = progress_of(token)
    if progress is None:
        raise Http404("No such import")
    template = "web/includes/import_progress.html" if request.headers.get("HX-Request") else "web/import_progress.html"
    return render(request, template, {"progress": progress, "kind_label": KINDS.get(progress.kind, progress.kind)})


@login_required
@permission_required("accounts.import_data", raise_exception=True)
def import_rejects(request: HttpRequest, job_id: int) -> FileResponse:
    """The rejected rows of an import, with row numbers and reasons, as CSV."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not job.rejects_path or not Path(job.rejects_path).exists():
        raise Http404("This import has no rejects file")
    return FileResponse(
        Path(job.rejects_path).open("rb"),
        as_attachment=True,
        filename=f"rejects-{job.pk}-{Path(job.file_name).stem}.csv",
        content_type="text/csv; charset=utf-8",
    )
