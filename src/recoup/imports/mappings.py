"""Saved column mappings: how one sender's files are read (headers, encoding, separators, dates)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.imports.formats import (
    ACCOUNT_COLUMNS,
    BANK_CSV_COLUMNS,
    INVOICE_COLUMNS,
    PARTY_COLUMNS,
    PAYMENT_COLUMNS,
)
from recoup.imports.models import ColumnMapping
from recoup.imports.reading import FileProblem, FileSettings
from recoup.imports.running import Actor
from recoup.parties.models import Creditor

COLUMNS_BY_KIND = {
    "accounts": ACCOUNT_COLUMNS,
    "parties": PARTY_COLUMNS,
    "invoices": INVOICE_COLUMNS,
    "payments": PAYMENT_COLUMNS,
    "bank_statement": BANK_CSV_COLUMNS,
}
SETTING_FIELDS = ["encoding", "delimiter", "decimal_separator", "thousands_separator", "date_format"]


def settings_for(
    *,
    kind: str,
    creditor: Creditor | None,
    mapping_name: str | None,
    overrides: Mapping[str, Any],
    columns: Mapping[str, str],
) -> tuple[FileSettings, ColumnMapping | None]:
    """The settings to read a file with: a saved mapping's (if named), then any explicit overrides.

    Raises LookupError for an unknown mapping and FileProblem for settings that make no sense.
    """
    base: dict[str, Any] = {}
    mapping = None
    if mapping_name:
        mapping = ColumnMapping.objects.filter(kind=kind, name=mapping_name, creditor=creditor).first()
        if mapping is None:
            known = ", ".join(ColumnMapping.objects.filter(kind=kind, creditor=creditor).values_list("name", flat=True))
            raise LookupError(
                f"--mapping: no {kind} mapping named '{mapping_name}'"
                f"{f' for {creditor.code}' if creditor else ''} (saved: {known or 'none'})"
            )
        base = {name: getattr(mapping, name) for name in SETTING_FIELDS}
        base["columns"] = dict(mapping.columns)
    base.update({name: value for name, value in overrides.items() if value is not None and name in SETTING_FIELDS})
    if columns:
        base["columns"] = {**base.get("columns", {}), **columns}
    ours_known = {c.name for c in COLUMNS_BY_KIND[kind]}
    unknown = [ours for ours in base.get("columns", {}) if ours not in ours_known]
    if unknown:
        raise FileProblem(
            f"--column: '{unknown[0]}' is not one of our {kind} columns ({', '.join(sorted(ours_known))})"
        )
    return FileSettings(**base), mapping


def save_mapping(
    *, name: str, kind: str, creditor: Creditor | None, settings: FileSettings, now: datetime, actor: Actor
) -> ColumnMapping:
    """Create or replace a named mapping, with an audit event naming what it reads."""
    if not name.strip() or len(name) > 100:
        raise FileProblem("name: a mapping needs a name of 1 to 100 characters")
    values = {field: getattr(settings, field) for field in SETTING_FIELDS}
    with transaction.atomic():
        mapping, created = ColumnMapping.objects.update_or_create(
            kind=kind,
            name=name.strip(),
            creditor=creditor,
            defaults={**values, "columns": dict(settings.columns), "updated_at": now},
            create_defaults={**values, "columns": dict(settings.columns), "updated_at": now, "created_at": now},
        )
        record_event(
            event=Event.MAPPING_SAVED,
            subject_id=mapping.pk,
            occurred_at=now,
            actor=actor,
            after={"name": mapping.name, "kind": kind, "created": created, **values, "columns": dict(settings.columns)},
        )
    return mapping
