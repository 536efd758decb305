"""Time-barred disclosures (US-16): the words a jurisdiction requires in a collection message about a
debt whose limitation period has ended but which is not extinguished.

`DISCLOSURES` is the table Recoup ships, one `TimeBarredDisclosure` per jurisdiction that requires one
and where `limitation.PERIODS` knows the period (Recoup cannot tell a debt is time-barred anywhere
else, so a disclosure there could never apply):

- New York (23 NYCRR 1.3, the Department of Financial Services' debt-collection regulation): before a
  third-party collector or debt buyer accepts payment on a debt whose limitation period may have
  expired, it must tell the consumer so, clearly and conspicuously, in the medium it accepts payment by.
  Recoup puts it in every collection letter, email and text on such a debt. The wording is the safe
  harbour of 1.3(c), with its last element (a payment may restart the period) replaced as CPLR 214-i
  requires for consumer credit: there, nothing revives the period. Recoup's New York periods are the
  consumer-credit ones (`PERIODS`), so every New York consumer debt Recoup calls time-barred is such a
  debt. The wording comes from secondary sources: it is marked `verified=False` ("[secondary - verify]"
  in docs/compliance.md) and a firm changes it with `parse_overrides` (RECOUP_TIME_BARRED_DISCLOSURES).
- England, Wales and Northern Ireland (UK-06), and Australia (AU-05): the law prescribes no wording.
  CONC 7.15 and CONC 7.11.6 (and the ACCC/ASIC guideline, section 20) forbid misleading the person about
  a statute-barred debt or suggesting action that cannot be taken, which the legal-threat check
  enforces; none requires a set text, so no row is shipped. A firm that wants one (many UK debt
  purchasers say so in every letter) adds it with `parse_overrides`; it is then inserted and required
  exactly like New York's.
- Scotland and New South Wales: the debt is extinguished, not time-barred, and nothing but the message
  saying so may be sent (`limitation.EXTINGUISHED_ALLOWS`); a disclosure there is refused.

A disclosure whose law distinguishes debts that may still be reported to a credit bureau from those
that may not (California's Civil Code 1788.14(d), for example) carries both wordings (`text` and
`reportable_text`); `may_be_reported` says which applies. New York makes no such distinction.

`required_disclosure` says which disclosure, if any, a message needs; `has_disclosure` and
`disclosure_spans` find it in a text (whatever its line breaks, case or quote marks); `with_disclosure`
puts it at the top of a text that lacks it (Regulation F lets a state's time-barred disclosure stand
on the front of the validation notice, §1006.34(d)(3)(iv)(B)), and leaves a text that has it alone.
Nothing here reads the clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from recoup.core.compliance.limitation import PERIODS
from recoup.core.compliance.model import Channel

# Which rule a time-barred disclosure (and a legal threat on a time-barred debt) falls under, by country.
TIME_BARRED_RULES = {"US": "US-16", "AU": "AU-05", "GB": "UK-06"}

# The channels a disclosure must appear in: the written ones. A call is a conversation (its script is the
# firm's), and a limited-content voicemail may say nothing about the debt at all (US-09).
DISCLOSURE_CHANNELS = frozenset({Channel.LETTER, Channel.EMAIL, Channel.SMS})

# The purpose that needs it: a collection message. Statements and notices that may not ask for payment
# (NO-PAY-REQUEST), opt-out and cease confirmations and the extinguished notice say nothing that invites
# a payment, and some must stay short.
DISCLOSURE_PURPOSES = frozenset({"collection"})

# What messages call a jurisdiction a firm adds without naming it ("place").
PLACE_NAMES = {
    "GB": "England, Wales and Northern Ireland",
    "AU": "Australia",
    "AU-NT": "the Northern Territory",
    "AU-VIC": "Victoria",
    "AU-QLD": "Queensland",
    "AU-SA": "South Australia",
    "AU-WA": "Western Australia",
    "AU-TAS": "Tasmania",
    "AU-ACT": "the Australian Capital Territory",
}

MAX_CHARS = 3000
_NEEDED = {
    "text": "give the words to put in the messages",
    "citation": "name the law or firm policy that asks for the words (Recoup ships none for this jurisdiction)",
}
_FIELDS = frozenset({"text", "reportable_text", "citation", "collectors_only", "place"})
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u202f": " "})


class InvalidDisclosure(ValueError):
    """A disclosure setting Recoup cannot use; the message names the entry, the field and why."""


@dataclass(frozen=True)
class TimeBarredDisclosure:
    """The disclosure one jurisdiction requires in a collection message on a time-barred debt.

    `rule` is the COMPLIANCE.md rule a missing disclosure breaks; `citation` the law that requires the
    words; `text` the words; `reportable_text`, when the law has a second wording for a debt that may
    still be reported to a credit bureau, that wording ("" when the law has one wording). With
    `collectors_only` the law binds third-party collectors and debt buyers only, not a creditor
    collecting its own debt. `verified` is False for wording Recoup took from secondary sources;
    `origin` is "recoup" for the shipped table and "firm" for a firm's own wording; `by_law` is False for
    a disclosure the firm asks for where the law sets none (a UK or Australian one).
    """

    country: str
    region: str
    place: str
    rule: str
    citation: str
    text: str
    reportable_text: str = ""
    collectors_only: bool = False
    verified: bool = False
    origin: str = "recoup"
    by_law: bool = True

    def wording(self, *, reportable: bool) -> str:
        """The words for a debt that may (`reportable`) or may not still be reported to a credit bureau."""
        return self.reportable_text if reportable and self.reportable_text else self.text

    @property
    def wordings(self) -> tuple[str, ...]:
        return tuple(words for words in (self.text, self.reportable_text) if words)


Table = Mapping[tuple[str, str], TimeBarredDisclosure]

NEW_YORK_TEXT = (
    "We are required by regulation of the New York State Department of Financial Services to notify you of "
    "the following information. This information is NOT legal advice: Your creditor or debt collector "
    "believes that the legal time limit (statute of limitations) for suing you to collect this debt may have "
    "expired. It is a violation of the Fair Debt Collection Practices Act, 15 U.S.C. section 1692 et seq., to "
    "sue to collect on a debt for which the statute of limitations has expired. If a creditor sues you to "
    "collect on this debt, you may be able to prevent the creditor from obtaining a judgment against you. To do "
    "so, you must tell the court that the statute of limitations has expired. Even if the statute of "
    "limitations has expired, you may choose to make payments on the debt. You are not required to admit, "
    "affirm or acknowledge the debt, to promise to pay it, or to waive the statute of limitations. Under New "
    "York law, a payment on this debt, or admitting, affirming, acknowledging or promising to pay it, does not "
    "restart the time limit, and your creditor or debt collector will NOT sue you to collect this debt. If you "
    "would like to learn more about your legal rights and options, you can consult an attorney or a legal "
    "assistance or legal aid organization."
)

DISCLOSURES: dict[tuple[str, str], TimeBarredDisclosure] = {
    ("US", "NY"): TimeBarredDisclosure(
        country="US",
        region="NY",
        place="New York",
        rule="US-16",
        citation="23 NYCRR 1.3(b)-(c); the safe-harbour wording, adapted to CPLR 214-i (no revival)",
        text=NEW_YORK_TEXT,
        collectors_only=True,
        verified=False,
    ),
}
"""The time-barred disclosures Recoup ships, by (country, region); region "" covers the whole country."""


def lookup(table: Table, country: str, region: str) -> TimeBarredDisclosure | None:
    """The disclosure for a debtor in `country` and `region`: the region's own, else the country's."""
    country, region = country.upper(), region.upper()
    return table.get((country, region)) or table.get((country, ""))


def required_disclosure(
    *,
    table: Table,
    country: str,
    region: str,
    time_barred: bool,
    third_party_collector: bool,
    channel: Channel,
    purpose: str,
) -> TimeBarredDisclosure | None:
    """The disclosure a message must carry, or None: only a written collection message on a time-barred
    debt where the debtor's jurisdiction requires one (and, where the law binds only collectors, sent
    by a third-party collector) needs it."""
    if not time_barred or channel not in DISCLOSURE_CHANNELS or purpose not in DISCLOSURE_PURPOSES:
        return None
    entry = lookup(table, country, region)
    if entry is None or (entry.collectors_only and not third_party_collector):
        return None
    return entry


# Finding and inserting ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _pattern(wording: str) -> re.Pattern[str]:
    words = wording.translate(_QUOTES).split()
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def disclosure_spans(text: str, wording: str) -> list[tuple[int, int]]:
    """Where `wording` stands in `text` (start, end), whatever the line breaks, case or curly quotes."""
    if not wording.strip():
        return []
    return [match.span() for match in _pattern(wording).finditer(text.translate(_QUOTES))]


def has_disclosure(text: str, wording: str) -> bool:
    """Whether `text` carries `wording` whole (line breaks, case and quote marks aside)."""
    return bool(disclosure_spans(text, wording))


def with_disclosure(text: str, wording: str) -> str:
    """`text` with `wording` as its first paragraph, unless it carries it already (never twice)."""
    if not wording.strip() or has_disclosure(text, wording):
        return text
    return f"{wording}\n\n{text}"


# Credit reporting -----------------------------------------------------------------------------------

FCRA_REPORTING_YEARS = 7
FCRA_DELAY = timedelta(days=180)


def may_be_reported(*, country: str, first_delinquency: date | None, on: date) -> bool:
    """Whether a debt may still be reported to a credit bureau on `on`, for the disclosures that word it
    differently: in the US, for 7 years from 180 days after the delinquency began (FCRA §605(a)(4),
    (c)); where the start or the law is unknown, True (the wording that promises nothing)."""
    if country.upper() != "US" or first_delinquency is None:
        return True
    start = first_delinquency + FCRA_DELAY
    try:
        ends = start.replace(year=start.year + FCRA_REPORTING_YEARS)
    except ValueError:  # 29 February
        ends = start.replace(year=start.year + FCRA_REPORTING_YEARS, day=28)
    return on < ends


# The firm's wording ---------------------------------------------------------------------------------


def _jurisdiction(key: str) -> tuple[str, str]:
    parts = key.strip().upper().split("-")
    if len(parts) > 2 or not all(part.isalpha() for part in parts) or len(parts[0]) != 2:
        raise InvalidDisclosure(f"{key!r}: name a jurisdiction as a country code (GB) or country-region (US-NY)")
    return parts[0], parts[1] if len(parts) == 2 else ""


def _check_place(key: str, country: str, region: str) -> None:
    found = PERIODS.get((country, region)) or (PERIODS.get((country, "")) if region else None)
    if found is None:
        raise InvalidDisclosure(
            f"{key}: Recoup knows no limitation period there, so it cannot tell when a debt is time-barred "
            "and the disclosure would never be used"
        )
    if found[2]:
        raise InvalidDisclosure(
            f"{key}: a debt there is extinguished when its period ends ({found[3]}), not time-barred; nothing "
            "but the message saying so may be sent, so no disclosure applies"
        )


def _words(key: str, field: str, value: object, *, required: bool) -> str:
    if value is None:
        if required:
            raise InvalidDisclosure(f"{key}.{field}: is missing; {_NEEDED[field]}")
        return ""
    if not isinstance(value, str):
        raise InvalidDisclosure(f"{key}.{field}: must be text")
    value = " ".join(value.split()) if field == "citation" else value.strip()
    if required and not value:
        raise InvalidDisclosure(f"{key}.{field}: must not be empty")
    if len(value) > MAX_CHARS:
        raise InvalidDisclosure(f"{key}.{field}: is {len(value)} characters long; at most {MAX_CHARS}")
    if "{{" in value or "}}" in value:
        raise InvalidDisclosure(f"{key}.{field}: may not contain merge fields ({{{{ ... }}}}); write the words out")
    return value


def parse_overrides(raw: str, *, base: Table = DISCLOSURES) -> dict[tuple[str, str], TimeBarredDisclosure]:
    """The table `base` with the firm's own wording (a JSON object, the contents of the file that
    RECOUP_TIME_BARRED_DISCLOSURES names) applied, or InvalidDisclosure naming the entry and field.

    Each key is a jurisdiction ("US-NY", "GB", "AU-NT"); each value an object with `text` (required),
    and optionally `reportable_text`, `citation` (required for a jurisdiction Recoup ships no
    disclosure for), `collectors_only` and `place`. An entry for a shipped jurisdiction replaces its
    wording and keeps what it does not name. A shipped disclosure cannot be removed (the law requires
    it); a firm may only reword it."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InvalidDisclosure(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    if not isinstance(data, dict):
        raise InvalidDisclosure('must be a JSON object of jurisdictions, such as {"US-NY": {"text": "..."}}')
    table = dict(base)
    for key, entry in data.items():
        country, region = _jurisdiction(key)
        name = f"{country}-{region}" if region else country
        if entry is None:
            raise InvalidDisclosure(f"{name}: a disclosure the law requires cannot be removed; change its text")
        if not isinstance(entry, dict):
            raise InvalidDisclosure(f'{name}: must be an object such as {{"text": "..."}}')
        unknown = sorted(set(entry) - _FIELDS)
        if unknown:
            raise InvalidDisclosure(f"{name}: unknown field {unknown[0]!r}; use {', '.join(sorted(_FIELDS))}")
        _check_place(name, country, region)
        shipped = base.get((country, region))
        collectors_only = entry.get("collectors_only", shipped.collectors_only if shipped else False)
        if not isinstance(collectors_only, bool):
            raise InvalidDisclosure(f"{name}.collectors_only: must be true or false")
        text = _words(name, "text", entry.get("text"), required=True)
        reportable = _words(name, "reportable_text", entry.get("reportable_text"), required=False)
        citation = _words(name, "citation", entry.get("citation"), required=shipped is None) or (
            shipped.citation if shipped else ""
        )
        place = _words(name, "place", entry.get("place"), required=False) or (
            shipped.place if shipped else PLACE_NAMES.get(name, name)
        )
        table[(country, region)] = TimeBarredDisclosure(
            country=country,
            region=region,
            place=place,
            rule=TIME_BARRED_RULES.get(country, "LIMITATION"),
            citation=citation,
            text=text,
            reportable_text=reportable,
            collectors_only=collectors_only,
            verified=True,
            origin="firm",
            by_law=shipped.by_law if shipped else False,
        )
    return table
