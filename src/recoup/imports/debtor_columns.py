"""The debtor columns that placement and party files share: kind, names, date of birth, language,
address, country, time zone, phone and email, validated a column at a time.

Also the creditor's own debtor references (`DebtorLink`): a file that names a debtor by the
creditor's id finds the debtor an earlier file created, instead of making a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import available_timezones

from babel.core import get_global

from recoup.imports.models import DebtorLink
from recoup.imports.reading import FileSettings, Problem, parse_choice, parse_dates, parse_text, text
from recoup.parties.models import Creditor
from recoup.parties.services import UnableToSaveParty, normalise_email, normalise_phone

DEBTOR_DETAILS = [
    "given_name",
    "family_name",
    "business_name",
    "date_of_birth",
    "preferred_language",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "time_zone",
]
ZONES = available_timezones()


@dataclass(frozen=True)
class DebtorFields:
    """One row's debtor: `details` holds `kind` and every name in DEBTOR_DETAILS."""

    details: dict[str, Any]
    phone: str
    phone_type: str
    email: str


def parse_debtor_columns(
    rows: Sequence[int],
    column: Callable[[str], list[Any]],
    problems: list[Problem],
    *,
    creditor: Creditor,
    settings: FileSettings,
    today: date,
) -> list[DebtorFields | None]:
    """Each row's debtor, or None where a debtor column has a problem (added to `problems`)."""
    born = parse_dates("date_of_birth", rows, column("date_of_birth"), problems, settings, not_after=today)
    kinds = parse_choice(
        "debtor_kind", rows, column("debtor_kind"), problems, choices=["person", "business"], default="person"
    )
    names = {
        name: parse_text(name, rows, column(name), problems, max_length=length)
        for name, length in [("given_name", 100), ("family_name", 100), ("business_name", 200)]
    }
    address = {
        name: parse_text(name, rows, column(name), problems, max_length=length)
        for name, length in [
            ("address_line1", 200),
            ("address_line2", 200),
            ("city", 100),
            ("region", 10),
            ("postal_code", 20),
        ]
    }
    languages = [text(v).lower() or "en" for v in column("preferred_language")]
    countries = [text(v).upper() or creditor.country for v in column("country")]
    zones = [text(v) for v in column("time_zone")]
    phone_types = parse_choice(
        "phone_type", rows, column("phone_type"), problems, choices=["mobile", "home", "work"], default="mobile"
    )
    phones_raw = column("phone")
    emails_raw = column("email")
    bad = {p.row for p in problems}
    result: list[DebtorFields | None] = []
    for i, row in enumerate(rows):
        row_problems: list[Problem] = []
        kind = kinds[i]
        if kind == "person" and not names["family_name"][i]:
            row_problems.append(Problem(row, "family_name", "", "is required for a person"))
        if kind == "business" and not names["business_name"][i]:
            row_problems.append(Problem(row, "business_name", "", "is required for a business"))
        country = countries[i]
        if len(country) != 2 or not country.isalpha():
            row_problems.append(Problem(row, "country", country, "is not a two-letter ISO 3166 code"))
        zone = zones[i]
        if not zone:
            candidates = get_global("territory_zones").get(country, [])
            if len(candidates) == 1:
                zone = candidates[0]
            else:
                row_problems.append(
                    Problem(row, "time_zone", "", f"is required for a debtor in {country} (it has several time zones)")
                )
        elif zone not in ZONES:
            row_problems.append(Problem(row, "time_zone", zone, "is not an IANA time zone (like America/Chicago)"))
        if born[i] is not None and born[i] == today:
            row_problems.append(Problem(row, "date_of_birth", str(born[i]), "is not in the past"))
        phone = text(phones_raw[i])
        if phone:
            try:
                phone = normalise_phone(phone, country=country if len(country) == 2 else creditor.country)
            except UnableToSaveParty as exc:
                row_problems.append(
                    Problem(row, "phone", phone, str(exc).split(": ", 1)[-1].replace(f"'{phone}' ", ""))
                )
        email = text(emails_raw[i])
        if email:
            try:
                email = normalise_email(email)
            except UnableToSaveParty:
                row_problems.append(Problem(row, "email", email, "is not a valid email address"))
        problems.extend(row_problems)
        if row_problems or row in bad:
            result.append(None)
            continue
        details = {
            "kind": kind,
            "given_name": names["given_name"][i],
            "family_name": names["family_name"][i],
            "business_name": names["business_name"][i],
            "date_of_birth": born[i],
            "preferred_language": languages[i][:10],
            **{name: values[i] for name, values in address.items()},
            "country": country,
            "time_zone": zone,
        }
        result.append(DebtorFields(details, phone, phone_types[i], email))
    return result


def same_debtor_problems(
    rows: Sequence[int],
    references: Sequence[str],
    debtors: Sequence[DebtorFields | None],
    seen: dict[str, tuple[int, dict[str, Any]]],
) -> list[Problem]:
    """Rows of one file that give the same debtor reference must describe the same debtor."""
    problems: list[Problem] = []
    for row, reference, fields in zip(rows, references, debtors, strict=True):
        if not reference or fields is None:
            continue
        if reference not in seen:
            seen[reference] = (row, fields.details)
            continue
        first_row, first = seen[reference]
        differs = [name for name in ["kind", *DEBTOR_DETAILS] if first.get(name) != fields.details.get(name)]
        if differs:
            problems.append(
                Problem(
                    row,
                    differs[0] if differs[0] != "kind" else "debtor_kind",
                    str(fields.details.get(differs[0]) or ""),
                    f"differs from row {first_row}, which gives the same debtor_reference {reference!r}",
                )
            )
    return problems


def linked_debtors(creditor: Creditor, references: Sequence[str]) -> dict[str, int]:
    """The debtors earlier files named by these references (one query)."""
    wanted = sorted({r for r in references if r})
    if not wanted:
        return {}
    return dict(
        DebtorLink.objects.filter(creditor=creditor, reference__in=wanted).values_list("reference", "debtor_id")
    )


def link_debtor(creditor: Creditor, reference: str, debtor_id: int, now: datetime) -> None:
    DebtorLink.objects.create(creditor=creditor, reference=reference, debtor_id=debtor_id, created_at=now)
