"""US validation notices (US-11, US-12, US-13): the content Model Form B-1 requires, built from
structured data, refused while any required part is missing, and rendered as the notice's text.

Pure: the caller gathers the itemization from the ledger and the parties; this module checks it
(the itemization must add up from the amount on the itemization date to the current amount) and
lays it out in the order of the model form, with the validation period's end date from `calendars`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from recoup.core.compliance.calendars import validation_end
from recoup.core.money import Money

CFPB_SITE = "www.cfpb.gov/debt-collection"


@dataclass(frozen=True)
class Itemization:
    """US-12: the amount on the itemization date and what changed it since, up to today's amount."""

    itemization_date: date
    amount_then: Money
    interest: Money
    fees: Money
    payments: Money
    credits: Money
    amount_now: Money

    def adds_up(self) -> bool:
        return self.amount_then + self.interest + self.fees - self.payments - self.credits == self.amount_now


@dataclass(frozen=True)
class ValidationNotice:
    collector_name: str
    collector_address: str
    consumer_name: str
    consumer_address: str
    creditor_on_itemization_date: str
    account_number: str
    current_creditor: str
    itemization: Itemization | None
    sent_on: date

    @property
    def validation_end(self) -> date:
        return validation_end(self.sent_on)


def masked_account_number(reference: str) -> str:
    """The account number, truncated as US-12 allows: all but the last four characters hidden."""
    visible = reference[-4:]
    return "*" * max(len(reference) - 4, 0) + visible


def missing_parts(notice: ValidationNotice) -> list[str]:
    """What stops the notice from being sent: each missing or inconsistent part, named (US-12)."""
    problems = [
        f.name
        for f in fields(notice)
        if isinstance(getattr(notice, f.name), str) and not getattr(notice, f.name).strip()
    ]
    if notice.itemization is None:
        problems.append("itemization (the account has no itemization date and amount)")
    elif not notice.itemization.adds_up():
        i = notice.itemization
        expected = i.amount_then + i.interest + i.fees - i.payments - i.credits
        problems.append(
            f"itemization (the amount on {i.itemization_date.isoformat()} plus interest and fees, less payments and "
            f"credits, is {expected}, but {i.amount_now} is owed now)"
        )
    return problems


def render_notice(notice: ValidationNotice, *, time_barred_disclosure: str = "") -> str:
    """The notice's text in the order of Model Form B-1. Call only when `missing_parts` is empty.

    `time_barred_disclosure` is the state's disclosure for a time-barred debt (US-16, `disclosures`):
    it stands on the front of the notice, under the addresses and before the body, as Regulation F
    allows (§1006.34(d)(3)(iv)(B)); "" when none applies."""
    if missing_parts(notice):
        raise ValueError(f"validation notice: cannot render with missing parts: {', '.join(missing_parts(notice))}")
    i = notice.itemization
    assert i is not None
    end = notice.validation_end
    width = 66

    def day(value: date) -> str:
        return f"{value:%B} {value.day}, {value.year}"

    def line(label: str, amount: Money) -> str:
        text = f"{amount}"
        return f"{label}{' ' * max(width - len(label) - len(text), 1)}{text}"

    return "\n".join(
        [
            notice.collector_name,
            *notice.collector_address.split("|"),
            "",
            f"To: {notice.consumer_name}",
            *notice.consumer_address.split("|"),
            "",
            *([time_barred_disclosure.strip(), ""] if time_barred_disclosure.strip() else []),
            f"{notice.collector_name} is a debt collector. We are trying to collect a debt that you owe to "
            f"{notice.current_creditor}. We will use any information you give us to help collect the debt.",
            "",
            "Our information shows:",
            f"As of {day(i.itemization_date)}, you owed {notice.creditor_on_itemization_date}:",
            f"Account number: {notice.account_number}",
            "",
            line(f"As of {day(i.itemization_date)}, you owed:", i.amount_then),
            "Between then and today:",
            line("  You were charged this amount in interest:", i.interest),
            line("  You were charged this amount in fees:", i.fees),
            line("  You paid or were credited this amount toward the debt:", i.payments + i.credits),
            line("Total amount of the debt now:", i.amount_now),
            "",
            "How can you dispute the debt?",
            f"- Call or write to us by {day(end)}, to dispute all or part of the debt. If you do not, we will "
            "assume that our information is correct.",
            f"- If you write to us by {day(end)}, we must stop collection on any amount you dispute until we "
            "send you information that shows you owe the debt.",
            "",
            "What else can you do?",
            f"- Write to ask for the name and address of the original creditor, if different from the current "
            f"creditor. If you write by {day(end)}, we must stop collection until we send you that information.",
            f"- Go to {CFPB_SITE} to learn more about your rights under federal law.",
            "",
            "-" * 66,
            "How do you want to respond?",
            f"Mail this form to: {notice.collector_name}, {', '.join(notice.collector_address.split('|'))}",
            "[ ] I want to dispute the debt because I think:",
            "    [ ] This is not my debt.",
            "    [ ] The amount is wrong.",
            "    [ ] Other (please describe on reverse or attach additional information).",
            "[ ] I want you to send me the name and address of the original creditor.",
            "[ ] I enclosed this amount: $________",
            f"Reference: {notice.account_number}",
        ]
    )
