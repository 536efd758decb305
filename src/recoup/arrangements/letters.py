"""The documents an arrangement produces: the confirmation letter (PDF, for the print vendor or a
download) and the confirmation email's text, both built from the arrangement itself.

Each is checked with the message content rules (`recoup.core.compliance.content_problems`: the
debt-collector disclosure, no legal threat on a time-barred debt, the state's time-barred disclosure,
which each document carries first when the debt needs it, an opt-out in every email) before it
is produced; a document that fails a blocking check is refused, naming the rule. The letter needs
the sender's name and address (RECOUP_COLLECTOR_NAME, RECOUP_COLLECTOR_ADDRESS) and the debtor's
postal address; without them it is refused, naming what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from recoup.accounts.dates import legal_date
from recoup.accounts.models import Account, AccountDebtor
from recoup.arrangements.models import Arrangement
from recoup.arrangements.services import UnableToArrange
from recoup.compliance.disclosures import account_message_facts
from recoup.core.compliance import (
    Channel,
    MessageFacts,
    Severity,
    content_problems,
    masked_account_number,
    required_wording,
)
from recoup.core.contact_rules import has_postal_address
from recoup.core.money import Money
from recoup.platform.config import NO_COLLECTOR_IDENTITY

LETTER_PAGE = {"US": "Letter", "CA": "Letter"}  # everywhere else A4
DEBT_ADVICE = {
    "GB": "Free, confidential debt advice is available from MoneyHelper (moneyhelper.org.uk, 0800 138 7777) "
    "and StepChange (stepchange.org, 0800 138 1111).",
    "AU": "Free financial counselling is available from the National Debt Helpline (ndh.org.au, 1800 007 007).",
    "US": "You may wish to contact a non-profit credit counselling agency approved by the US Trustee Program.",
}
FROM_A_DEBT_COLLECTOR = "This communication is from a debt collector."
OPT_OUT = "To stop receiving emails from us, use this link: {{ unsubscribe_url }}"


@dataclass(frozen=True)
class Email:
    subject: str
    text: str


def _fmt(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency))


def _day(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


def _parts(arrangement: Arrangement, today: date) -> dict[str, Any]:
    """Everything both documents say, in words."""
    account: Account = arrangement.account
    role = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor")
    found = role.first()
    if found is None:
        raise UnableToArrange("debtor: the account has no primary debtor to write to")
    debtor = found.debtor
    currency = arrangement.currency
    dues = list(arrangement.dues.order_by("number"))
    third_party = account.creditor.collector_type == account.creditor.CollectorType.THIRD_PARTY
    kind = arrangement.get_kind_display().lower()
    if arrangement.kind == Arrangement.Kind.SETTLEMENT:
        written_down = _fmt(arrangement.balance_minor - arrangement.total_minor, currency)
        opening = [
            f"Thank you for agreeing to settle your account for {_fmt(arrangement.total_minor, currency)}. "
            f"The balance when we agreed it was {_fmt(arrangement.balance_minor, currency)}.",
        ]
        terms = [
            "When every payment below has been received in full and on time, we will accept it in full and final "
            f"settlement of this account and write off the remaining {written_down}. The account will then be "
            "closed as settled and you will owe nothing more on it.",
            "If a payment is missed, the settlement ends and the full balance, less what you have paid, remains owed.",
        ]
        wording = account.creditor.settlement_wording.strip()
        if wording:
            terms.extend(part.strip() for part in wording.split("\n\n") if part.strip())
    else:
        agreed_on = legal_date(arrangement.account, arrangement.created_at)
        opening = [
            f"This letter confirms the {kind} we agreed on {_day(agreed_on)} for your account "
            f"with {account.creditor.name}.",
        ]
        grace = arrangement.grace_days
        terms = [
            f"Please pay each amount by its due date. A payment that arrives up to {grace} day"
            f"{'s' if grace != 1 else ''} late still counts.",
            f"If more than {arrangement.misses_allowed} payment{'s are' if arrangement.misses_allowed != 1 else ' is'} "
            "missed, the arrangement ends. If you cannot make a payment, contact us before it is due: we can look at "
            "the plan again with you.",
        ]
        if arrangement.freeze_id:
            terms.append("While you keep to this plan, no interest or fees will be added to your account.")
    closing = ["You can pay by bank transfer quoting your account number, or by card over the phone."]
    if debtor.country in DEBT_ADVICE:
        closing.append(DEBT_ADVICE[debtor.country])
    disclosures = []
    if third_party and debtor.country == "US":
        disclosures.append(FROM_A_DEBT_COLLECTOR)
    return {
        "debtor": debtor,
        "account": account,
        "third_party": third_party,
        "opening": opening,
        "terms": terms,
        "closing": closing,
        "disclosures": disclosures,
        "schedule": [
            {
                "number": due.number,
                "due": _day(due.due_date),
                "amount": _fmt(due.amount_minor, currency),
                "down_payment": due.down_payment,
            }
            for due in dues
        ],
        "total": _fmt(arrangement.total_minor, currency),
        "kind": kind,
        "today": today,
    }


def _facts(parts: dict[str, Any], channel: Channel, today: date) -> MessageFacts:
    """What the content rules need to judge the document (the debt's limitation and the time-barred
    disclosure its jurisdiction requires among them)."""
    return account_message_facts(account=parts["account"], debtor=parts["debtor"], channel=channel, on=today)


def _check(text: str, facts: MessageFacts) -> None:
    """Refuse a document that fails a blocking content rule (US-07, US-10, US-16, UK-10, ...)."""
    blocks = [p for p in content_problems(text, facts) if p.severity is Severity.BLOCK]
    if blocks:
        raise UnableToArrange("; ".join(f"{p.rule}: {p.text}" for p in blocks))


def _front(facts: MessageFacts) -> list[str]:
    """What stands first in the document: the time-barred disclosure the debt needs (US-16), if any."""
    wording = required_wording(facts)
    return [wording] if wording else []


def letter_html(arrangement: Arrangement, *, today: date) -> str:
    """The confirmation letter as HTML (what the PDF is made from)."""
    parts = _parts(arrangement, today)
    facts = _facts(parts, Channel.LETTER, today)
    debtor = parts["debtor"]
    sender = settings.COLLECTOR_NAME
    address = [line.strip() for line in settings.COLLECTOR_ADDRESS.split("|") if line.strip()]
    if not sender or not address:
        raise UnableToArrange(NO_COLLECTOR_IDENTITY)
    if not has_postal_address(address_line1=debtor.address_line1, city=debtor.city, postal_code=debtor.postal_code):
        raise UnableToArrange(f"address: {debtor.display_name} has no full postal address to write to")
    recipient = [
        debtor.display_name,
        debtor.address_line1,
        debtor.address_line2,
        f"{debtor.city} {debtor.region} {debtor.postal_code}".strip(),
        debtor.country if debtor.country != parts["account"].creditor.country else "",
    ]
    account = parts["account"]
    title = f"Your {parts['kind']}" if arrangement.kind != Arrangement.Kind.SETTLEMENT else "Your settlement"
    context = {
        **parts,
        "front": _front(facts),
        "title": title,
        "language": debtor.preferred_language or "en",
        "page_size": LETTER_PAGE.get(debtor.country, "A4"),
        "letterhead": sender if parts["third_party"] else account.creditor.name,
        "on_behalf_of": account.creditor.name if parts["third_party"] else "",
        "sender_address": address,
        "recipient": [line for line in recipient if line],
        "account_number": masked_account_number(account.reference),
        "arrangement_number": arrangement.pk,
        "reference_line": f"{masked_account_number(account.reference)} / {arrangement.pk}",
        "letter_date": _day(today),
        "salutation": debtor.display_name,
        "schedule_heading": "Your payments",
        "signature": sender,
    }
    html = render_to_string("arrangements/letter.html", context)
    _check(_plain(context), facts)
    return html


def _plain(context: dict[str, Any]) -> str:
    return "\n".join(
        [*context["front"], *context["opening"], *context["terms"], *context["closing"], *context["disclosures"]]
    )


def letter_pdf(arrangement: Arrangement, *, today: date) -> bytes:
    """The confirmation letter as a PDF (WeasyPrint)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf = HTML(string=letter_html(arrangement, today=today)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def confirmation_email(arrangement: Arrangement, *, today: date) -> Email:
    """The confirmation email's subject and plain text, with the opt-out link the outbox fills in."""
    parts = _parts(arrangement, today)
    facts = _facts(parts, Channel.EMAIL, today)
    schedule = [f"  {row['due']}: {row['amount']}" for row in parts["schedule"]]
    text = "\n\n".join(
        [
            *_front(facts),
            f"Dear {parts['debtor'].display_name},",
            *parts["opening"],
            "Your payments:\n" + "\n".join(schedule) + f"\n  Total: {parts['total']}",
            *parts["terms"],
            *parts["closing"],
            *parts["disclosures"],
            OPT_OUT,
        ]
    )
    _check(text, facts)
    account = parts["account"]
    subject = f"Your {parts['kind']} for account {masked_account_number(account.reference)}"
    return Email(subject=subject, text=text)
