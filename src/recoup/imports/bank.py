"""Bank statements: import the lines, match credits to accounts, post the sure ones, queue the rest.

A credit line is matched, in order:

1. **by reference**: a word in the payment details (structured reference, end-to-end id or free
   text) is an account's reference. Exactly one such account, in the line's currency: a sure match
   (confidence 1.00), posted at once through the payment service.
2. **by debtor name and amount**: the payer's name is the primary debtor of exactly one open account
   that owes at least the amount (0.80 when the amount is the whole balance, else 0.60). Never
   posted on its own: shown as a suggestion on the unmatched payments page.

3. **by an open promise or instalment**: the amount is what an active plan, promise or settlement
   still expects on a due date within 10 days before or 5 days after the booking day. With the
   payer's name matching the account's primary debtor: 0.95; the only such due without a name
   match: 0.70. This beats a name-and-amount guess, but is still only a suggestion: one click on the
   unmatched payments page posts it (and the plan's monitoring marks the instalment at once).

Everything not posted waits on the unmatched payments page, where a person matches it to
an account, splits it across several, or rejects it. Every line's key is unique and every payment
carries an idempotency key made from it, so importing a statement twice posts nothing twice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from recoup.accounts.models import Account
from recoup.accounts.services import PaymentRequest, UnableToRecordPayments, record_payments
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.core.contact_rules import open_status_sql
from recoup.core.money import Money
from recoup.imports.models import BankLine, ImportJob, ImportKind
from recoup.imports.reading import FileProblem, FileSettings, check_file, file_digest
from recoup.imports.running import Actor
from recoup.imports.statement_csv import parse_csv_statement
from recoup.imports.statements import MAX_FILE_BYTES, Statement, StatementError, StatementLine, parse_statement
from recoup.parties.models import Creditor
from recoup.platform.bulk import in_values

SURE = Decimal("1.00")
STATEMENT_BATCH = 1_000  # lines matched, posted and recorded at a time (progress moves after each)
TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-/_.]*[A-Za-z0-9])?")
TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx", "prof", "sir"}


class UnableToMatch(Exception):
    """A person's match, split or rejection was refused; the message names the field and the reason."""


@dataclass
class StatementOutcome:
    job_id: int
    statement: Statement
    lines: int = 0
    already_imported: int = 0
    posted: int = 0
    unmatched: int = 0
    not_credits: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "lines": self.lines,
            "already_imported": self.already_imported,
            "posted": self.posted,
            "unmatched": self.unmatched,
            "not_credits": self.not_credits,
        }


@dataclass
class _Match:
    account_id: int | None
    method: str
    confidence: Decimal | None
    note: str = ""


def import_bank_statement(
    *,
    path: Path,
    now: datetime,
    actor: Actor,
    creditor: Creditor | None = None,
    settings: FileSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StatementOutcome:
    """Read a CAMT.053, MT940 or OFX statement, record its new lines, post the sure matches.

    A CSV export (.csv, .txt, .tsv) is read with `settings` (a column mapping; see
    docs/import-formats.md). Raises StatementError (nothing written but the job's record) for a file
    that cannot be read.
    `creditor` limits matching to that creditor's accounts (a client account that only receives
    their debtors' payments); without it every creditor's accounts are candidates.
    `progress`, if given, is called with (lines processed, lines in the statement) once the file is
    read and after each batch of STATEMENT_BATCH lines; the last call has both equal.
    """
    sha256, size = file_digest(path)
    job_fields = {
        "kind": ImportKind.BANK_STATEMENT,
        "creditor": creditor,
        "file_name": path.name,
        "file_sha256": sha256,
        "file_size": size,
        "mode": ImportJob.Mode.ACCEPT_VALID,
        "requested_by": actor if actor is not None and actor.is_authenticated else None,
        "started_at": now,
    }
    try:
        if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
            statement = parse_csv_statement(path, settings or FileSettings())
        else:
            try:
                check_file(path)  # the operator's limit on any import file, before it is read into memory
            except FileProblem as exc:
                raise StatementError("file", "size", str(exc).removeprefix("file: ")) from None
            if size > MAX_FILE_BYTES:  # a statement's own limit, checked here too so the file is never read in
                raise StatementError(
                    "file",
                    "size",
                    f"the file is {size / (1024 * 1024):.1f} MB, over the {MAX_FILE_BYTES // (1024 * 1024)}.0 MB limit;"
                    " ask the bank for one statement per day or per account",
                )
            statement = parse_statement(path.read_bytes())
    except StatementError as exc:
        ImportJob.objects.create(**job_fields, status=ImportJob.Status.FAILED, error=str(exc), finished_at=now)
        raise
    total = len(statement.lines)
    with transaction.atomic():
        job = ImportJob.objects.create(**job_fields, total_rows=total)
        outcome = StatementOutcome(job_id=job.pk, statement=statement, lines=total)
        known = _known_keys([line.line_key for line in statement.lines])
        new = [line for line in statement.lines if line.line_key not in known]
        outcome.already_imported = total - len(new)
        matches = _match([line for line in new if line.amount.is_positive], creditor)
        done = outcome.already_imported
        if progress is not None:
            progress(done, total)
        # A batch of lines at a time, in booking-day order (file order within a day): payments to one
        # account still apply in order of receipt, exactly as if the statement were posted in one go.
        ordered = sorted(new, key=lambda line: line.booked_on)
        for start in range(0, len(ordered), STATEMENT_BATCH):
            batch = ordered[start : start + STATEMENT_BATCH]
            sure = [
                line
                for line in batch
                if line.amount.is_positive and line.line_key in matches and matches[line.line_key].confidence == SURE
            ]
            payments = _post(sure, matches, now, actor)
            rows = [_bank_line(job, statement, line, matches.get(line.line_key), payments, outcome) for line in batch]
            BankLine.objects.bulk_create(rows, batch_size=1000)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        job.status = ImportJob.Status.SUCCEEDED
        job.processed_rows = total
        job.summary = outcome.summary()
        job.finished_at = now
        job.save()
        record_event(
            event=Event.BANK_STATEMENT_IMPORTED,
            subject_id=job.pk,
            occurred_at=now,
            actor=actor,
            after={"file": path.name, "format": statement.format, "account": statement.account, **outcome.summary()},
        )
    return outcome


def _bank_line(
    job: ImportJob,
    statement: Statement,
    line: StatementLine,
    match: _Match | None,
    payments: dict[str, int],
    outcome: StatementOutcome,
) -> BankLine:
    """The line's record, counted in the outcome: posted, waiting to be matched, or money out."""
    if not line.amount.is_positive:
        status, outcome.not_credits = BankLine.Status.NOT_A_CREDIT, outcome.not_credits + 1
    elif line.line_key in payments:
        status, outcome.posted = BankLine.Status.POSTED, outcome.posted + 1
    else:
        status, outcome.unmatched = BankLine.Status.UNMATCHED, outcome.unmatched + 1
    return BankLine(
        job=job,
        line_key=line.line_key,
        statement_format=statement.format,
        statement_account=statement.account[:64],
        position=line.position,
        booked_on=line.booked_on,
        value_date=line.value_date,
        amount_minor=line.amount.minor,
        currency=line.amount.currency,
        counterparty=line.counterparty[:200],
        reference=line.reference[:500],
        remittance=line.remittance,
        bank_reference=line.bank_reference[:100],
        status=status,
        suggested_account_id=match.account_id if match and status != BankLine.Status.POSTED else None,
        match_method=match.method if match else "",
        confidence=match.confidence if match else None,
        payment_ids=[payments[line.line_key]] if line.line_key in payments else [],
        decision_note=match.note if match else "",
    )


def _known_keys(keys: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(keys), 1000):
        known.update(
            BankLine.objects.filter(line_key__in=keys[start : start + 1000]).values_list("line_key", flat=True)
        )
    return known


def _tokens(line: StatementLine) -> set[str]:
    words = TOKEN.findall(f"{line.reference} {line.remittance}")
    return {w for word in words for w in (word, word.upper())}


def _normal_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", plain) if w and w not in TITLES]
    return " ".join(words)


def _match(credits: Sequence[StatementLine], creditor: Creditor | None) -> dict[str, _Match]:
    """Match each credit line (see the module docstring); set-based: one query for references, one for names."""
    matches: dict[str, _Match] = {}
    tokens = {line.line_key: _tokens(line) for line in credits}
    every = sorted({t for found in tokens.values() for t in found})
    by_reference: dict[str, list[tuple[int, str]]] = defaultdict(list)
    if every:
        with connection.cursor() as cursor:
            for start in range(0, len(every), 2000):
                condition, params = in_values("reference", every[start : start + 2000])
                where = f"{condition} AND creditor_id = %s" if creditor else condition
                cursor.execute(
                    f"SELECT reference, id, currency FROM accounts_account WHERE {where}",
                    [*params, creditor.pk] if creditor else params,
                )
                for reference, account_id, currency in cursor.fetchall():
                    by_reference[reference].append((account_id, currency))
    unmatched: list[StatementLine] = []
    for line in credits:
        found = {hit for token in tokens[line.line_key] for hit in by_reference.get(token, [])}
        if len(found) == 1:
            account_id, currency = next(iter(found))
            if currency == line.amount.currency:
                matches[line.line_key] = _Match(account_id, BankLine.Method.REFERENCE, SURE)
            else:
                matches[line.line_key] = _Match(
                    account_id,
                    BankLine.Method.REFERENCE,
                    Decimal("0.50"),
                    f"the reference names an account in {currency}, the payment is in {line.amount.currency}",
                )
        elif len(found) > 1:
            matches[line.line_key] = _Match(
                None, BankLine.Method.REFERENCE, None, f"the details name {len(found)} accounts"
            )
        else:
            unmatched.append(line)
    matches.update(_match_by_name(unmatched, creditor))
    for key, promised in _match_by_arrangement(unmatched, creditor).items():
        current = matches.get(key)
        if current is None or (current.confidence or Decimal(0)) < (promised.confidence or Decimal(0)):
            matches[key] = promised
    return matches


DUE_WINDOW_BEFORE = 10  # a payment up to 10 days after the due date (late, in or past grace)
DUE_WINDOW_AFTER = 5  # or up to 5 days early


def _match_by_arrangement(lines: Sequence[StatementLine], creditor: Creditor | None) -> dict[str, _Match]:
    """Lines whose amount is exactly what an open arrangement expects around the booking day."""
    if not lines:
        return {}
    amounts = sorted({line.amount.minor for line in lines})
    first = min(line.booked_on for line in lines) - timedelta(days=DUE_WINDOW_BEFORE)
    last = max(line.booked_on for line in lines) + timedelta(days=DUE_WINDOW_AFTER)
    condition, params = in_values("d.amount_minor - d.paid_minor", amounts)
    creditor_sql = " AND acct.creditor_id = %s" if creditor else ""
    dues: list[tuple[int, str, int, date, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.account_id, acct.currency, d.amount_minor - d.paid_minor, d.due_date, "
            "COALESCE(deb.given_name, ''), COALESCE(deb.family_name, ''), COALESCE(deb.business_name, '') "
            "FROM arrangements_due d JOIN arrangements_arrangement a ON a.id = d.arrangement_id "
            "JOIN accounts_account acct ON acct.id = a.account_id "
            "LEFT JOIN accounts_account_debtor r ON r.account_id = acct.id AND r.role = 'primary' "
            "LEFT JOIN parties_debtor deb ON deb.id = r.debtor_id "
            f"WHERE a.state = 'active' AND d.status IN ('pending', 'due') AND {condition} "
            f"AND d.due_date BETWEEN %s AND %s{creditor_sql}",
            [*params, first, last, *([creditor.pk] if creditor else [])],
        )
        for account_id, currency, owed, due_date, given, family, business in cursor.fetchall():
            names = {_normal_name(f"{given} {family}"), _normal_name(f"{family} {given}"), _normal_name(business)}
            for name in names or {""}:
                dues.append((account_id, currency, owed, due_date, name))
    matches: dict[str, _Match] = {}
    for line in lines:
        near = {
            (account_id, name)
            for account_id, currency, owed, due_date, name in dues
            if currency == line.amount.currency
            and owed == line.amount.minor
            and line.booked_on - timedelta(days=DUE_WINDOW_BEFORE)
            <= due_date
            <= line.booked_on + timedelta(days=DUE_WINDOW_AFTER)
        }
        accounts = {account_id for account_id, _name in near}
        payer = _normal_name(line.counterparty)
        named = {account_id for account_id, name in near if payer and name == payer}
        if len(named) == 1:
            matches[line.line_key] = _Match(next(iter(named)), BankLine.Method.ARRANGEMENT, Decimal("0.95"))
        elif len(accounts) == 1:
            matches[line.line_key] = _Match(next(iter(accounts)), BankLine.Method.ARRANGEMENT, Decimal("0.70"))
    return matches


def _match_by_name(lines: Sequence[StatementLine], creditor: Creditor | None) -> dict[str, _Match]:
    names = {line.line_key: _normal_name(line.counterparty) for line in lines if line.counterparty.strip()}
    # Banks write "ALVAREZ MARIA" as often as "Maria Alvarez": every word may be the family name.
    families = sorted({word for name in names.values() for word in name.split()})
    full_names = sorted({name for name in names.values() if name})
    if not families:
        return {}
    candidates: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    with connection.cursor() as cursor:
        for start in range(0, len(families), 1000):
            condition, params = in_values("LOWER(d.family_name)", families[start : start + 1000])
            business, business_params = in_values("LOWER(d.business_name)", full_names[start : start + 1000])
            creditor_sql = " AND a.creditor_id = %s" if creditor else ""
            cursor.execute(
                "SELECT d.given_name, d.family_name, d.business_name, a.id, a.currency, "
                "a.principal_minor + a.interest_minor + a.fees_minor + a.costs_minor "
                "FROM parties_debtor d JOIN accounts_account_debtor r ON r.debtor_id = d.id AND r.role = 'primary' "
                f"JOIN accounts_account a ON a.id = r.account_id WHERE ({condition} OR {business}) "
                f"AND {open_status_sql('a.status')}{creditor_sql}",
                [*params, *business_params, *([creditor.pk] if creditor else [])],
            )
            for given, family, business_name, account_id, currency, owed in cursor.fetchall():
                for key in {
                    _normal_name(f"{given} {family}"),
                    _normal_name(f"{family} {given}"),
                    _normal_name(business_name),
                }:
                    if key:
                        candidates[key].append((account_id, currency, owed))
    matches: dict[str, _Match] = {}
    for line in lines:
        name = names.get(line.line_key, "")
        owing = [
            (account_id, owed)
            for account_id, currency, owed in candidates.get(name, [])
            if currency == line.amount.currency and owed >= line.amount.minor
        ]
        if len(owing) == 1:
            account_id, owed = owing[0]
            confidence = Decimal("0.80") if owed == line.amount.minor else Decimal("0.60")
            matches[line.line_key] = _Match(account_id, BankLine.Method.NAME_AND_AMOUNT, confidence)
    return matches


def _key(line_key: str, part: int | None = None) -> str:
    digest = hashlib.sha256(line_key.encode()).hexdigest()[:48]
    return f"bank:{digest}" if part is None else f"bank:{digest}:{part}"


def _received_at(day: date) -> datetime:
    """A statement gives the booking day; noon UTC keeps that calendar day in every time zone we serve."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _post(lines: Sequence[StatementLine], matches: dict[str, _Match], now: datetime, actor: Actor) -> dict[str, int]:
    """Post the sure lines in one batch; return line key to payment id for those that posted."""
    if not lines:
        return {}
    requests = [
        PaymentRequest(
            account_id=matches[line.line_key].account_id or 0,
            amount=line.amount,
            received_at=_received_at(line.booked_on),
            received_on=line.booked_on,
            method="bank_transfer",
            external_reference=(line.bank_reference or line.reference)[:100],
            idempotency_key=_key(line.line_key),
        )
        for line in lines
    ]
    result = record_payments(requests=requests, now=now, actor=actor, accept_valid=True)
    refused = {problem.index: problem for problem in result.problems}
    posted: dict[str, int] = {}
    for index, line in enumerate(lines):
        payment_id = result.payment_ids[index]
        if index in refused or payment_id is None:
            problem = refused.get(index)
            matches[line.line_key].confidence = None
            matches[line.line_key].note = f"not posted: {problem.field}: {problem.reason}" if problem else "not posted"
        else:
            posted[line.line_key] = payment_id
    return posted


def _locked_line(line_id: int) -> BankLine:
    line = BankLine.objects.select_for_update().filter(pk=line_id).first()
    if line is None:
        raise UnableToMatch(f"line: no bank line with id {line_id}")
    if line.status != BankLine.Status.UNMATCHED:
        raise UnableToMatch(f"line: this payment is already {line.get_status_display().lower()}")
    return line


def match_line(*, line_id: int, account: Account, now: datetime, actor: Actor, note: str = "") -> BankLine:
    """A person says which account an unmatched credit is for: it is posted to that account."""
    return split_line(line_id=line_id, parts=[(account, None)], now=now, actor=actor, note=note)


def split_line(
    *,
    line_id: int,
    parts: Sequence[tuple[Account, Money | None]],
    now: datetime,
    actor: Actor,
    note: str = "",
) -> BankLine:
    """Post an unmatched credit across several accounts (amounts must add up to the credit exactly).

    A single part with no amount takes the whole credit.
    """
    if not parts:
        raise UnableToMatch("accounts: choose at least one account")
    with transaction.atomic():
        line = _locked_line(line_id)
        whole = Money.from_minor(line.amount_minor, line.currency)
        amounts = [whole if amount is None and len(parts) == 1 else amount for _, amount in parts]
        for number, ((account, _), amount) in enumerate(zip(parts, amounts, strict=True), start=1):
            if amount is None:
                raise UnableToMatch(f"amount {number}: each part of a split needs an amount")
            if amount.currency != line.currency:
                raise UnableToMatch(f"amount {number}: {amount.currency} differs from the payment's {line.currency}")
            if not amount.is_positive:
                raise UnableToMatch(f"amount {number}: must be more than zero")
            if account.currency != line.currency:
                raise UnableToMatch(
                    f"account {number}: {account.reference} is in {account.currency}, not {line.currency}"
                )
        total = sum(a.minor for a in amounts if a is not None)
        if total != line.amount_minor:
            raise UnableToMatch(
                f"amounts: the parts add up to {Money.from_minor(total, line.currency)}, the payment is {whole}"
            )
        requests = [
            PaymentRequest(
                account_id=account.pk,
                amount=amount,
                received_at=_received_at(line.booked_on),
                received_on=line.booked_on,
                method="bank_transfer",
                external_reference=(line.bank_reference or line.reference)[:100],
                idempotency_key=_key(line.line_key, number if len(parts) > 1 else None),
            )
            for number, ((account, _), amount) in enumerate(zip(parts, amounts, strict=True), start=1)
            if amount is not None
        ]
        try:
            result = record_payments(requests=requests, now=now, actor=actor)
        except UnableToRecordPayments as exc:
            raise UnableToMatch(str(exc)) from None
        line.status = BankLine.Status.POSTED
        line.match_method = BankLine.Method.PERSON
        line.payment_ids = [pk for pk in result.payment_ids if pk is not None]
        line.decided_by_id = actor.pk if actor is not None and actor.is_authenticated else None
        line.decided_at = now
        line.decision_note = note
        line.save()
        record_event(
            event=Event.BANK_LINE_SPLIT if len(parts) > 1 else Event.BANK_LINE_MATCHED,
            subject_id=line.pk,
            occurred_at=now,
            actor=actor,
            before={"status": BankLine.Status.UNMATCHED},
            after={
                "status": BankLine.Status.POSTED,
                "amount": str(whole),
                "to": [
                    {"account": account.reference, "amount": str(amount)}
                    for (account, _), amount in zip(parts, amounts, strict=True)
                ],
                "payments": line.payment_ids,
                "note": note,
            },
        )
    return line


def reject_line(*, line_id: int, reason: str, now: datetime, actor: Actor) -> BankLine:
    """Not a collections payment (a refund, a misdirected transfer): recorded as rejected, with why."""
    if not reason.strip():
        raise UnableToMatch("reason: say why the payment is rejected")
    with transaction.atomic():
        line = _locked_line(line_id)
        line.status = BankLine.Status.REJECTED
        line.decided_by_id = actor.pk if actor is not None and actor.is_authenticated else None
        line.decided_at = now
        line.decision_note = reason.strip()
        line.save()
        record_event(
            event=Event.BANK_LINE_REJECTED,
            subject_id=line.pk,
            occurred_at=now,
            actor=actor,
            before={"status": BankLine.Status.UNMATCHED},
            after={"status": BankLine.Status.REJECTED, "reason": reason.strip()},
        )
    return line
