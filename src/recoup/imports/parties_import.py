"""Importing co-debtors and guarantors: a file of parties to accounts already placed.

Each row names an account of the creditor, the party's role (co-debtor or guarantor) and the party:
by the creditor's debtor reference when the file has one (the same reference across files and
accounts is the same debtor), otherwise by kind, name and date of birth. Re-importing is an upsert
keyed on account, role and that key: the same row changes nothing, changed details are updated and
audited, new phones and emails are added. A party is never removed by a file (a missing row is not
an instruction); an officer removes one on the account.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from recoup.accounts.models import Account, AccountDebtor
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.imports.debtor_columns import (
    DEBTOR_DETAILS,
    DebtorFields,
    link_debtor,
    linked_debtors,
    parse_debtor_columns,
    same_debtor_problems,
)
from recoup.imports.formats import PARTY_COLUMNS, PARTY_ROLES
from recoup.imports.models import ImportJob, ImportKind, PartyPlacement
from recoup.imports.reading import Chunk, FileSettings, Problem, parse_choice, parse_text
from recoup.imports.running import Actor as RunActor
from recoup.imports.running import ImportOutcome, run_import
from recoup.parties.dates import business_date
from recoup.parties.models import ContactPoint, Creditor, Debtor


@dataclass(frozen=True)
class _PartyRow:
    row: int
    account_id: int
    role: str
    key: str
    debtor_reference: str
    fields: DebtorFields
    digest: str


def _key(reference: str, fields: DebtorFields) -> str:
    """What identifies the party on the account across files."""
    if reference:
        return f"ref:{reference}"
    d = fields.details
    name = d["business_name"] if d["kind"] == "business" else f"{d['given_name']} {d['family_name']}"
    return f"name:{d['kind']}:{' '.join(name.casefold().split())}:{d['date_of_birth'] or ''}"[:200]


def _digest(role: str, key: str, fields: DebtorFields) -> str:
    payload = [role, key, sorted((k, str(v)) for k, v in fields.details.items()), fields.phone, fields.email]
    payload.append(fields.phone_type)
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


class PartiesImporter:
    kind = ImportKind.PARTIES
    columns = PARTY_COLUMNS
    # The parser looks up the chunk's accounts.
    parses_without_database = False

    def __init__(self, *, creditor: Creditor, settings: FileSettings, now: datetime, actor: RunActor) -> None:
        self.creditor = creditor
        self.settings = settings
        self.now = now
        self.actor = actor
        self.seen: dict[tuple[int, str, str], int] = {}
        self.seen_debtors: dict[str, tuple[int, dict[str, Any]]] = {}

    def parse(self, chunk: Chunk) -> tuple[list[_PartyRow], list[Problem]]:
        problems: list[Problem] = []
        rows = chunk.rows
        count = len(rows)

        def column(name: str) -> list[Any]:
            return chunk.values.get(name) or [None] * count

        references = parse_text(
            "account_reference", rows, column("account_reference"), problems, max_length=64, required=True
        )
        roles = parse_choice("role", rows, column("role"), problems, choices=PARTY_ROLES)
        debtor_refs = parse_text("debtor_reference", rows, column("debtor_reference"), problems, max_length=64)
        parties = parse_debtor_columns(
            rows,
            column,
            problems,
            creditor=self.creditor,
            settings=self.settings,
            today=business_date(self.creditor, self.now),
        )
        problems.extend(same_debtor_problems(rows, debtor_refs, parties, self.seen_debtors))
        accounts = dict(
            Account.objects.filter(
                creditor=self.creditor, reference__in=sorted({r for r in references if r})
            ).values_list("reference", "id")
        )
        bad = {p.row for p in problems}
        good: list[_PartyRow] = []
        for i, row in enumerate(rows):
            reference = references[i]
            if reference and reference not in accounts:
                problems.append(
                    Problem(
                        row,
                        "account_reference",
                        reference,
                        f"is not an account of {self.creditor.code}; place it with the accounts file first",
                    )
                )
                continue
            fields = parties[i]
            if row in bad or fields is None or not reference:
                continue
            key = _key(debtor_refs[i], fields)
            seen_key = (accounts[reference], roles[i], key)
            if seen_key in self.seen:
                problems.append(
                    Problem(
                        row,
                        "account_reference",
                        reference,
                        f"names this party again (first on row {self.seen[seen_key]})",
                    )
                )
                continue
            self.seen[seen_key] = row
            good.append(
                _PartyRow(
                    row, accounts[reference], roles[i], key, debtor_refs[i], fields, _digest(roles[i], key, fields)
                )
            )
        return good, problems

    def write(self, rows: list[_PartyRow], job: ImportJob, outcome: ImportOutcome) -> list[Problem]:
        known = {
            (p.account_id, p.role, p.key): p
            for p in PartyPlacement.objects.filter(account_id__in=sorted({r.account_id for r in rows}))
        }
        links = linked_debtors(self.creditor, [r.debtor_reference for r in rows])
        late: list[Problem] = []
        for row in rows:
            placed = known.get((row.account_id, row.role, row.key))
            if placed is not None and placed.row_digest == row.digest:
                outcome.unchanged += 1
                continue
            try:
                with transaction.atomic():
                    if placed is None:
                        debtor_id = self._add(row, job, links)
                        if row.debtor_reference:
                            links[row.debtor_reference] = debtor_id  # only once the row is in
                        outcome.created += 1
                    else:
                        self._update(placed, row, job)
                        outcome.updated += 1
            except _PartyRefused as refused:
                late.append(refused.problem)
        return late

    def _add(self, row: _PartyRow, job: ImportJob, links: dict[str, int]) -> int:
        debtor_id = links.get(row.debtor_reference) if row.debtor_reference else None
        if debtor_id is None:
            debtor = Debtor.objects.create(
                kind=row.fields.details["kind"],
                **{name: row.fields.details[name] for name in DEBTOR_DETAILS},
                created_at=self.now,
            )
            debtor_id = debtor.pk
            if row.debtor_reference:
                link_debtor(self.creditor, row.debtor_reference, debtor_id, self.now)
        else:
            debtor = Debtor.objects.get(pk=debtor_id)
            _refresh(debtor, row, job, self.now, self.actor)
        try:
            with transaction.atomic():
                AccountDebtor.objects.create(account_id=row.account_id, debtor_id=debtor_id, role=row.role)
        except IntegrityError:
            current = AccountDebtor.objects.get(account_id=row.account_id, debtor_id=debtor_id)
            raise _PartyRefused(
                Problem(
                    row.row,
                    "role",
                    row.role,
                    f"this debtor is already the account's {current.get_role_display().lower()}",
                )
            ) from None
        _add_contacts(debtor_id, row.fields, business_date(self.creditor, self.now))
        PartyPlacement.objects.create(
            account_id=row.account_id,
            debtor_id=debtor_id,
            role=row.role,
            key=row.key,
            job=job,
            row_digest=row.digest,
            updated_at=self.now,
        )
        record_event(
            event=Event.PARTY_PLACED,
            subject_id=row.account_id,
            account_id=row.account_id,
            occurred_at=self.now,
            actor=self.actor,
            after={"role": row.role, "debtor": debtor_id, "import": job.pk, "row": row.row},
        )
        return debtor_id

    def _update(self, placed: PartyPlacement, row: _PartyRow, job: ImportJob) -> None:
        debtor = Debtor.objects.select_for_update().get(pk=placed.debtor_id)
        _refresh(debtor, row, job, self.now, self.actor)
        _add_contacts(debtor.pk, row.fields, business_date(self.creditor, self.now))
        placed.job = job
        placed.row_digest = row.digest
        placed.updated_at = self.now
        placed.save(update_fields=["job", "row_digest", "updated_at"])


class _PartyRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _refresh(debtor: Debtor, row: _PartyRow, job: ImportJob, now: datetime, actor: RunActor) -> None:
    """Bring the party's details up to date with the file; each change audited with old and new."""
    changed = [name for name in DEBTOR_DETAILS if getattr(debtor, name) != row.fields.details[name]]
    if not changed:
        return
    before = {name: str(getattr(debtor, name) or "") for name in changed}
    for name in changed:
        setattr(debtor, name, row.fields.details[name])
    debtor.save(update_fields=changed)
    record_event(
        event=Event.DEBTOR_UPDATED,
        subject_id=debtor.pk,
        account_id=row.account_id,
        occurred_at=now,
        actor=actor,
        before=before,
        after={**{name: str(row.fields.details[name] or "") for name in changed}, "import": job.pk, "row": row.row},
    )


def _add_contacts(debtor_id: int, fields: DebtorFields, on: date) -> None:
    known = set(ContactPoint.objects.filter(debtor_id=debtor_id).values_list("kind", "value"))
    kinds = {kind for kind, _value in known}
    for kind, value, phone_type in (("phone", fields.phone, fields.phone_type), ("email", fields.email, "")):
        if value and (kind, value) not in known:
            ContactPoint.objects.create(
                debtor_id=debtor_id,
                kind=kind,
                value=value,
                phone_type=phone_type,
                source=ContactPoint.Source.PLACEMENT,
                obtained_date=on,
                is_primary=kind not in kinds,
            )


def import_parties(
    *,
    path: Path,
    creditor: Creditor,
    settings: FileSettings,
    now: datetime,
    actor: RunActor,
    accept_valid: bool = False,
    chunk_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Import a file of co-debtors and guarantors for `creditor`'s accounts. Raises FileProblem for an
    unreadable file and ImportRefused for bad rows in an all-or-nothing import."""
    return run_import(
        PartiesImporter(creditor=creditor, settings=settings, now=now, actor=actor),
        path=path,
        creditor=creditor,
        settings=settings,
        now=now,
        actor=actor,
        accept_valid=accept_valid,
        chunk_size=chunk_size,
        progress=progress,
    )
