"""The imports page: upload a placement, payment or bank statement file, watch it run, read the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from recoup.imports.models import ColumnMapping, ImportJob
from recoup.imports.reading import import_limits
from recoup.imports.uploads import KINDS, NEEDS_CREDITOR, progress_of, start_upload
from recoup.parties.selectors import creditor_by_id, creditor_choices


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
        if data.get("kind") in NEEDS_CREDITOR and not data.get("creditor"):
            self.add_error("creditor", "Choose the creditor whose accounts the file is about.")
        upload = data.get("file")
        limit = import_limits().file_bytes
        if upload is not None and upload.size > limit:
            self.add_error(
                "file",
                f"The file is larger than {limit // (1024 * 1024):,} MB (RECOUP_IMPORT_MAX_FILE_MB).",
            )
        mapping_id = data.get("mapping")
        if mapping_id:
            mapping = ColumnMapping.objects.select_related("creditor").filter(pk=mapping_id).first()
            if mapping is None or mapping.kind != data.get("kind"):
                self.add_error("mapping", "That mapping is for another kind of file.")
            elif mapping.creditor is not None and mapping.creditor_id != data.get("creditor"):
                # A mapping saved for one creditor reads that creditor's files only; one for any creditor fits all.
                self.add_error(
                    "mapping",
                    f"That mapping is for {mapping.creditor.name}'s files: choose {mapping.creditor.name} as the"
                    " creditor, or a mapping for this creditor or for any creditor.",
                )
        return data


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a file to import, and the latest imports with their outcome (an auditor reads only)."""
    may_import = request.user.has_perm("accounts.import_data")
    if request.method == "POST" and not may_import:
        raise PermissionDenied("Importing needs the import permission")
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
    return render(
        request,
        "web/imports.html",
        {"form": form, "jobs": jobs, "may_import": may_import},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def import_progress(request: HttpRequest, token: str) -> HttpResponse:
    """How far the import has got; the page asks again every second until it has finished."""
    progress = progress_of(token)
    if progress is None:
        raise Http404("No such import")
    template = "web/includes/import_progress.html" if request.headers.get("HX-Request") else "web/import_progress.html"
    return render(request, template, {"progress": progress, "kind_label": KINDS.get(progress.kind, progress.kind)})


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
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


DELIMITER_CHOICES = [(",", "Comma (,)"), (";", "Semicolon (;)"), ("\t", "Tab"), ("|", "Pipe (|)")]
THOUSANDS_CHOICES = [
    ("", "None"),
    (",", "Comma (1,234.56)"),
    (".", "Full stop (1.234,56)"),
    (" ", "Space (1 234,56)"),
    ("'", "Apostrophe (1'234.56)"),
]
DATE_CHOICES = [
    ("%Y-%m-%d", "2025-03-31 (YYYY-MM-DD)"),
    ("%d/%m/%Y", "31/03/2025 (DD/MM/YYYY)"),
    ("%m/%d/%Y", "03/31/2025 (MM/DD/YYYY)"),
    ("%d.%m.%Y", "31.03.2025 (DD.MM.YYYY)"),
    ("%d-%m-%Y", "31-03-2025 (DD-MM-YYYY)"),
    ("%Y%m%d", "20250331 (YYYYMMDD)"),
]


class MappingForm(forms.Form):
    """How one sender's files are read; one optional "header in the file" field per column of ours."""

    name = forms.CharField(
        label="Name", max_length=100, help_text="e.g. the sender's system: 'Lakeshore core banking'."
    )
    creditor = forms.TypedChoiceField(
        label="Creditor",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Whose files these are; none for a mapping any creditor may use.",
    )
    encoding = forms.ChoiceField(
        label="Encoding",
        choices=[("utf-8", "UTF-8 (with or without BOM)"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1")],
    )
    delimiter = forms.ChoiceField(label="Delimiter", choices=DELIMITER_CHOICES)
    decimal_separator = forms.ChoiceField(
        label="Decimal separator", choices=[(".", "Full stop (12.50)"), (",", "Comma (12,50)")]
    )
    thousands_separator = forms.ChoiceField(label="Thousands separator", choices=THOUSANDS_CHOICES, required=False)
    date_format = forms.ChoiceField(label="Dates look like", choices=DATE_CHOICES)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        from recoup.imports.mappings import COLUMNS_BY_KIND

        super().__init__(*args, **kwargs)
        self.kind = kind
        creditor_field = self.fields["creditor"]
        assert isinstance(creditor_field, forms.TypedChoiceField)
        creditor_field.choices = [("", "(any creditor)"), *creditor_choices()]
        self.column_names = [c.name for c in COLUMNS_BY_KIND[kind]]
        for column in COLUMNS_BY_KIND[kind]:
            self.fields[f"column_{column.name}"] = forms.CharField(
                label=column.name,
                required=False,
                max_length=200,
                help_text=f"{column.type}{', required' if column.required else ''}. Leave empty if the header is "
                f"'{column.name}'.",
            )

    def column_fields(self) -> list[Any]:
        return [self[f"column_{name}"] for name in self.column_names]

    def settings_fields(self) -> list[Any]:
        return [
            self[name] for name in ["encoding", "delimiter", "decimal_separator", "thousands_separator", "date_format"]
        ]


def _mapping_initial(mapping: ColumnMapping) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": mapping.name,
        "creditor": mapping.creditor_id,
        "encoding": mapping.encoding,
        "delimiter": mapping.delimiter,
        "decimal_separator": mapping.decimal_separator,
        "thousands_separator": mapping.thousands_separator,
        "date_format": mapping.date_format,
    }
    initial.update({f"column_{ours}": theirs for ours, theirs in mapping.columns.items()})
    return initial


@login_required
@permission_required("accounts.import_data", raise_exception=True)
@require_http_methods(["GET", "POST"])
def mapping_edit(request: HttpRequest, kind: str, mapping_id: int | None = None) -> HttpResponse:
    """Create or change a saved column mapping for one kind of file."""
    from django.contrib import messages
    from django.utils import timezone

    from recoup.imports.mappings import save_mapping
    from recoup.imports.reading import FileProblem, FileSettings

    if kind not in KINDS:
        raise Http404("No such kind of file")
    mapping = ColumnMapping.objects.filter(pk=mapping_id, kind=kind).first() if mapping_id else None
    if mapping_id and mapping is None:
        raise Http404("No such mapping")
    form = MappingForm(request.POST or None, kind=kind, initial=_mapping_initial(mapping) if mapping else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        columns = {name: data[f"column_{name}"].strip() for name in form.column_names if data[f"column_{name}"].strip()}
        try:
            settings = FileSettings(
                encoding=data["encoding"],
                delimiter=data["delimiter"],
                decimal_separator=data["decimal_separator"],
                thousands_separator=data["thousands_separator"],
                date_format=data["date_format"],
                columns=columns,
            )
            same_name = ColumnMapping.objects.filter(kind=kind, name=data["name"], creditor_id=data["creditor"])
            if mapping is not None:
                same_name = same_name.exclude(pk=mapping.pk)
            if same_name.exists():
                raise FileProblem(f"name: there is already a {kind} mapping named '{data['name']}' for that creditor")
            if mapping is not None and (mapping.name != data["name"] or mapping.creditor_id != data["creditor"]):
                # Renamed or moved to another creditor: the same mapping (its audit trail follows by id).
                mapping.name, mapping.creditor_id = data["name"], data["creditor"]
                mapping.save(update_fields=["name", "creditor"])
            saved = save_mapping(
                name=data["name"],
                kind=kind,
                creditor=creditor_by_id(data["creditor"]) if data["creditor"] else None,
                settings=settings,
                now=timezone.now(),
                actor=request.user,
            )
        except FileProblem as exc:
            form.add_error(None, str(exc).split(": ", 1)[-1])
        else:
            messages.success(request, f"Saved the mapping '{saved.name}'.")
            return redirect("import-mappings")
    return render(
        request,
        "web/import_mapping.html",
        {"form": form, "kind": kind, "kind_label": KINDS[kind], "mapping": mapping},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("imports.view_columnmapping", raise_exception=True)
@require_GET
def mappings(request: HttpRequest) -> HttpResponse:
    """The saved column mappings (new and edit for those who may import)."""
    saved = ColumnMapping.objects.select_related("creditor").order_by("kind", "name")
    may_edit = request.user.has_perm("accounts.import_data")
    return render(request, "web/import_mappings.html", {"mappings": saved, "kinds": KINDS, "may_edit": may_edit})
