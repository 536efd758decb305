"""Message content checks (the CONTENT enforcement mode): required and forbidden text in a message or template.

`content_problems(text, facts)` reads the words of a letter, email, text or voicemail script before it is
saved or sent and returns what is missing or what offends, each naming the rule ID of COMPLIANCE.md:

- US-07: an electronic message (email, text) carries a simple opt-out: for email an unsubscribe link or
  the `{{ unsubscribe_url }}` merge token, for a text "Reply STOP". A BLOCK in the US; elsewhere the firm
  asks for it as good practice (FIRM-OPT-OUT, a WARN). The single confirmation of an opt-out needs none,
  and should say nothing else (WARN).
- US-10: the "mini-Miranda" of a US third-party collector's letters, emails and texts.
- US-09: a limited-content voicemail says nothing about a debt and leaves a phone number.
- US-14: while the validation period is open, no payment deadline before it ends and no pressure words.
- US-16, AU-05, UK-06: no legal threats on a time-barred debt, and the time-barred disclosure the
  debtor's jurisdiction requires (`disclosures.DISCLOSURES`, New York's 23 NYCRR 1.3) in a written
  collection message on one. The disclosure's own words ("if a creditor sues you ... tell the court")
  are not a threat.
- UK-10: no claims of bailiffs or court action the firm has not taken (GB).
- UK-11: a settlement offer says the rest of the debt still exists and may be sold (GB).

`is_revocation(text)` tells whether an inbound text revokes consent by keyword (US-24).

Matching is case-insensitive and on whole words, so "courtesy" is not "court" and "pursue" is not "sue".
A legal word directly negated ("we will not sue you", "we cannot take you to court", the state
time-barred disclosure "the law limits how long you can be sued") is not a threat. Nothing here reads the
clock: the send date is part of the facts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from recoup.core.compliance.disclosures import (
    DISCLOSURES,
    TIME_BARRED_RULES,
    Table,
    TimeBarredDisclosure,
    disclosure_spans,
    lookup,
    required_disclosure,
)
from recoup.core.compliance.model import NO_PAYMENT_REQUEST, Channel, Severity

COLLECTION = "collection"
CEASE_CONFIRMATION = "cease_confirmation"
OPT_OUT_CONFIRMATION = "opt_out_confirmation"
LIMITED_CONTENT_VOICEMAIL = "limited_content_voicemail"
PURPOSES = frozenset(
    {COLLECTION, CEASE_CONFIRMATION, OPT_OUT_CONFIRMATION, LIMITED_CONTENT_VOICEMAIL}
    | {purpose.value for purpose in NO_PAYMENT_REQUEST}
)

ELECTRONIC = frozenset({Channel.SMS, Channel.EMAIL})
WRITTEN = frozenset({Channel.LETTER, Channel.EMAIL, Channel.SMS})

# US-24: words that, as an inbound text, revoke consent to texts.
OPT_OUT_KEYWORDS = ("stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe")

# US-07: an opt-out confirmation longer than this (one SMS segment; a short email) says more than the confirmation.
CONFIRMATION_MAX_CHARS = {Channel.SMS: 160, Channel.EMAIL: 300}


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with a text: the rule ID, BLOCK or WARN, and plain words quoting where it is."""

    rule: str
    severity: Severity
    text: str


@dataclass(frozen=True)
class MessageFacts:
    """What the checks need to know about the message besides its words.

    `validation_period_ends` is the end of an open US validation period (US-13), or None when no period
    is open or it is unknown. `sent_on` is the day the message goes out, or None for a template not yet
    scheduled (an open period is then assumed to cover it). `purpose` is one of `PURPOSES`.

    `region` is the debtor's state or region (NY, ENG, NSW): with `country` it says which time-barred
    disclosure applies, from `disclosures` (the firm's table; None is the one Recoup ships).
    `credit_reportable` says whether the debt may still be reported to a credit bureau, for the
    disclosures that word the two cases differently (`disclosures.may_be_reported`).
    """

    channel: Channel
    country: str
    third_party_collector: bool
    initial_communication: bool
    time_barred: bool
    validation_period_ends: date | None
    sent_on: date | None
    purpose: str = COLLECTION
    region: str = ""
    credit_reportable: bool = True
    disclosures: Table | None = field(default=None, compare=False, hash=False)

    @property
    def disclosure_table(self) -> Table:
        return DISCLOSURES if self.disclosures is None else self.disclosures

    def __post_init__(self) -> None:
        if self.purpose not in PURPOSES:
            known = ", ".join(sorted(PURPOSES))
            raise ValueError(f"message facts: unknown purpose {self.purpose!r}; use one of {known}")


def _words(*phrases: str) -> str:
    """An alternation of phrases, each word separated by any whitespace (templates wrap lines)."""
    return "|".join(r"\s+".join(phrase.split()) for phrase in phrases)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)


# US-07 opt-outs.
_UNSUBSCRIBE_TOKEN = re.compile(r"\{\{\s*unsubscribe_url\s*\}\}", re.IGNORECASE)
_UNSUBSCRIBE_URL = re.compile(r"https?://[^\s\"'<>)\]]*unsubscribe", re.IGNORECASE)
_HTML_LINK = re.compile(
    r"<a\b[^>]*\bhref\s*=\s*[\"']?\s*https?://[^>]*>(?P<label>.*?)</a\s*>", re.IGNORECASE | re.DOTALL
)
_MARKDOWN_LINK = re.compile(r"\[(?P<label>[^\]]*)\]\(\s*https?://[^)\s]+\s*\)", re.IGNORECASE)
_SMS_STOP = _compile(
    r"(?:reply|text|txt|send)\s+[\"']?stop[\"']?|stop[\"']?\s+to\s+(?:opt\s*-?\s*out|unsubscribe|end|cancel)"
)

# US-10 mini-Miranda.
_ATTEMPT = _compile(r"(?:attempt|attempting|trying|try|seeking)\s+to\s+collect\s+(?:a|the|this|your)\s+debt")
_INFORMATION_USE = re.compile(
    r"\binformation\b[^.!?]{0,100}?\b(?:will|may|shall)\s+be\s+used\s+for\s+(?:that|this|the\s+same)\s+purpose"
    r"|\binformation\b[^.!?]{0,100}?\bused\s+(?:for\s+the\s+purpose\s+of\s+collecting|to\s+(?:help\s+)?collect)\b"
    r"|\b(?:will|may|shall)\s+use\s+(?:any\s+|all\s+|the\s+)?information\b[^.!?]{0,80}?\b(?:to\s+(?:help\s+)?collect|"
    r"for\s+(?:that|this)\s+purpose)\b",
    re.IGNORECASE,
)
_FROM_COLLECTOR = _compile(r"(?:from|is|am|are|as)\s+(?:a|an|the)\s+(?:[a-z-]+\s+)?debt\s+collector")

# Words that tell of a debt: forbidden in a limited-content voicemail and in an opt-out confirmation.
_DEBT_WORDS = _compile(
    _words(
        "debt",
        "debts",
        "balance",
        "balances",
        "amount",
        "amounts",
        "owe",
        "owes",
        "owed",
        "owing",
        "overdue",
        "past due",
        "arrears",
        "pay",
        "pays",
        "paid",
        "paying",
        "payment",
        "payments",
        "collect",
        "collects",
        "collected",
        "collecting",
        "collection",
        "collections",
        "collector",
        "collectors",
    )
    + r"|(?:A|AU|US|C)?[$£€]\s?\d[\d,]*(?:\.\d{1,2})?"
    + r"|\d[\d,]*(?:\.\d{1,2})?\s?(?:dollars|pounds|euros|cents|pence|usd|aud|gbp|eur)"
)
_PHONE_TOKEN = re.compile(r"\{\{[^}]*(?:phone|number|tel)[^}]*\}\}", re.IGNORECASE)
_PHONE_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().\-]{5,}\d")

# US-14 pressure words while the validation period is open.
_PRESSURE = _compile(
    _words("immediately", "final warning", "final demand", "last chance", "or else", "act now", "today or")
    + r"|within\s+(?:\d+|twenty[\s-]four|forty[\s-]eight|seventy[\s-]two)\s+hours?"
)

# US-16, AU-05, UK-06: legal threats, forbidden on a time-barred debt.
_LEGAL_THREAT = _compile(
    _words("county court claim", "county court judgment", "county court judgement", "legal action", "legal proceedings")
    + r"|sue|sues|sued|suing|lawsuits?|courts?|judge?ments?|garnish\w*|ccjs?|litigat\w*|solicitors?"
    + r"|(?:attorney|lawyer)s?\s+will"
)

# UK-10: misrepresenting the legal position.
_UK_ENFORCEMENT = _compile(r"bailiffs?|enforcement\s+agents?|enforcement\s+officers?")
_UK_ACTION_TAKEN = _compile(
    r"court\s+action\s+has\s+(?:been(?:\s+(?:taken|started|issued|commenced|begun|filed))?|started|begun|commenced)"
    r"|(?:legal\s+|court\s+)?proceedings\s+have\s+(?:been\s+(?:issued|started|commenced|filed)|started|begun|commenced)"
    r"|(?:a\s+)?claim\s+has\s+been\s+(?:issued|filed)"
)

# UK-11: settlement offers and the clauses that make them fair.
_SETTLEMENT = _compile(
    _words("reduced amount", "reduced sum", "reduced settlement", "partial settlement")
    + r"|settle|settles|settled|settling|settlement|settlements|discount|discounts|discounted"
)
_FULL_AND_FINAL = _compile(_words("full and final"))
_DEBT_SURVIVES = _compile(
    r"still\s+(?:exists?|be\s+owed|owe|owed|due|outstanding|payable)"
    r"|(?:remains?|remaining|will\s+remain|continues?\s+to\s+be)\s+(?:outstanding|owed|due|payable|legally\s+owed)"
    r"|continues?\s+to\s+exist|(?:is|are)\s+not\s+(?:written\s+off|cancell?ed|wiped\s+out)"
)
_MAY_BE_SOLD = _compile(
    r"(?:may|might|could|can|will)\s+(?:still\s+)?be\s+(?:sold|assigned|transferred)"
    r"|(?:may|might|could|can)\s+(?:\w+\s+)?(?:sell|assign)\b"
)

# A legal word directly negated is not a threat: "will not sue", "cannot take you to court", "no bailiffs".
_NEGATED = re.compile(
    r"(?:\b(?:not|never|no|cannot|can't|won't|wont|don't|doesn't|didn't|isn't|hasn't|haven't|nor)\s+"
    r"(?:(?:be|been|being|take|taken|send|sent|use|instruct|involve|you|your|to|a|an|any|the|start|started|"
    r"bring|file|filed|go|begin|initiate|legal|ever|against|longer|allowed|able|permitted)\s+){0,4}"
    r"|\bhow\s+long\s+(?:you\s+)?can\s+be\s+)$",
    re.IGNORECASE,
)

# US-14 payment deadlines: a date after a deadline cue, in a sentence that speaks of paying.
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?<![\w/-])(?:"
    r"(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<us_m>\d{1,2})/(?P<us_d>\d{1,2})/(?P<us_y>\d{4})"
    rf"|(?P<md_m>{_MONTH})\.?\s+(?P<md_d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<md_y>\d{{4}}))?"
    rf"|(?P<dm_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_m>{_MONTH})(?:\.?,?\s+(?P<dm_y>\d{{4}}))?"
    r")(?![\w/])",
    re.IGNORECASE,
)
_DEADLINE_CUE = re.compile(
    r"\b(?:by|before|until|till|no\s+later\s+than|on\s+or\s+before|due(?:\s+(?:on|by|date))?|deadline"
    r"|expires?(?:\s+on)?|expiring(?:\s+on)?|valid\s+until|pay(?:ment)?\s+on)\s*:?\s*(?:the\s+)?$",
    re.IGNORECASE,
)
_PAY_WORDS = _compile(
    r"pay|pays|paid|paying|payment|payments|remit|remittance|settle|settlement|due|deadline|balance|amount"
)
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+(?=[A-Z\"'(\[])|\n\s*\n")


@dataclass(frozen=True)
class _Hit:
    phrase: str
    start: int
    end: int


def _hits(pattern: re.Pattern[str], text: str, *, honour_negation: bool = False) -> list[_Hit]:
    found = []
    for match in pattern.finditer(text):
        if honour_negation and _NEGATED.search(text[max(0, match.start() - 80) : match.start()]):
            continue
        if pattern is _LEGAL_THREAT and _is_a_name(text, match):
            continue
        found.append(_Hit(" ".join(match.group().split()), match.start(), match.end()))
    return found


def _is_a_name(text: str, match: re.Match[str]) -> bool:
    """ "Sue" with a capital inside a sentence is a person ("ask for Sue"), not the verb ("We will sue")."""
    if match.group() != "Sue":
        return False
    before = text[: match.start()].rstrip()
    return bool(before) and before[-1] not in ".!?:\"'(\n"


def _where(text: str, hit: _Hit) -> str:
    """The line number and a short excerpt around a hit, for a reader to find it."""
    line_start = text.rfind("\n", 0, hit.start) + 1
    line_end = text.find("\n", hit.end)
    line_end = len(text) if line_end == -1 else line_end
    left = max(line_start, hit.start - 30)
    right = min(line_end, hit.end + 30)
    excerpt = " ".join(text[left:right].split())
    excerpt = ("…" if left > line_start else "") + excerpt + ("…" if right < line_end else "")
    line = text.count("\n", 0, hit.start) + 1
    return f'line {line}: "{excerpt}"'


def _quoted(text: str, hits: Iterable[_Hit]) -> str:
    return "; ".join(f'"{hit.phrase}" ({_where(text, hit)})' for hit in hits)


def _normalised(text: str) -> str:
    """Straight quotes and plain spaces, the same length as the text so positions still match."""
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u202f": " "})
    return text.translate(table)


def content_problems(text: str, facts: MessageFacts) -> tuple[ContentProblem, ...]:
    """Everything wrong with `text` for a message described by `facts`: BLOCKs first, then WARNs."""
    text = _normalised(text)
    problems = [
        *_opt_out(text, facts),
        *_mini_miranda(text, facts),
        *_limited_content(text, facts),
        *_validation_period(text, facts),
        *_time_barred(text, facts),
        *_time_barred_disclosure(text, facts),
        *_uk_legal_position(text, facts),
        *_uk_settlement(text, facts),
        *_payment_request(text, facts),
    ]
    return tuple(sorted(problems, key=lambda problem: problem.severity != Severity.BLOCK))


def _opt_out(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """US-07 (and FIRM-OPT-OUT outside the US): an opt-out in every email and text."""
    if facts.channel not in ELECTRONIC or facts.purpose == LIMITED_CONTENT_VOICEMAIL:
        return []
    us = facts.country.upper() == "US"
    rule, severity = ("US-07", Severity.BLOCK) if us else ("FIRM-OPT-OUT", Severity.WARN)
    if facts.purpose == OPT_OUT_CONFIRMATION:
        return _confirmation_only(text, facts.channel, rule)
    if facts.channel == Channel.EMAIL and not _email_opt_out(text):
        why = "US law requires it (Regulation F)" if us else "firm policy asks for it in every country"
        return [
            ContentProblem(
                rule,
                severity,
                "The email has no way to unsubscribe: add an unsubscribe link or the {{ unsubscribe_url }} "
                f"merge field; {why}.",
            )
        ]
    if facts.channel == Channel.SMS and not _SMS_STOP.search(text):
        why = "US law requires it (Regulation F)" if us else "firm policy asks for it in every country"
        return [
            ContentProblem(
                rule,
                severity,
                f'The text message has no opt-out: add "Reply STOP to opt out"; {why}.',
            )
        ]
    return []


def _email_opt_out(text: str) -> bool:
    if _UNSUBSCRIBE_TOKEN.search(text) or _UNSUBSCRIBE_URL.search(text):
        return True
    links = [*_HTML_LINK.finditer(text), *_MARKDOWN_LINK.finditer(text)]
    return any("unsubscribe" in link.group("label").lower() for link in links)


def _confirmation_only(text: str, channel: Channel, rule: str) -> list[ContentProblem]:
    """US-07, US-24: the one message allowed after an opt-out confirms it and says nothing else."""
    problems = []
    length = len(" ".join(text.split()))
    limit = CONFIRMATION_MAX_CHARS[channel]
    if length > limit:
        problems.append(
            ContentProblem(
                rule,
                Severity.WARN,
                f"The opt-out confirmation is {length} characters long; it should only confirm the opt-out "
                f"(at most {limit} characters).",
            )
        )
    mentions = _hits(_DEBT_WORDS, text)
    if mentions:
        problems.append(
            ContentProblem(
                rule,
                Severity.WARN,
                "The opt-out confirmation should only confirm the opt-out, but it speaks of the debt or payment: "
                f"{_quoted(text, mentions)}.",
            )
        )
    return problems


def _mini_miranda(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """US-10: a US third-party collector's letters, emails and texts say who is writing and why."""
    if (
        facts.country.upper() != "US"
        or not facts.third_party_collector
        or facts.channel not in WRITTEN
        or facts.purpose in {OPT_OUT_CONFIRMATION, LIMITED_CONTENT_VOICEMAIL}
    ):
        return []
    if facts.initial_communication:
        missing = []
        if not _ATTEMPT.search(text):
            missing.append('that we are attempting to collect a debt ("This is an attempt to collect a debt")')
        if not _INFORMATION_USE.search(text):
            missing.append(
                'that any information obtained will be used for that purpose ("Any information obtained will be '
                'used for that purpose")'
            )
        if missing:
            return [
                ContentProblem(
                    "US-10",
                    Severity.BLOCK,
                    "The first message to the consumer must say " + " and ".join(missing) + ".",
                )
            ]
        return []
    if not (_FROM_COLLECTOR.search(text) or _ATTEMPT.search(text)):
        return [
            ContentProblem(
                "US-10",
                Severity.BLOCK,
                'The message must say it is from a debt collector: add "This communication is from a debt collector."',
            )
        ]
    return []


def _limited_content(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """US-09: a limited-content voicemail names no debt and gives a number to call back."""
    if facts.purpose != LIMITED_CONTENT_VOICEMAIL:
        return []
    problems = []
    mentions = _hits(_DEBT_WORDS, text)
    if mentions:
        problems.append(
            ContentProblem(
                "US-09",
                Severity.BLOCK,
                "A limited-content voicemail must not mention a debt, an amount, payment or collection, or anyone "
                f"who hears it learns of the debt: remove {_quoted(text, mentions)}.",
            )
        )
    if not _has_phone_number(text):
        problems.append(
            ContentProblem(
                "US-09",
                Severity.WARN,
                "The voicemail gives no phone number to call back; a limited-content message must include one.",
            )
        )
    return problems


def _has_phone_number(text: str) -> bool:
    if _PHONE_TOKEN.search(text):
        return True
    return any(sum(ch.isdigit() for ch in match.group()) >= 7 for match in _PHONE_CANDIDATE.finditer(text))


def _validation_period(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """US-14: while the validation period is open, nothing overshadows the right to dispute."""
    end = facts.validation_period_ends
    if end is None or (facts.sent_on is not None and facts.sent_on > end):
        return []
    problems = []
    sentence_starts = [0, *(match.end() for match in _SENTENCE_END.finditer(text))]
    for match in _DATE.finditer(text):
        day = _parsed_date(match, facts)
        if day is None or day >= end or (facts.sent_on is not None and day < facts.sent_on):
            continue
        if not _DEADLINE_CUE.search(text[max(0, match.start() - 40) : match.start()]):
            continue
        index = bisect_right(sentence_starts, match.start()) - 1
        sentence_end = sentence_starts[index + 1] if index + 1 < len(sentence_starts) else len(text)
        if not _PAY_WORDS.search(text[sentence_starts[index] : sentence_end]):
            continue
        hit = _Hit(" ".join(match.group().split()), match.start(), match.end())
        problems.append(
            ContentProblem(
                "US-14",
                Severity.BLOCK,
                f"The message asks for payment by {_day(day)}, before the validation period ends on {_day(end)}; "
                f"while it is open the consumer may dispute the debt, so move the date to {_day(end)} or later, "
                f"or remove it: {_quoted(text, [hit])}.",
            )
        )
    pressure = _hits(_PRESSURE, text)
    if pressure:
        problems.append(
            ContentProblem(
                "US-14",
                Severity.WARN,
                f"The validation period is open until {_day(end)}; pressure to pay now may overshadow the right to "
                f"dispute: {_quoted(text, pressure)}.",
            )
        )
    return problems


def _day(value: date) -> str:
    return f"{value.day} {value:%B} {value.year}"


def _parsed_date(match: re.Match[str], facts: MessageFacts) -> date | None:
    """The date a match names; a day and month without a year is the next such day from the send date."""
    groups = match.groupdict()
    try:
        if groups["iso_y"]:
            return date(int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"]))
        if groups["us_y"]:
            return date(int(groups["us_y"]), int(groups["us_m"]), int(groups["us_d"]))
    except ValueError:
        return None
    if groups["md_m"]:
        month, day, year = groups["md_m"], groups["md_d"], groups["md_y"]
    else:
        month, day, year = groups["dm_m"], groups["dm_d"], groups["dm_y"]
    number = _MONTHS[month.lower()]
    if year:
        try:
            return date(int(year), number, int(day))
        except ValueError:
            return None
    return _without_year(number, int(day), facts)


def _without_year(month: int, day: int, facts: MessageFacts) -> date | None:
    end = facts.validation_period_ends
    assert end is not None
    candidates = []
    for year in (end.year - 1, end.year, end.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if facts.sent_on is not None:
        sent_on = facts.sent_on
        later = [candidate for candidate in candidates if candidate >= sent_on]
        return min(later) if later else None
    return min(candidates, key=lambda candidate: abs((candidate - end).days)) if candidates else None


def _time_barred(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """US-16, AU-05, UK-06: on a time-barred debt, no threat of suing or any other court action. The
    jurisdiction's time-barred disclosure speaks of suits and courts to tell the person they cannot be
    sued; its words are left out of the search."""
    if not facts.time_barred:
        return []
    threats = _hits(_LEGAL_THREAT, _without_disclosures(text, facts), honour_negation=True)
    if not threats:
        return []
    rule = TIME_BARRED_RULES.get(facts.country.upper(), "LIMITATION")
    return [
        ContentProblem(
            rule,
            Severity.BLOCK,
            f"The debt is time-barred, so the message must not threaten legal action; remove {_quoted(text, threats)}.",
        )
    ]


def _without_disclosures(text: str, facts: MessageFacts) -> str:
    """`text` with every time-barred disclosure of the debtor's jurisdiction (the firm's wording and the
    one Recoup ships) blanked out, the same length so positions still match."""
    entries = {
        lookup(facts.disclosure_table, facts.country, facts.region),
        lookup(DISCLOSURES, facts.country, facts.region),
    }
    wordings = {words for entry in entries if entry is not None for words in entry.wordings}
    for words in wordings:
        for start, end in disclosure_spans(text, words):
            text = text[:start] + " " * (end - start) + text[end:]
    return text


def time_barred_disclosure(facts: MessageFacts) -> TimeBarredDisclosure | None:
    """The time-barred disclosure a message described by `facts` must carry, or None (US-16): a written
    collection message on a time-barred debt in a jurisdiction that requires one."""
    return required_disclosure(
        table=facts.disclosure_table,
        country=facts.country,
        region=facts.region,
        time_barred=facts.time_barred,
        third_party_collector=facts.third_party_collector,
        channel=facts.channel,
        purpose=facts.purpose,
    )


def required_wording(facts: MessageFacts) -> str:
    """The words of the disclosure a message described by `facts` must carry, or "" when none is needed."""
    entry = time_barred_disclosure(facts)
    return entry.wording(reportable=facts.credit_reportable) if entry is not None else ""


def _time_barred_disclosure(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """US-16 (and a firm's own UK-06 or AU-05 wording): the jurisdiction's time-barred disclosure, whole."""
    entry = time_barred_disclosure(facts)
    if entry is None:
        return []
    words = entry.wording(reportable=facts.credit_reportable)
    if disclosure_spans(text, words):
        return []
    opening = " ".join(words.split()[:14])
    who = entry.place if entry.by_law else f"the firm's policy for {entry.place}"
    return [
        ContentProblem(
            entry.rule,
            Severity.BLOCK,
            f"The debt is time-barred and {who} requires a disclosure in every collection "
            f"{_CHANNEL_WORDS[facts.channel]} about it ({entry.citation}), but the message does not carry it: "
            f'add it whole, at the top, beginning "{opening} …".',
        )
    ]


_CHANNEL_WORDS = {Channel.LETTER: "letter", Channel.EMAIL: "email", Channel.SMS: "text message"}


def _uk_legal_position(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """UK-10: no claims of enforcement or court action that have not happened (no case status is recorded)."""
    if facts.country.upper() != "GB":
        return []
    problems = []
    taken = _hits(_UK_ACTION_TAKEN, text, honour_negation=True)
    if taken:
        problems.append(
            ContentProblem(
                "UK-10",
                Severity.BLOCK,
                "The message says court action has been taken, but no court case is recorded for this account; "
                f"remove {_quoted(text, taken)}.",
            )
        )
    enforcement = _hits(_UK_ENFORCEMENT, text, honour_negation=True)
    if enforcement:
        problems.append(
            ContentProblem(
                "UK-10",
                Severity.WARN,
                "Enforcement agents (bailiffs) can only act under a court order; make sure this is true for the "
                f"account or remove {_quoted(text, enforcement)}.",
            )
        )
    return problems


def _uk_settlement(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """UK-11: a settlement for less than the balance says the rest still exists and may be sold."""
    if facts.country.upper() != "GB":
        return []
    offers = _hits(_SETTLEMENT, text)
    if not offers or _FULL_AND_FINAL.search(text):
        return []
    missing = []
    if not _DEBT_SURVIVES.search(text):
        missing.append("that the rest of the debt still exists")
    if not _MAY_BE_SOLD.search(text):
        missing.append("that it may be sold and pursued")
    if not missing:
        return []
    return [
        ContentProblem(
            "UK-11",
            Severity.WARN,
            "The message offers a settlement but does not say "
            + " or ".join(missing)
            + f'; add that, or make it a "full and final" settlement. The offer: {_quoted(text, offers)}.',
        )
    ]


# Wording that asks for payment, which a statement or required notice may not carry (NO-PAY-REQUEST).
_PAY_REQUEST = re.compile(
    r"\b(?:please\s+pay|pay\s+(?:now|today|online|by|before|within|the\s+(?:balance|amount|arrears)|your\s+"
    r"(?:balance|bill|arrears|account))|make\s+(?:a|your|the)\s+payment|payment\s+(?:is\s+)?(?:due|required|"
    r"requested|overdue)|(?:we|you)\s+(?:ask|request|must|need\s+to|should)\s+(?:you\s+to\s+)?pay|to\s+pay\s+"
    r"(?:now|today|online)|settle\s+(?:your|the)\s+(?:balance|account|debt)|set\s+up\s+a\s+(?:payment\s+)?plan|"
    r"call\s+us\s+to\s+pay)\b|\{\{\s*(?:payment_url|payment_link|pay_url)\s*\}\}",
    re.IGNORECASE,
)


def _payment_request(text: str, facts: MessageFacts) -> list[ContentProblem]:
    """NO-PAY-REQUEST: a statement, required notice or cease notice goes where collection is stopped
    (a breathing space, UK-07; a cease request, US-04) only because it asks for nothing."""
    if facts.purpose not in {purpose.value for purpose in NO_PAYMENT_REQUEST}:
        return []
    asks = _hits(_PAY_REQUEST, text, honour_negation=True)
    if not asks:
        return []
    words = facts.purpose.replace("_", " ")
    return [
        ContentProblem(
            "NO-PAY-REQUEST",
            Severity.BLOCK,
            f"A {words} may not ask for payment (it is sent while collection is stopped, UK-07 and US-04); "
            f"remove {_quoted(text, asks)} or make it a collection message.",
        )
    ]


def is_revocation(text: str) -> bool:
    """US-24: an inbound text that revokes consent by keyword ("STOP", "Stop calling me", "opt-out").

    The text, trimmed and without case or punctuation, is one of `OPT_OUT_KEYWORDS` or starts with one
    followed by a space. A keyword elsewhere in a sentence ("I will not stop paying") does not count.
    """
    words = " ".join(re.sub(r"[^\w\s]|_", " ", text.lower()).split())
    return any(words == keyword or words.startswith(keyword + " ") for keyword in OPT_OUT_KEYWORDS)
