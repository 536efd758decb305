"""Message templates: merge fields from a fixed, documented set, rendered without any template logic.

A template is text with `{{ field }}` tokens. Only the fields in `MERGE_FIELDS` exist: a template can
say a debtor's name or a balance but cannot run code, loop, read attributes or reach anything else
(the sandbox is that there is no language, only substitution). `template_problems` names every
unknown or malformed token so a template is refused when it is saved, not when it is sent.
`render_text` fills the tokens for a plain-text part; `render_html` escapes every value and the
surrounding text and turns blank-line paragraphs into <p> and single line breaks into <br>.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

# field: what it is, for the template editor and docs/communications.md.
MERGE_FIELDS: dict[str, str] = {
    "debtor_name": "The debtor's full name (or business name)",
    "debtor_first_name": "The debtor's given name (the full name for a business)",
    "account_reference": "The creditor's account reference",
    "creditor_name": "The creditor's name",
    "original_creditor": "The original creditor, where the debt was bought or placed",
    "balance": "What is owed now, all components, with its currency",
    "principal": "Principal owed now",
    "interest": "Interest owed now",
    "fees": "Fees owed now",
    "costs": "Costs owed now",
    "itemization_date": "The itemization date (US-12)",
    "itemization_amount": "What was owed on the itemization date",
    "next_payment": "The next payment due under a plan or promise, with its date, or nothing",
    "payment_link": "Where to pay (the creditor's payment page), or nothing",
    "officer_name": "The officer who works the account",
    "collector_name": "The name the firm collects under",
    "collector_phone": "The firm's phone number for debtors",
    "unsubscribe_url": "The link that stops emails to this address (required in every US email)",
    "today": "The day the message is written",
}

TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
STRAY = re.compile(r"\{\{|\}\}")
FIELD_NAME = re.compile(r"^[a-z_]+$")


class TemplateError(ValueError):
    """A template that cannot be used; the message names the token and the reason."""


@dataclass(frozen=True)
class TemplateProblem:
    field: str  # the template part: subject or body
    token: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: '{self.token}' {self.reason}"


def template_problems(text: str, *, part: str = "body") -> list[TemplateProblem]:
    """Every token in `text` that is not a known merge field, and every stray brace pair."""
    problems: list[TemplateProblem] = []
    for match in TOKEN.finditer(text):
        name = match.group(1)
        if not FIELD_NAME.match(name):
            problems.append(
                TemplateProblem(part, match.group(0), "is not a merge field (only names like {{ balance }})")
            )
        elif name not in MERGE_FIELDS:
            problems.append(
                TemplateProblem(part, match.group(0), f"is not a merge field; known: {', '.join(MERGE_FIELDS)}")
            )
    leftover = TOKEN.sub("", text)
    for match in STRAY.finditer(leftover):
        problems.append(TemplateProblem(part, match.group(0), "is an unmatched brace pair"))
    return problems


def fields_used(text: str) -> set[str]:
    return {m.group(1) for m in TOKEN.finditer(text)}


def _check(text: str, values: Mapping[str, str]) -> None:
    problems = template_problems(text)
    if problems:
        raise TemplateError("; ".join(str(p) for p in problems))
    missing = sorted(fields_used(text) - set(values))
    if missing:
        raise TemplateError(f"values: no value for {', '.join(missing)}")


def render_text(text: str, values: Mapping[str, str]) -> str:
    """`text` with each token replaced by its value (as plain text)."""
    _check(text, values)
    return TOKEN.sub(lambda m: values[m.group(1)], text)


def render_html(text: str, values: Mapping[str, str]) -> str:
    """`text` as HTML: every value and all surrounding text escaped, paragraphs and line breaks kept.
    A URL value (the unsubscribe and payment links) becomes a link."""
    _check(text, values)

    def value(match: re.Match[str]) -> str:
        raw = values[match.group(1)]
        escaped = html.escape(raw)
        if raw.startswith(("https://", "http://")):
            return f'<a href="{escaped}">{escaped}</a>'
        return escaped

    pieces: list[str] = []
    last = 0
    for match in TOKEN.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(value(match))
        last = match.end()
    pieces.append(html.escape(text[last:]))
    joined = "".join(pieces).replace("\r\n", "\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", joined) if p.strip()]
    return "\n".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
