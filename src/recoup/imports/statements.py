"""Bank statements (ISO 20022 CAMT.053, SWIFT MT940, OFX) parsed into one typed shape.

Pure Python: no database, no Django, no clock. `parse_statement(data)` takes the raw bytes of one file,
works out what it is (`detect_format`) and returns a `Statement` whose `lines` are the booked entries,
money in positive and money out negative, each carrying the payer's name, the best payment reference
and the full remittance text, so that an importer can match credits to debtor accounts.

Every line has a `line_key` that comes out the same each time the same booking is read, so the importer
can post each payment exactly once: the bank's own unique reference when the file has one, otherwise a
SHA-256 fingerprint of the line's details.

Everything wrong with a file is a `StatementError` naming where (entry number, MT940 line, XML line and
column), which field and why, in words a bank clerk can act on ("entry 3: amount (Amt): 'abc' is not a
number"). Nothing is guessed: an impossible date, an unknown currency, a missing amount or a file that
ends early stops the import rather than posting a wrong payment.

Safety: CAMT XML is read with defusedxml and any DTD is refused, so entity expansion ("billion laughs")
and external entities cannot be used; files over 100 MB and lines over 1 MB are refused before parsing.

What each format gives (examples in docs/examples/):

- CAMT.053 (camt.053.001.02 to .08, the version read from the namespace; the <Document> may sit in an
  envelope with an AppHdr): booked entries only (Sts BOOK, plain or as <Cd>); PDNG and INFO are skipped
  and counted. A batch entry (several TxDtls) gives one line per transaction with its own amount. The
  counterparty is the debtor of a credit and the creditor of a debit (RltdPties, v02 Nm or v08 Pty/Nm).
- MT940: every :20: block of the file (several days in one file are fine) with :60F: and :62F:
  balances that must agree with the lines. :86: is read as German-style ?NN sub-fields (?20-?29 and
  ?60-?63 remittance with SEPA keywords EREF+/SVWZ+, ?32-?33 name) or else as free text, which has no
  counterparty. Other bank dialects (/NAME/ /REMI/ keyword blocks) stay plain text in `remittance`.
- OFX 1.x (SGML) and 2.x (XML): bank (STMTRS) and credit-card (CCSTMTRS) statements; the pending list
  (BANKTRANLISTP) is counted as skipped. Investment statements are not read.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Final
from xml.etree.ElementTree import Element
from xml.sax.saxutils import unescape

import mt940
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from ofxtools.Parser import ParseError as OfxParseError
from ofxtools.Parser import TreeBuilder as OfxTreeBuilder
from ofxtools.Types import DT_REGEX as OFX_DATETIME_RE

from recoup.core.money import Money, MoneyError, minor_units, validate_currency

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_KEY_LENGTH",
    "MAX_LINE_BYTES",
    "Statement",
    "StatementError",
    "StatementLine",
    "detect_format",
    "parse_statement",
]

FORMATS: Final = ("camt053", "mt940", "ofx")
MAX_FILE_BYTES: Final = 100 * 1024 * 1024
"""Larger files are refused before parsing: a day's statement is kilobytes, 100 MB is not a statement."""
MAX_LINE_BYTES: Final = 1024 * 1024
"""A longer line is refused before parsing (it would be binary data or a file written without line breaks)."""

MAX_KEY_LENGTH: Final = 128
"""A line_key is never longer (it goes into a unique database column)."""

_HEAD_BYTES: Final = 64 * 1024
_PLACEHOLDER_REFERENCES: Final = frozenset({"NOTPROVIDED", "NONREF", "NOT PROVIDED", "NONE"})


# --------------------------------------------------------------------------------------------------
# The common shape
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    """One booked movement on the statement account, in the same shape whatever the file format."""

    position: int
    """1-based entry number in the file (Ntry / :61: / STMTTRN order), to point a clerk at the entry.

    CAMT counts every Ntry, pending ones included, so numbers can skip a pending entry; the lines of a
    batch booking (one Ntry, several TxDtls) share their entry's number.
    """
    line_key: str
    """Stable id for idempotency: the same booking read twice (same file or a later one) gives the same key.

    At most MAX_KEY_LENGTH characters; see `_build` for how it is made.
    """
    account: str
    """The statement's account (IBAN or account number)."""
    booked_on: date
    value_date: date | None
    amount: Money
    """Positive is a credit (money in), negative a debit (money out)."""
    counterparty: str
    """The payer (for a credit) or payee (for a debit) as the bank names them; "" if absent."""
    reference: str
    """The best payment reference: structured creditor reference, else end-to-end id, else remittance text."""
    remittance: str
    """The full remittance / memo text, "" if none."""
    bank_reference: str
    """The bank's own reference for the booking (AcctSvcrRef / FITID / :61: bank reference), "" if none."""

    @property
    def is_credit(self) -> bool:
        """Money in: a payment received (a zero-amount line is neither credit nor debit)."""
        return self.amount.is_positive


@dataclass(frozen=True)
class Statement:
    """One account's booked lines from one file."""

    format: str
    """"camt053", "mt940" or "ofx"."""
    account: str
    currency: str
    """The account currency (ISO 4217); a line may still carry another currency if the bank booked one."""
    statement_id: str
    """The bank's statement id (CAMT Stmt/Id, MT940 :20:/:28C:, OFX statement period); several joined by ", "."""
    lines: list[StatementLine]
    skipped_pending: int
    """Entries that are not booked yet (CAMT PDNG or INFO, OFX pending list): left out of `lines`."""


class StatementError(ValueError):
    """A statement file that cannot be imported: names where (entry/line number or XML place), which field, and why."""

    def __init__(self, where: str, field: str, reason: str) -> None:
        self.where = where
        self.field = field
        self.reason = reason
        super().__init__(f"{where}: {field}: {reason}")

    def __reduce__(self) -> tuple[type[StatementError], tuple[str, str, str]]:
        # Keeps the three parts when the error crosses a process boundary (a Celery task result).
        return (type(self), (self.where, self.field, self.reason))


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------


def detect_format(data: bytes) -> str:
    """Which kind of statement the bytes hold: "camt053", "mt940" or "ofx", judged from the start of the file.

    Any ISO 20022 XML document counts as "camt053" here; `parse_statement` then checks the namespace and
    says plainly when it is, say, a camt.054 notification rather than a statement.
    """
    if not data or data.isspace():
        raise StatementError("file", "content", "the file is empty")
    head = _decode_head(data[:_HEAD_BYTES]).lstrip("\ufeff \t\r\n")
    if re.search(r"OFXHEADER\s*[:=]", head[:4096], re.IGNORECASE) or re.match(
        r"(<\?xml[^>]*\?>\s*)?<OFX>", head, re.IGNORECASE
    ):
        return "ofx"
    if head.startswith("<") and (
        "urn:iso:std:iso:20022:tech:xsd:" in head or re.search(r"<([\w.-]+:)?Document[\s>]", head)
    ):
        return "camt053"
    if re.search(r"(?m)^(\{1:[^\n]*\{4:\s*)?:20:", head) and re.search(r"(?m)^:(25|28C?|60[FM]|61):", head):
        return "mt940"
    raise StatementError("file", "format", f"{_format_hint(data)}not a CAMT.053, MT940 or OFX statement")


def parse_statement(data: bytes, *, format: str | None = None) -> Statement:
    """Parse one statement file (bytes as uploaded) into a `Statement` of booked lines.

    `format` skips detection ("camt053", "mt940" or "ofx"). Size limits are checked before anything is
    parsed. A file holding statements for several accounts or currencies is refused: the result is one
    account's statement.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"parse_statement expects the file's bytes, not {type(data).__name__}")
    data = bytes(data)
    _check_limits(data)
    chosen = format if format is not None else detect_format(data)
    if chosen not in FORMATS:
        raise StatementError("file", "format", f"'{chosen}' is not one of {', '.join(FORMATS)}")
    parsers: dict[str, Callable[[bytes], Statement]] = {
        "camt053": _parse_camt053,
        "mt940": _parse_mt940,
        "ofx": _parse_ofx,
    }
    return parsers[chosen](data)


# --------------------------------------------------------------------------------------------------
# Shared helpers: limits, decoding, values, keys
# --------------------------------------------------------------------------------------------------


def _check_limits(data: bytes) -> None:
    """Refuse empty files, files over MAX_FILE_BYTES and any line over MAX_LINE_BYTES, before parsing."""
    if len(data) > MAX_FILE_BYTES:
        raise StatementError(
            "file",
            "size",
            f"the file is {_megabytes(len(data))}, over the {_megabytes(MAX_FILE_BYTES)} limit; "
            "ask the bank for one statement per day or per account",
        )
    if not data or data.isspace():
        raise StatementError("file", "content", "the file is empty")
    start = _overlong_line_start(data)
    if start is not None:
        # Lines end in LF, CRLF or (old Mac exports) CR alone: whichever the file uses counts.
        line_number = max(data.count(b"\n", 0, start), data.count(b"\r", 0, start)) + 1
        raise StatementError(
            f"line {line_number}",
            "length",
            f"the line is longer than {_megabytes(MAX_LINE_BYTES)}; a statement has short lines, so this is "
            "not a statement export (an XML file written without line breaks must be re-exported with them)",
        )


def _overlong_line_start(data: bytes) -> int | None:
    """Offset of the first line longer than MAX_LINE_BYTES, or None; jumps a window at a time, no copies."""
    position, size = 0, len(data)
    while size - position > MAX_LINE_BYTES:
        window_end = position + MAX_LINE_BYTES + 1
        last_break = max(data.rfind(b"\n", position, window_end), data.rfind(b"\r", position, window_end))
        if last_break == -1:
            return position
        position = last_break + 1
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _format_hint(data: bytes) -> str:
    """A word on what the file seems to be instead, so the clerk knows which export to ask for."""
    if data.startswith(b"%PDF"):
        return "the file is a PDF, "
    if data.startswith(b"PK\x03\x04"):
        return "the file is a ZIP archive or an Excel workbook, "
    if b"\x00" in data[:_HEAD_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is binary, "
    return "the file is "


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return _decode_text(head)


def _decode_text(data: bytes) -> str:
    """Text of an MT940 or OFX file: UTF-8 when valid, else Windows-1252, else Latin-1 (which never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _clean(text: str | None) -> str:
    """Whitespace runs (line breaks from wrapping included) collapsed to single spaces."""
    return " ".join(text.split()) if text else ""


def _show(raw: str) -> str:
    """A field value quoted for an error message, shortened so the message stays readable."""
    raw = raw.strip()
    return f"'{raw[:60]}...'" if len(raw) > 60 else f"'{raw}'"


def _real_reference(value: str | None) -> str:
    """The reference, or "" for the stand-in words banks write when there is none (NOTPROVIDED, NONREF)."""
    cleaned = _clean(value)
    return "" if cleaned.upper() in _PLACEHOLDER_REFERENCES else cleaned


def _currency(where: str, field: str, code: str) -> str:
    """The ISO 4217 code, or a StatementError naming the entry and the code."""
    if not code:
        raise StatementError(where, field, "missing")
    try:
        return validate_currency(code)
    except MoneyError:
        raise StatementError(where, field, f"{_show(code)} is not an ISO 4217 currency code") from None


def _money(where: str, field: str, amount: Decimal, currency: str) -> Money:
    """Exact money; more decimals than the currency has (12.345 GBP) is an error, never rounded."""
    try:
        return Money.of(amount, currency)
    except MoneyError:
        raise StatementError(
            where, field, f"{amount} has more decimal places than {currency} allows ({minor_units(currency)})"
        ) from None


def _real_date(where: str, field: str, raw: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise StatementError(where, field, f"{_show(raw)} is not a real date") from None


@dataclass(frozen=True, slots=True)
class _Draft:
    """A line before its key: keys need the whole statement (a bank reference must be unique in it)."""

    position: int
    booked_on: date
    value_date: date | None
    amount: Money
    counterparty: str
    reference: str
    remittance: str
    bank_reference: str
    unique_ref: tuple[str, ...]
    """The bank's unique reference for this line, in parts (empty: none, fall back to a fingerprint)."""


@dataclass(frozen=True, slots=True)
class _Part:
    """One statement inside a file (a CAMT Stmt, an MT940 :20: block, an OFX STMTRS)."""

    account: str
    currency: str
    statement_id: str
    drafts: list[_Draft]
    pending: int


def _merge(format_name: str, parts: list[_Part]) -> Statement:
    """One Statement from the file's statements, which must all be for one account in one currency."""
    if not parts:
        raise StatementError("file", "statement", "the file holds no statement")
    accounts = list(dict.fromkeys(part.account for part in parts))
    if len(accounts) > 1:
        raise StatementError(
            "file",
            "account",
            f"the file holds statements for {len(accounts)} accounts ({', '.join(accounts)}); "
            "export one account per file",
        )
    currencies = list(dict.fromkeys(part.currency for part in parts))
    if len(currencies) > 1:
        raise StatementError(
            "file",
            "currency",
            f"the file holds statements in {len(currencies)} currencies ({', '.join(currencies)}) for account "
            f"{accounts[0]}; export one currency per file",
        )
    statement_id = ", ".join(dict.fromkeys(part.statement_id for part in parts if part.statement_id))
    drafts = [draft for part in parts for draft in part.drafts]
    pending = sum(part.pending for part in parts)
    return _build(format_name, accounts[0], currencies[0], statement_id, drafts, pending)


def _build(
    format_name: str, account: str, currency: str, statement_id: str, drafts: list[_Draft], pending: int
) -> Statement:
    """The Statement with each line's key.

    A key is `format:account:ref:<bank reference parts>` when the bank's reference is present and unique
    in the file, else `format:account:sha256:<fingerprint>`; a key longer than MAX_KEY_LENGTH is replaced
    by `format:sha256:<digest of the key>`. The fingerprint covers the line's details and
    its occurrence among lines with the very same details in this statement (1st, 2nd...), so identical
    twin payments stay apart while the same booking in an overlapping file gets the same key even if
    other lines come before it. Colons and percent signs inside parts are escaped, so different parts
    can never join into the same key.
    """
    reference_counts = Counter(draft.unique_ref for draft in drafts if draft.unique_ref)
    occurrences: Counter[str] = Counter()
    lines: list[StatementLine] = []
    for draft in drafts:
        if draft.unique_ref and reference_counts[draft.unique_ref] == 1:
            key = _join_key(format_name, account, "ref", *draft.unique_ref)
        else:
            details = _fingerprint(account, draft)
            occurrences[details] += 1
            digest = hashlib.sha256(f"{details}#{occurrences[details]}".encode()).hexdigest()
            key = _join_key(format_name, account, "sha256", digest)
        lines.append(_line(draft, account, _bounded_key(format_name, key)))
    return Statement(format_name, account, currency, statement_id, lines, pending)


def _bounded_key(format_name: str, key: str) -> str:
    """The key itself, or a digest of it when it is longer than MAX_KEY_LENGTH (a FITID may have 255 characters)."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return _join_key(format_name, "sha256", hashlib.sha256(key.encode()).hexdigest())


def _line(draft: _Draft, account: str, key: str) -> StatementLine:
    return StatementLine(
        position=draft.position,
        line_key=key,
        account=account,
        booked_on=draft.booked_on,
        value_date=draft.value_date,
        amount=draft.amount,
        counterparty=draft.counterparty,
        reference=draft.reference,
        remittance=draft.remittance,
        bank_reference=draft.bank_reference,
    )


def _fingerprint(account: str, draft: _Draft) -> str:
    values = [
        account,
        draft.booked_on.isoformat(),
        draft.value_date.isoformat() if draft.value_date else "",
        str(draft.amount.amount),
        draft.amount.currency,
        draft.reference,
        draft.counterparty,
        draft.remittance,
        draft.bank_reference,
    ]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _join_key(*parts: str) -> str:
    return ":".join(part.replace("%", "%25").replace(":", "%3A") for part in parts)


def _normalise_account(account: str) -> str:
    """The account without whitespace ("GB29 NWBK 6016 ..." and "GB29NWBK6016..." are one account)."""
    return "".join(account.split())


# --------------------------------------------------------------------------------------------------
# ISO 20022 CAMT.053
# --------------------------------------------------------------------------------------------------

_ISO20022_NS: Final = "urn:iso:std:iso:20022:tech:xsd:"
_CAMT053_NS_RE: Final = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
_CAMT053_VERSIONS: Final = range(2, 9)
_OTHER_ISO20022: Final = {
    "camt.052": "an intraday account report (camt.052), not an end-of-day statement",
    "camt.054": "a debit/credit notification (camt.054), not a statement",
    "pain.001": "a payment order (pain.001), not a statement",
    "pain.002": "a payment status report (pain.002), not a statement",
    "pain.008": "a direct debit order (pain.008), not a statement",
}
_CAMT_AMOUNT_RE: Final = re.compile(r"\d+(\.\d+)?")
_CAMT_DATE_RE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")
_CAMT_DATETIME_RE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


class _Camt:
    """Lookups below CAMT elements in the file's own namespace; paths are written bare ("Sts/Cd")."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._paths: dict[str, str] = {}

    def tag(self, local: str) -> str:
        return f"{{{self.namespace}}}{local}"

    def _path(self, path: str) -> str:
        """ "Sts/Cd" as "{ns}Sts/{ns}Cd", built once per path (cheaper to look up than a prefix map)."""
        if path not in self._paths:
            self._paths[path] = "/".join(self.tag(step) for step in path.split("/"))
        return self._paths[path]

    def find(self, element: Element, path: str) -> Element | None:
        return element.find(self._path(path))

    def findall(self, element: Element, path: str) -> list[Element]:
        return element.findall(self._path(path))

    def text(self, element: Element | None, path: str) -> str:
        """The cleaned text at `path`, "" when the element is absent or empty."""
        if element is None:
            return ""
        found = self.find(element, path)
        return _clean(found.text) if found is not None else ""

    def first_text(self, element: Element, *paths: str) -> str:
        for path in paths:
            value = self.text(element, path)
            if value:
                return value
        return ""

    def texts(self, element: Element, path: str) -> list[str]:
        return [value for found in self.findall(element, path) if (value := _clean(found.text))]


def _parse_camt053(data: bytes) -> Statement:
    """Stream the XML (entries are dropped once read) and collect each Stmt's booked lines.

    The <Document> may be the root or sit inside an envelope next to a business application header
    (AppHdr), as SWIFT MX delivery does; its namespace says the message type and version.
    """
    camt: _Camt | None = None
    root_tag = ""
    parts: list[_Part] = []
    drafts: list[_Draft] = []
    pending = entry_number = 0
    body, skipped_lines = _strip_xml_prelude(data)
    try:
        events: Iterable[tuple[str, Element]] = SafeElementTree.iterparse(
            io.BytesIO(body), events=("start", "end"), forbid_dtd=True
        )
        for event, element in events:
            if camt is None:
                root_tag = root_tag or element.tag
                if event == "start" and _local_name(element.tag) == "Document":
                    camt = _Camt(_camt053_namespace(element.tag))
            elif event == "end" and element.tag == camt.tag("Ntry"):
                entry_number += 1
                lines = _camt_entry(camt, element, entry_number)
                if lines is None:
                    pending += 1
                else:
                    drafts.extend(lines)
                element.clear()
            elif event == "end" and element.tag == camt.tag("Stmt"):
                parts.append(_camt_statement(camt, element, len(parts) + 1, drafts, pending))
                drafts, pending = [], 0
                element.clear()
    except DefusedXmlException:
        raise StatementError(
            "file",
            "XML",
            "the file declares a DTD or entities, which a bank statement never needs; refused for safety",
        ) from None
    except SafeElementTree.ParseError as error:
        raise _xml_error(error, skipped_lines) from None
    if camt is None:
        raise StatementError(
            "file",
            "root element",
            f"<{_local_name(root_tag)}> holds no ISO 20022 <Document>; this is not a CAMT.053 file",
        )
    return _merge("camt053", parts)


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _strip_xml_prelude(data: bytes) -> tuple[bytes, int]:
    """Drop a UTF-8 byte-order mark and blank lines before the XML declaration, which XML forbids there.

    Returns the XML and the number of line breaks dropped, so error line numbers still match the file.
    """
    stripped = data.removeprefix(b"\xef\xbb\xbf")
    if not stripped[:1].isspace():
        return stripped, 0
    body = stripped.lstrip()
    return body, stripped.count(b"\n", 0, len(stripped) - len(body))


def _xml_error(error: SafeElementTree.ParseError, skipped_lines: int) -> StatementError:
    line, column = error.position
    message = str(error).split(":")[0]
    if message in {"no element found", "unclosed token", "unclosed CDATA section"}:
        reason = "the XML ends before the document is complete; the file looks cut off (download it again)"
    elif message == "mismatched tag":
        reason = "a closing tag does not match its opening tag; the file is damaged or was edited by hand"
    else:
        reason = f"the XML is not well-formed here ({message}); the file is damaged or not in the declared encoding"
    return StatementError(f"line {line + skipped_lines}, column {column + 1}", "XML", reason)


def _camt053_namespace(document_tag: str) -> str:
    """The <Document>'s namespace if it is a supported camt.053 version (.001.02 to .001.08); else a StatementError."""
    supported = "camt.053.001.02 to camt.053.001.08"
    namespace = document_tag[1:].partition("}")[0] if document_tag.startswith("{") else ""
    if not namespace:
        raise StatementError(
            "file", "namespace", f"the <Document> element has no namespace; expected ISO 20022 {supported}"
        )
    match = _CAMT053_NS_RE.fullmatch(namespace)
    if match is None or int(match.group(1)) not in _CAMT053_VERSIONS:
        message = _OTHER_ISO20022.get(namespace.removeprefix(_ISO20022_NS)[:8], "")
        what = f"this is {message}; " if message else ""
        raise StatementError(
            "file", "namespace", f"{_show(namespace)} is not a supported namespace ({what}expected {supported})"
        )
    return namespace


def _camt_statement(camt: _Camt, stmt: Element, number: int, drafts: list[_Draft], pending: int) -> _Part:
    where = f"statement {number}"
    account = _normalise_account(camt.first_text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id"))
    if not account:
        raise StatementError(where, "account (Acct/Id)", "missing: neither an IBAN nor Othr/Id names the account")
    code = camt.text(stmt, "Acct/Ccy")
    if not code:
        balance_amount = camt.find(stmt, "Bal/Amt")
        code = balance_amount.get("Ccy", "") if balance_amount is not None else ""
    if not code and drafts:
        code = drafts[0].amount.currency
    currency = _currency(where, "currency (Acct/Ccy)", code)
    return _Part(account, currency, camt.text(stmt, "Id"), drafts, pending)


def _camt_entry(camt: _Camt, entry: Element, number: int) -> list[_Draft] | None:
    """The booked lines of one Ntry (one, or one per TxDtls of a batch); None if the entry is not booked."""
    where = f"entry {number}"
    status = camt.first_text(entry, "Sts/Cd", "Sts/Prtry", "Sts")
    if not status:
        raise StatementError(where, "status (Sts)", "missing; expected BOOK (booked), PDNG (pending) or INFO")
    if status.upper() != "BOOK":
        return None
    sign = _camt_sign(where, "credit/debit indicator (CdtDbtInd)", camt.text(entry, "CdtDbtInd"))
    amount = _camt_amount(where, "Amt", camt.find(entry, "Amt"), sign)
    booked_on = _camt_date(where, "booking date (BookgDt)", camt, camt.find(entry, "BookgDt"))
    if booked_on is None:
        raise StatementError(where, "booking date (BookgDt)", "missing; a booked entry needs its booking date")
    value_date = _camt_date(where, "value date (ValDt)", camt, camt.find(entry, "ValDt"))
    head = _Draft(number, booked_on, value_date, amount, "", "", "", camt.text(entry, "AcctSvcrRef"), ())
    transactions = camt.findall(entry, "NtryDtls/TxDtls")
    if len(transactions) > 1:
        return [
            _camt_batch_line(camt, entry, head, sign, transaction, index)
            for index, transaction in enumerate(transactions, start=1)
        ]
    details = _camt_details(camt, transactions[0] if transactions else None, entry, credit=sign > 0)
    bank_reference = head.bank_reference or details.bank_reference
    return [
        replace(
            head,
            counterparty=details.counterparty,
            reference=details.reference,
            remittance=details.remittance,
            bank_reference=bank_reference,
            unique_ref=(bank_reference,) if bank_reference else (),
        )
    ]


def _camt_batch_line(
    camt: _Camt, entry: Element, head: _Draft, entry_sign: int, transaction: Element, index: int
) -> _Draft:
    """One TxDtls of a batch booking: its own amount (in the account currency) and its own payer.

    Its key uses the transaction's own AcctSvcrRef when it has one, else the entry's plus its place in the
    batch. The amounts are what each payer sent; they may not add up to the entry if the bank took charges.
    """
    where = f"entry {head.position}, transaction {index}"
    indicator = camt.text(transaction, "CdtDbtInd")
    sign = _camt_sign(where, "credit/debit indicator (CdtDbtInd)", indicator) if indicator else entry_sign
    amount_element = camt.find(transaction, "AmtDtls/TxAmt/Amt")
    if amount_element is None:
        amount_element = camt.find(transaction, "Amt")
    if amount_element is None:
        raise StatementError(
            where, "amount (AmtDtls/TxAmt/Amt)", "missing; each transaction of a batch booking needs its amount"
        )
    details = _camt_details(camt, transaction, entry, credit=sign > 0)
    if details.bank_reference:
        unique_ref: tuple[str, ...] = (details.bank_reference,)
    else:
        unique_ref = (head.bank_reference, f"tx{index}") if head.bank_reference else ()
    return replace(
        head,
        amount=_camt_amount(where, "AmtDtls/TxAmt/Amt", amount_element, sign),
        counterparty=details.counterparty,
        reference=details.reference,
        remittance=details.remittance,
        bank_reference=details.bank_reference or head.bank_reference,
        unique_ref=unique_ref,
    )


def _camt_sign(where: str, field: str, indicator: str) -> int:
    if indicator == "CRDT":
        return 1
    if indicator == "DBIT":
        return -1
    if not indicator:
        raise StatementError(where, field, "missing; every entry must say CRDT (money in) or DBIT (money out)")
    raise StatementError(where, field, f"{_show(indicator)} is neither CRDT (money in) nor DBIT (money out)")


def _camt_amount(where: str, tag: str, element: Element | None, sign: int) -> Money:
    """Signed money from an amount element: unsigned digits with '.' decimals, currency in its Ccy attribute."""
    if element is None:
        raise StatementError(where, f"amount ({tag})", "missing")
    raw = (element.text or "").strip()
    if not _CAMT_AMOUNT_RE.fullmatch(raw):
        reason = "missing" if not raw else f"{_show(raw)} is not a number (expected digits and a '.', like 1234.56)"
        raise StatementError(where, f"amount ({tag})", reason)
    currency = _currency(where, f"currency ({tag}/@Ccy)", element.get("Ccy", "").strip())
    return _money(where, f"amount ({tag})", sign * Decimal(raw), currency)


def _camt_date(where: str, field: str, camt: _Camt, element: Element | None) -> date | None:
    """The date of a BookgDt/ValDt element (its Dt, or the date part of its DtTm, as the bank wrote it)."""
    if element is None:
        return None
    for path, pattern in (("Dt", _CAMT_DATE_RE), ("DtTm", _CAMT_DATETIME_RE)):
        raw = camt.text(element, path)
        if raw:
            match = pattern.fullmatch(raw)
            if match is None:
                raise StatementError(where, field, f"{_show(raw)} is not a date in the form YYYY-MM-DD")
            return _real_date(where, field, raw, int(match.group(1)), int(match.group(2)), int(match.group(3)))
    raise StatementError(where, field, "holds neither Dt nor DtTm")


@dataclass(frozen=True, slots=True)
class _Details:
    counterparty: str
    reference: str
    remittance: str
    bank_reference: str


def _camt_details(camt: _Camt, transaction: Element | None, entry: Element, *, credit: bool) -> _Details:
    """Counterparty, reference, remittance and the bank's transaction reference from one TxDtls."""
    if transaction is None:
        remittance = camt.text(entry, "AddtlNtryInf")
        return _Details("", remittance, remittance, "")
    role = "Dbtr" if credit else "Cdtr"
    counterparty = camt.first_text(
        transaction,
        f"RltdPties/{role}/Nm",
        f"RltdPties/{role}/Pty/Nm",
        f"RltdPties/Ultmt{role}/Nm",
        f"RltdPties/Ultmt{role}/Pty/Nm",
    )
    unstructured = " ".join(camt.texts(transaction, "RmtInf/Ustrd"))
    structured_refs = camt.texts(transaction, "RmtInf/Strd/CdtrRefInf/Ref")
    # The remittance shows all the payer sent: free text, then structured references it does not repeat.
    pieces = [unstructured, *(ref for ref in structured_refs if ref not in unstructured)]
    remittance = " ".join(piece for piece in [*pieces, *camt.texts(transaction, "RmtInf/Strd/AddtlRmtInf")] if piece)
    remittance = remittance or camt.first_text(transaction, "AddtlTxInf") or camt.text(entry, "AddtlNtryInf")
    structured = next(iter(structured_refs), "")
    end_to_end = _real_reference(camt.text(transaction, "Refs/EndToEndId"))
    reference = structured or end_to_end or remittance
    return _Details(counterparty, reference, remittance, camt.text(transaction, "Refs/AcctSvcrRef"))


# --------------------------------------------------------------------------------------------------
# SWIFT MT940
# --------------------------------------------------------------------------------------------------

_MT940_OPTIONS: Final = mt940.Options(
    reversal_sign=True,  # RC (reversal of a credit) takes money out: negative, like a debit.
    case_insensitive_marks=True,
    unbounded_details=True,  # keep all of a long :86:, the library cuts it after 9 x 65 characters otherwise.
    non_swift_free_text=True,
    floor_limit_blank_mark=True,
    timezone_offset=True,
)
_MT940_BALANCE_SLUGS: Final = (
    "opening_balance",
    "final_opening_balance",
    "intermediate_opening_balance",
    "closing_balance",
    "final_closing_balance",
    "intermediate_closing_balance",
    "available_balance",
    "forward_available_balance",
)
_MT940_AMOUNT_RE: Final = re.compile(r"\d+(,\d*)?|,\d+")
_SEPA_KEYWORD_RE: Final = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|COAM|OAMT|SQTP)\+")
_MT940_TAG_NAMES: Final[dict[str, str]] = {
    "20": "statement reference",
    "21": "related reference",
    "25": "account",
    "28": "statement number",
    "60": "opening balance",
    "61": "statement line",
    "62": "closing balance",
    "64": "available balance",
    "65": "forward available balance",
    "86": "details",
}


def _mt940_field(tag_id: str) -> str:
    """A field name for a clerk and the tag to look for: "opening balance (:60F:)"."""
    shown = "28C" if tag_id == "28" else tag_id
    name = _MT940_TAG_NAMES.get(tag_id[:2])
    return f"{name} (:{shown}:)" if name else f":{shown}:"


class _Mt940Problem(Exception):
    """Raised by our checks inside the mt940 parser; turned into a StatementError naming the entry."""

    def __init__(self, tag: str, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.tag = tag
        self.field = field
        self.reason = reason


def _check_statement_line(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
    """Pre-processor for :61:: refuse impossible dates (the library would move 31 Feb to 28 Feb) and bad amounts."""
    year, month, day = tag_dict["year"], tag_dict["month"], tag_dict["day"]
    _check_yymmdd("61", "value date (:61:)", year, month, day)
    entry_month, entry_day = str(tag_dict.get("entry_month") or ""), str(tag_dict.get("entry_day") or "")
    if entry_month.isdigit() and entry_day.isdigit():
        _check_yymmdd("61", "booking date (:61:)", year, entry_month, entry_day, shown=f"{entry_month}{entry_day}")
    _check_mt940_amount("61", "amount (:61:)", tag_dict.get("amount") or "")
    if not tag_dict.get("id"):
        raise _Mt940Problem(
            "61", "transaction type (:61:)", "missing the 4-character type (such as NTRF or NMSC) after the amount"
        )
    return tag_dict


def _check_balance(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
    """Pre-processor for balances: a real date and a well-formed amount (the currency is checked later)."""
    tag_id = str(tag.id)
    field = _mt940_field(tag_id)
    _check_yymmdd(tag_id, field, tag_dict["year"], tag_dict["month"], tag_dict["day"])
    _check_mt940_amount(tag_id, field, tag_dict.get("amount") or "")
    return tag_dict


def _check_yymmdd(tag: str, field: str, year: str, month: str, day: str, *, shown: str = "") -> None:
    try:
        date(2000 + int(year), int(month), int(day))
    except ValueError:
        raise _Mt940Problem(tag, field, f"{_show(shown or year + month + day)} is not a real date") from None


def _check_mt940_amount(tag: str, field: str, raw: str) -> None:
    if not _MT940_AMOUNT_RE.fullmatch(raw):
        raise _Mt940Problem(tag, field, f"{_show(raw)} is not a number (expected digits and a comma, like 1234,56)")


_MT940_PROCESSORS: Final[dict[str, list[Callable[..., dict[str, Any]]]]] = {
    "pre_statement": [_check_statement_line],
    # Keep the raw :86: text: _mt940_details reads the structured ?20-?33 sub-fields and free text itself.
    "post_transaction_details": [],
    **{f"pre_{slug}": [_check_balance] for slug in _MT940_BALANCE_SLUGS},
}


def _parse_quietly(tag: mt940.tags.Tag, transactions: Any, value: str) -> dict[str, str | None]:
    """A tag's parse without the library's ERROR log line, which would copy payers' data into the logs.

    The error raised is the library's own (RuntimeError(message, tag, value)), reported by _mt940_failure.
    """
    match = tag.re.match(value)
    if match is None:
        raise RuntimeError(f"Unable to parse {tag!r}", tag, value)
    return match.groupdict()


def _quiet(tag: mt940.tags.Tag) -> mt940.tags.Tag:
    """The same tag parser, quiet on failure; the subclass keeps the class name, which the processors key on."""
    quiet_class: type[mt940.tags.Tag] = type(type(tag).__name__, (type(tag),), {"parse": _parse_quietly})
    return quiet_class()


_MT940_TAGS: Final[dict[int | str, mt940.tags.Tag]] = {
    tag_id: _quiet(tag) for tag_id, tag in mt940.tags.TAG_BY_ID.items()
}


def _parse_mt940(data: bytes) -> Statement:
    """Each :20: block is one statement (a file may hold several days); lines are numbered across the file."""
    text = _strip_swift_envelope(_decode_text(data).replace("\r\n", "\n").replace("\r", "\n"))
    starts = [match.start() for match in re.finditer(r"(?m)^:20:", text)]
    if not starts:
        raise StatementError("file", "statement reference (:20:)", "no statement starts in this file (no :20: line)")
    parts: list[_Part] = []
    position = 0
    block_ends = [*starts[1:], len(text)]
    for number, (start, end, line) in enumerate(zip(starts, block_ends, _line_numbers(text, starts), strict=True), 1):
        part = _mt940_block(text[start:end], number, line, position)
        position += len(part.drafts)
        parts.append(part)
    return _merge("mt940", parts)


def _line_numbers(text: str, offsets: list[int], first_line: int = 1) -> list[int]:
    """The line number of each offset (ascending), counting line breaks once through the text."""
    numbers: list[int] = []
    line, previous = first_line, 0
    for offset in offsets:
        line += text.count("\n", previous, offset)
        previous = offset
        numbers.append(line)
    return numbers


def _strip_swift_envelope(text: str) -> str:
    """Blank the SWIFT FIN envelope ({1:...}{2:...}{4: and -}) that some banks keep, line numbers unchanged."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("{1:"):
            body = stripped.find("{4:")
            lines[index] = stripped[body + 3 :] if body >= 0 else ""
        elif stripped.startswith(("-}", "{5:")):
            lines[index] = ""
    return "\n".join(lines)


def _mt940_block(block: str, number: int, first_line: int, first_position: int) -> _Part:
    """One :20: ... :62F: statement: account and balances must be present, and opening + lines must equal closing."""
    where = f"statement {number} (line {first_line})"
    entry_lines = _line_numbers(block, [match.start() for match in re.finditer(r"(?m)^:61:", block)], first_line)
    transactions = _mt940_transactions(block, where, entry_lines, first_position)
    statement_data: dict[str, Any] = transactions.data
    account = _normalise_account(str(statement_data.get("account_identification") or ""))
    if not account:
        raise StatementError(where, "account (:25:)", "missing; the statement does not say which account it is for")
    opening, closing = _mt940_balances(where, statement_data)
    currency = _currency(where, "currency (:60F:)", str(opening.currency or ""))
    drafts = [
        _mt940_line(transaction.data, first_position + index, line, currency)
        for index, (transaction, line) in enumerate(zip(transactions.transactions, entry_lines, strict=True), start=1)
    ]
    _check_mt940_balances(where, opening, closing, currency, drafts)
    return _Part(account, currency, _mt940_statement_id(statement_data), drafts, 0)


def _mt940_transactions(
    block: str, where: str, entry_lines: list[int], first_position: int
) -> mt940.models.Transactions:
    """The mt940 library's parse of one statement, its errors turned into StatementErrors naming the entry."""
    transactions = mt940.models.Transactions(processors=_MT940_PROCESSORS, tags=_MT940_TAGS, options=_MT940_OPTIONS)
    try:
        transactions.parse(block)
    except (_Mt940Problem, RuntimeError, ValueError, ArithmeticError, LookupError, TypeError) as error:
        raise _mt940_failure(error, len(transactions.transactions), where, entry_lines, first_position) from None
    if len(transactions.transactions) != len(entry_lines):
        raise StatementError(
            where,
            "statement line (:61:)",
            f"{len(entry_lines)} :61: lines found but {len(transactions.transactions)} could be read",
        )
    return transactions


def _mt940_balances(where: str, statement_data: dict[str, Any]) -> tuple[mt940.models.Amount, mt940.models.Amount]:
    """The opening and closing balance amounts; a missing one means an interim report or a cut-off file."""
    opening = _mt940_balance(statement_data, "opening")
    if opening is None:
        raise StatementError(
            where,
            "opening balance (:60F:)",
            "missing (an MT942 interim report has none: only MT940 end-of-day statements can be imported)",
        )
    closing = _mt940_balance(statement_data, "closing")
    if closing is None:
        raise StatementError(where, "closing balance (:62F:)", "missing; the file looks cut off (download it again)")
    return opening, closing


def _mt940_statement_id(statement_data: dict[str, Any]) -> str:
    """ ":20: reference/:28C: number[/sequence]", e.g. "TOF250314001/00062/001"."""
    reference = str(statement_data.get("transaction_reference") or "").strip()
    statement_number = str(statement_data.get("statement_number") or "")
    sequence = str(statement_data.get("sequence_number") or "")
    numbering = f"{statement_number}/{sequence}" if sequence else statement_number
    return "/".join(value for value in (reference, numbering) if value)


def _mt940_failure(
    error: Exception, parsed: int, where: str, entry_lines: list[int], first_position: int
) -> StatementError:
    """A StatementError naming the entry (or the statement) for an error raised while the library parsed."""
    if isinstance(error, _Mt940Problem):
        tag, field, reason = error.tag, error.field, error.reason
    elif isinstance(error, RuntimeError) and len(error.args) >= 3 and hasattr(error.args[1], "id"):
        tag = str(error.args[1].id)
        field = _mt940_field(tag)
        reason = f"{_show(str(error.args[2]))} does not follow the MT940 layout of this field"
    else:
        return StatementError(where, "MT940", f"the statement could not be read ({error})")
    if tag == "61":
        index = parsed
    elif tag in {"86", "NS"} and parsed:
        index = parsed - 1
    else:
        return StatementError(where, field, reason)
    line = f" (line {entry_lines[index]})" if index < len(entry_lines) else ""
    return StatementError(f"entry {first_position + index + 1}{line}", field, reason)


def _mt940_balance(statement_data: dict[str, Any], kind: str) -> mt940.models.Amount | None:
    """The final, plain or intermediate opening/closing balance's Amount (signed, with currency), or None."""
    for prefix in ("final_", "", "intermediate_"):
        balance = statement_data.get(f"{prefix}{kind}_balance")
        amount = getattr(balance, "amount", None)
        if isinstance(amount, mt940.models.Amount):
            return amount
    return None


def _check_mt940_balances(
    where: str, opening: mt940.models.Amount, closing: mt940.models.Amount, currency: str, drafts: list[_Draft]
) -> None:
    """Opening balance plus the lines must give the closing balance: a cut or altered file fails here."""
    if str(closing.currency or "") != currency:
        raise StatementError(
            where, "closing balance (:62F:)", f"in {closing.currency}, but the opening balance is in {currency}"
        )
    movement = sum((draft.amount.amount for draft in drafts), Decimal(0))
    expected = opening.amount + movement
    if expected != closing.amount:
        raise StatementError(
            where,
            "closing balance (:62F:)",
            f"the opening balance {opening.amount} plus the {len(drafts)} lines ({movement:+}) makes {expected} "
            f"{currency}, but the closing balance is {closing.amount}; the file is incomplete or was altered",
        )


def _mt940_line(data: dict[str, Any], position: int, line: int, currency: str) -> _Draft:
    """One :61: line (at `line` of the file) with its :86: details."""
    where = f"entry {position} (line {line})"
    # The library's Amount is already signed: negative for D (debit) and RC (reversal of a credit).
    amount: mt940.models.Amount = data["amount"]
    money = _money(where, "amount (:61:)", amount.amount, currency)
    value_date = _plain_date(data["date"])
    entry_date = data.get("entry_date")
    booked_on = _plain_date(entry_date) if isinstance(entry_date, date) else value_date
    bank_reference = _real_reference(data.get("bank_reference"))
    own_reference = _real_reference(data.get("customer_reference"))
    details = _mt940_details(str(data.get("transaction_details") or ""))
    remittance = details.remittance or _clean(data.get("extra_details"))
    reference = details.end_to_end or own_reference or details.purpose or remittance
    return _Draft(
        position=position,
        booked_on=booked_on,
        value_date=value_date,
        amount=money,
        counterparty=details.counterparty,
        reference=reference,
        remittance=remittance,
        bank_reference=bank_reference,
        # MT940 bank references are only promised unique per day, so the booking date is part of the key.
        unique_ref=(booked_on.isoformat(), bank_reference) if bank_reference else (),
    )


def _plain_date(value: date) -> date:
    return date(value.year, value.month, value.day)


@dataclass(frozen=True, slots=True)
class _Mt940Details:
    counterparty: str
    remittance: str
    end_to_end: str
    purpose: str


def _mt940_details(raw: str) -> _Mt940Details:
    """Read an :86: field: German-style ?NN sub-fields (?20-?29 and ?60-?63 remittance, ?32-?33 name) or free text.

    SEPA keywords inside the remittance (EREF+ end-to-end id, SVWZ+ remittance proper, ...) are split out;
    the remittance is shown with one space before each keyword.
    """
    lines = [line.strip("\r") for line in raw.split("\n")]
    compact = "".join(lines)
    counterparty = ""
    if re.match(r"\d{3}\?\d{2}", compact):
        pieces = re.split(r"\?(\d{2})", compact)
        fields = list(zip(pieces[1::2], pieces[2::2], strict=True))
        text = "".join(value for code, value in fields if "20" <= code <= "29" or "60" <= code <= "63")
        counterparty = _clean("".join(value for code, value in fields if code in {"32", "33"}))
    else:
        text = " ".join(line.strip() for line in lines if line.strip())
    keywords = _sepa_keywords(text)
    if keywords:
        remittance = " ".join(f"{key}+{value}" if key else value for key, value in keywords if key or value)
        values = dict(keywords)
        end_to_end = _real_reference(values.get("EREF"))
        purpose = _clean(values.get("SVWZ") or values.get(""))
    else:
        remittance = purpose = _clean(text)
        end_to_end = ""
    return _Mt940Details(counterparty, _clean(remittance), end_to_end, purpose)


def _sepa_keywords(text: str) -> list[tuple[str, str]]:
    """[(keyword, value)] for SEPA keywords (EREF+, SVWZ+...); text before the first one comes with key "".

    Empty when the text has no keyword at all.
    """
    matches = list(_SEPA_KEYWORD_RE.finditer(text))
    if not matches:
        return []
    found = [("", _clean(text[: matches[0].start()]))]
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        found.append((match.group(1), _clean(text[match.end() : end])))
    return found


# --------------------------------------------------------------------------------------------------
# OFX 1.x (SGML) and 2.x (XML)
# --------------------------------------------------------------------------------------------------

_OFX_AMOUNT_RE: Final = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


class _CheckedTreeBuilder(OfxTreeBuilder):
    """ofxtools' OFX tree builder, which also checks that each closing tag closes the element it names.

    The plain builder pops whatever element is open, so a damaged file could silently nest transactions
    in the wrong place; and it accepts a file that stops mid-way.
    """

    def __init__(self) -> None:
        super().__init__()
        self._open: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._open.append(tag)
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        if not self._open:
            raise OfxParseError(f"</{tag}> closes no open element")
        innermost = self._open.pop()
        if innermost != tag:
            raise OfxParseError(f"</{tag}> found where <{innermost}> should be closed")
        return super().end(tag)

    def close(self) -> Element:
        if self._open:
            raise OfxParseError(f"<{self._open[-1]}> is never closed")
        return super().close()


def _parse_ofx(data: bytes) -> Statement:
    """Bank (STMTRS) and credit-card (CCSTMTRS) statements; the header is skipped, the text decoded here.

    The file is decoded here (UTF-8, else Windows-1252) rather than trusting the OFX 1.x CHARSET header,
    which banks often get wrong; the body then goes through ofxtools' SGML/XML tree builder.
    """
    text = _decode_text(data)
    start = re.search(r"<OFX>", text, re.IGNORECASE)
    if start is None:
        raise StatementError("file", "OFX body", "no <OFX> element after the header")
    body = text[start.start() :].rstrip()
    if not re.search(r"</OFX>$", body, re.IGNORECASE):
        raise StatementError("file", "end of file (</OFX>)", "the file ends before </OFX>; it looks cut off")
    builder = _CheckedTreeBuilder()
    try:
        builder.feed(body)
        root = builder.close()
    except OfxParseError as error:
        raise _ofx_structure_error(str(error), text, start.start()) from None
    statements = [element for element in root.iter() if element.tag in {"STMTRS", "CCSTMTRS"}]
    if not statements:
        raise StatementError(
            "file", "statement (STMTRS)", "no bank or credit-card statement in the file (investment is not supported)"
        )
    parts: list[_Part] = []
    position = 0
    for number, element in enumerate(statements, start=1):
        part = _ofx_statement(element, number, position)
        position += len(part.drafts)
        parts.append(part)
    return _merge("ofx", parts)


def _ofx_structure_error(message: str, text: str, body_start: int) -> StatementError:
    """Where ofxtools stopped, as a line number of the file (it reports a character offset in the body)."""
    where = "file"
    offset = re.search(r" - position=\[(\d+):\d+\]$", message)
    if offset is not None:
        message = message[: offset.start()]
        line = text.count("\n", 0, body_start + int(offset.group(1))) + 1
        where = f"line {line}"
    return StatementError(where, "OFX structure", f"{message}; the file is damaged or was edited by hand")


def _ofx_text(element: Element | None, path: str) -> str:
    """Cleaned, unescaped text at `path` ("&amp;" is "&"), "" when absent."""
    if element is None:
        return ""
    found = element.find(path)
    if found is None or not found.text:
        return ""
    return _clean(unescape(found.text, {"&nbsp;": " ", "&apos;": "'", "&quot;": '"'}))


def _ofx_statement(statement: Element, number: int, first_position: int) -> _Part:
    where = f"statement {number}"
    account_element = statement.find("BANKACCTFROM")
    if account_element is None:
        account_element = statement.find("CCACCTFROM")
    account = _normalise_account(_ofx_text(account_element, "ACCTID"))
    if not account:
        raise StatementError(where, "account (ACCTID)", "missing; the statement does not say which account it is for")
    currency = _currency(where, "currency (CURDEF)", _ofx_text(statement, "CURDEF"))
    transactions = statement.find("BANKTRANLIST")
    booked = transactions.findall("STMTTRN") if transactions is not None else []
    drafts = [_ofx_line(element, first_position + index, currency) for index, element in enumerate(booked, start=1)]
    pending_list = statement.find("BANKTRANLISTP")
    pending = len(pending_list.findall("STMTTRNP")) if pending_list is not None else 0
    period = [_ofx_text(transactions, tag)[:8] for tag in ("DTSTART", "DTEND")]
    statement_id = "..".join(period) if all(period) else ""
    return _Part(account, currency, statement_id, drafts, pending)


def _ofx_line(transaction: Element, position: int, default_currency: str) -> _Draft:
    """One STMTTRN: TRNAMT is signed already (positive is money in)."""
    where = f"entry {position}"
    raw_amount = _ofx_text(transaction, "TRNAMT")
    if not _OFX_AMOUNT_RE.fullmatch(raw_amount):
        reason = "missing" if not raw_amount else f"{_show(raw_amount)} is not a number"
        raise StatementError(where, "amount (TRNAMT)", reason)
    symbol = _ofx_text(transaction, "CURRENCY/CURSYM")
    currency = _currency(where, "currency (CURRENCY/CURSYM)", symbol) if symbol else default_currency
    amount = _money(where, "amount (TRNAMT)", Decimal(raw_amount.replace(",", ".")), currency)
    booked_on = _ofx_date(where, "DTPOSTED", transaction)
    if booked_on is None:
        raise StatementError(where, "posting date (DTPOSTED)", "missing; a booked transaction needs its posting date")
    value_date = _ofx_date(where, "DTAVAIL", transaction) or _ofx_date(where, "DTUSER", transaction)
    fitid = _ofx_text(transaction, "FITID")
    memo = _ofx_text(transaction, "MEMO")
    reference = memo or _ofx_text(transaction, "REFNUM") or _ofx_text(transaction, "CHECKNUM")
    return _Draft(
        position=position,
        booked_on=booked_on,
        value_date=value_date,
        amount=amount,
        counterparty=_ofx_text(transaction, "NAME") or _ofx_text(transaction, "PAYEE/NAME"),
        reference=reference,
        remittance=memo,
        bank_reference=fitid,
        unique_ref=(fitid,) if fitid else (),
    )


def _ofx_date(where: str, tag: str, transaction: Element) -> date | None:
    """The calendar date as the bank wrote it (YYYYMMDD...), not shifted to UTC by the time-zone suffix."""
    raw = _ofx_text(transaction, tag)
    if not raw:
        return None
    field = {"DTPOSTED": "posting date", "DTAVAIL": "value date", "DTUSER": "transaction date"}[tag] + f" ({tag})"
    if not re.fullmatch(r"\d{8}.*", raw):
        raise StatementError(where, field, f"{_show(raw)} is not a date in the form YYYYMMDD")
    parsed = _real_date(where, field, raw, int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    if not OFX_DATETIME_RE.match(raw):
        raise StatementError(where, field, f"{_show(raw)} is not an OFX date-time (YYYYMMDDHHMMSS.sss[offset:TZ])")
    return parsed


def statement_from_lines(
    format_name: str,
    account: str,
    currency: str,
    lines: Iterable[tuple[int, date, date | None, Money, str, str, str]],
) -> Statement:
    """A Statement from lines read elsewhere (a bank's CSV export), keyed exactly as the parsers key theirs.

    Each line is (position, booked on, value date, amount, counterparty, reference, bank reference); a
    bank reference counts as unique per booking day.
    """
    drafts = [
        _Draft(
            position=position,
            booked_on=booked_on,
            value_date=value_date,
            amount=amount,
            counterparty=counterparty,
            reference=reference,
            remittance=reference,
            bank_reference=bank_reference,
            unique_ref=(booked_on.isoformat(), bank_reference) if bank_reference else (),
        )
        for position, booked_on, value_date, amount, counterparty, reference, bank_reference in lines
    ]
    return _build(format_name, account, currency, "", drafts, 0)
