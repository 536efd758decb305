"""The columns of each import file: name, type, whether required, what it means. One source for the
importer, the command-line help and docs/import-formats.md (a test checks the document lists them all).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str


PRODUCT_TYPES = ["credit_card", "personal_loan", "utility", "medical", "b2b_invoice", "other"]
PAYMENT_METHODS = ["card", "bank_transfer", "direct_debit", "cheque", "cash", "agency", "other"]

ACCOUNT_COLUMNS = [
    Column("account_reference", "text, up to 64", True, "The creditor's account reference; unique per creditor."),
    Column("product_type", "one of " + ", ".join(PRODUCT_TYPES), True, "What the debt is."),
    Column(
        "debtor_reference",
        "text, up to 64",
        False,
        "The creditor's own id for the debtor: rows (and later files) with the same one share one debtor.",
    ),
    Column("currency", "ISO 4217 code", False, "The account's currency; default the creditor's currency."),
    Column("opened_date", "date", True, "When the account was opened."),
    Column("first_delinquency_date", "date", False, "Date of first delinquency; the placed balance ages from it."),
    Column("charge_off_date", "date", False, "When the creditor charged the debt off."),
    Column("original_creditor", "text, up to 200", False, "Who the debt was first owed to, if sold or assigned."),
    Column("itemization_date", "date", False, "The reference date the itemized balance is stated from."),
    Column("itemization_amount", "amount", False, "The balance on the itemization date."),
    Column("principal", "amount, not negative", False, "Principal owed now."),
    Column("interest", "amount, not negative", False, "Interest owed now."),
    Column("fees", "amount, not negative", False, "Fees owed now."),
    Column("costs", "amount, not negative", False, "Costs owed now (for example court costs)."),
    Column("debtor_kind", "person or business", False, "Default person."),
    Column("given_name", "text, up to 100", False, "A person's given name."),
    Column("family_name", "text, up to 100", False, "A person's family name; required for a person."),
    Column("business_name", "text, up to 200", False, "A business's name; required for a business."),
    Column("date_of_birth", "date", False, "A person's date of birth."),
    Column("preferred_language", "language code, up to 10", False, "Default en."),
    Column("address_line1", "text, up to 200", False, "Postal address."),
    Column("address_line2", "text, up to 200", False, ""),
    Column("city", "text, up to 100", False, ""),
    Column("region", "text, up to 10", False, "State, territory or county code (CA, NSW, ENG)."),
    Column("postal_code", "text, up to 20", False, ""),
    Column("country", "ISO 3166 alpha-2", False, "The debtor's country; default the creditor's country."),
    Column(
        "time_zone",
        "IANA time zone",
        False,
        "The debtor's time zone (America/Chicago); may be left out only for a country with one time zone.",
    ),
    Column("phone", "phone number", False, "Read in the debtor's country unless it starts with +; stored E.164."),
    Column("phone_type", "mobile, home or work", False, "Default mobile."),
    Column("email", "email address", False, ""),
]

PARTY_ROLES = ["co_debtor", "guarantor"]
# The debtor columns shared by placement and party files (everything from debtor_kind to email).
DEBTOR_COLUMNS = ACCOUNT_COLUMNS[[c.name for c in ACCOUNT_COLUMNS].index("debtor_kind") :]

PARTY_COLUMNS = [
    Column("account_reference", "text, up to 64", True, "The account the person or business is a party to."),
    Column("role", "one of " + ", ".join(PARTY_ROLES), True, "A joint debtor, or someone who guaranteed the debt."),
    Column(
        "debtor_reference",
        "text, up to 64",
        False,
        "The creditor's own id for the party; without it a party is known by name and date of birth.",
    ),
    *DEBTOR_COLUMNS,
]

INVOICE_COLUMNS = [
    Column("account_reference", "text, up to 64", True, "The B2B account the invoice is owed on."),
    Column("invoice_reference", "text, up to 64", True, "The invoice number; unique per account."),
    Column("invoice_date", "date", True, "When the invoice was issued; not in the future."),
    Column("due_date", "date", True, "When it fell due; aging counts from it."),
    Column("amount", "amount, more than zero", True, "What is owed on the invoice now."),
    Column("currency", "ISO 4217 code", False, "Default the account's currency; a different one is refused."),
]

PAYMENT_COLUMNS = [
    Column("account_reference", "text, up to 64", True, "The account the payment is for."),
    Column("creditor", "creditor code", False, "Needed when the file holds several creditors' accounts."),
    Column("amount", "amount, more than zero", True, "What was paid."),
    Column("currency", "ISO 4217 code", False, "Default the account's currency; a different one is refused."),
    Column("received_date", "date", True, "When the money was received; not in the future."),
    Column("method", "one of " + ", ".join(PAYMENT_METHODS), True, "How it was paid."),
    Column("payment_reference", "text, up to 100", True, "The sender's unique reference for this payment."),
]

BANK_CSV_COLUMNS = [
    Column("booked_on", "date", True, "The day the bank booked the line."),
    Column("amount", "amount, negative for money out", True, "What came in (positive) or went out (negative)."),
    Column("currency", "ISO 4217 code", True, "The line's currency."),
    Column("counterparty", "text, up to 200", False, "The payer's name as the bank shows it."),
    Column("reference", "text, up to 500", False, "The payment reference or remittance text."),
    Column("bank_reference", "text, up to 100", False, "The bank's own id for the line; makes re-imports exact."),
    Column("value_date", "date", False, "The value date, if the bank gives one."),
    Column("account", "text, up to 64", False, "The statement's account (IBAN or number); the same on every row."),
]
