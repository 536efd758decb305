"""Limitation periods: when a debt becomes time-barred, and whether it is then extinguished.

US-16 and US-NY-1 (New York: 3 years for consumer credit, CPLR 214-i, no revival by payment or
acknowledgement), AU-05 (6 years in every state and the ACT, 3 in the Northern Territory; in NSW the
debt is extinguished), UK-06 (6 years in England, Wales and Northern Ireland; 5 in Scotland, where the
debt is extinguished).

The period runs from the accrual date the caller gives (Recoup uses the date of first delinquency,
else the charge-off date, else the date the account was opened; for UK regulated consumer credit
with a default notice on record, the day the notice's remedy period expired, as *Doyle v PRA* holds).
The debt type matters in New York: the 3 years of CPLR 214-i are for consumer credit; a business debt
has the 6 years of CPLR 213(2) for contracts. Nothing here restarts the clock on a
later payment or acknowledgement: some jurisdictions do and some do not, and not restarting can only
make a debt time-barred sooner, so legal action is blocked earlier, never later. Where the rule
reference gives no period (US states other than New York), the result says the period is unknown and
legal action needs a person's confirmation; it never guesses a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Limitation:
    """The limitation period for one debt, or why it is unknown."""

    rule: str
    years: int | None
    expires_on: date | None
    extinguishes: bool
    basis: str

    def time_barred(self, on: date) -> bool:
        """Whether action on `on` is out of time (the last day of the period still counts)."""
        return self.expires_on is not None and on > self.expires_on


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none: the period ends on 28 February
        return day.replace(year=day.year + years, day=28)


# (country, region) -> (rule, years, extinguishes, basis); region "" is the country's default.
PERIODS: dict[tuple[str, str], tuple[str, int, bool, str]] = {
    ("US", "NY"): ("US-NY-1", 3, False, "New York CPLR 214-i: 3 years for consumer credit; no revival"),
    ("AU", ""): ("AU-05", 6, False, "6 years for a simple contract (state Limitation Acts)"),
    ("AU", "NT"): ("AU-05", 3, False, "3 years in the Northern Territory"),
    ("AU", "NSW"): ("AU-05", 6, True, "6 years in NSW, after which the debt is extinguished"),
    ("GB", ""): ("UK-06", 6, False, "6 years in England, Wales and Northern Ireland (Limitation Act 1980)"),
    ("GB", "SCT"): ("UK-06", 5, True, "5 years in Scotland, after which the debt is extinguished (prescription)"),
}


# Periods for business (non-consumer) debts where they differ from the consumer ones.
BUSINESS_PERIODS: dict[tuple[str, str], tuple[str, int, bool, str]] = {
    ("US", "NY"): ("US-16", 6, False, "New York CPLR 213(2): 6 years for a contract (a business debt)"),
}


def limitation(*, country: str, region: str, accrued_on: date, consumer: bool = True) -> Limitation:
    """The limitation period of a debt owed by someone in `country` (ISO 3166) and `region`; `consumer`
    is False for a business debt (B2B invoices), which some places time differently."""
    found = (
        (None if consumer else BUSINESS_PERIODS.get((country, region)))
        or PERIODS.get((country, region))
        or PERIODS.get((country, ""))
    )
    if found is None:
        place = f"{region}, {country}" if region else country
        return Limitation(
            "US-16" if country == "US" else "LIMITATION",
            None,
            None,
            False,
            f"no limitation period is configured for {place}; confirm before any legal action",
        )
    rule, years, extinguishes, basis = found
    return Limitation(rule, years, _add_years(accrued_on, years), extinguishes, basis)
