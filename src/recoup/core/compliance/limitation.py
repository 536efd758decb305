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

Where the end of the period extinguishes the debt (Scotland's 5-year prescription, UK-06; NSW, AU-05)
there is nothing left to collect: `Limitation.extinguished(on)` says so, `EXTINGUISHED_ALLOWS` names
the only contact still allowed (telling the person the debt is extinguished), and
`extinguished_candidates_sql` is the same predicate as SQL for the daily run, over whole tables.
`tests/integration/compliance/test_extinguished.py` checks on random portfolios that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recoup.core.compliance.model import Purpose

ONE_DAY = timedelta(days=1)


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

    def extinguished(self, on: date) -> bool:
        """Whether the debt no longer exists on `on`: its period has ended where the end extinguishes
        it (UK-06 Scotland, AU-05 NSW), so nothing may be collected, charged or listed."""
        return self.extinguishes and self.time_barred(on)

    @property
    def extinguished_on(self) -> date | None:
        """The first day the debt is extinguished (the day after the period's last), or None where the
        period's end does not extinguish it or no period is known."""
        if not self.extinguishes or self.expires_on is None:
            return None
        return self.expires_on + ONE_DAY


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


# Accrual -------------------------------------------------------------------------------------------

DEFAULT_REMEDY_DAYS = 14
"""The remedy period a default notice is taken to give when none is recorded (CCA s 88: at least 14 days)."""

DEFAULT_NOTICE_COUNTRIES: tuple[str, ...] = ("GB",)
"""Where a consumer debt's cause of action accrues when the first default notice's remedy period
expires, if that is later than the missed payment (*Doyle v PRA* [2019] EWCA Civ 12, UK-06)."""


def accrued_on(
    *,
    first_delinquency: date | None,
    charge_off: date | None,
    opened: date,
    country: str,
    consumer: bool,
    default_notice_sent_on: date | None = None,
    default_notice_remedy_days: int | None = None,
) -> date:
    """The day the limitation period runs from: the date of first delinquency, else the charge-off
    date, else the opening date; for a UK consumer debt with a (deliverable) default notice on record,
    the day the first such notice's remedy period expires if that is later (*Doyle*)."""
    accrued = first_delinquency or charge_off or opened
    if country in DEFAULT_NOTICE_COUNTRIES and consumer and default_notice_sent_on is not None:
        remedy = default_notice_remedy_days or DEFAULT_REMEDY_DAYS
        accrued = max(accrued, default_notice_sent_on + timedelta(days=remedy))
    return accrued


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


# Extinguished debts -----------------------------------------------------------------------------------

EXTINGUISHED_ALLOWS: frozenset[Purpose] = frozenset({Purpose.EXTINGUISHED_NOTICE})
"""The only contact an extinguished debt still allows: a message telling the person the debt is
extinguished (and, with it, that money paid after extinction is being returned). Every other
contact, every payment request, every interest, fee or cost charge, every legal step and every
credit-report listing is refused (UK-06, AU-05)."""

EXTINGUISHED_STILL_ALLOWED: tuple[str, ...] = (
    "a message telling the person the debt is extinguished (a template of that purpose)",
    "returning money paid on or after the day the debt was extinguished ('Return it', for a team lead or manager)",
    "receiving money the person chooses to send (it is not refused, and may have to be returned)",
    "closing the account as extinguished ('Close as extinguished', for a team lead or manager)",
)
"""What may still be done on an extinguished debt, as the account page and docs/compliance.md say it."""


EXTINCTION_NAMES: dict[tuple[str, str], str] = {
    ("GB", "SCT"): "Scotland prescription",
    ("AU", "NSW"): "NSW limitation",
}
"""What the account page calls the law that extinguished a debt, by (country, region)."""


def extinguished_allows(purpose: Purpose) -> bool:
    """Whether a contact for `purpose` may still be made about an extinguished debt."""
    return purpose in EXTINGUISHED_ALLOWS


@dataclass(frozen=True)
class Extinction:
    """A place where the end of the limitation period extinguishes the debt (a row of `PERIODS`)."""

    country: str
    region: str
    rule: str
    years: int
    basis: str

    def reason(self) -> str:
        """What the daily run says when it blocks an action on such a debt (the gate adds the date)."""
        return f"the debt is extinguished ({self.basis}); nothing may be collected, charged or listed"

    def sql(self, account: str, on: date, *, vendor: str) -> tuple[str, list[date]]:
        """SQL true for the account row `account` (an alias of accounts_account) whose primary debtor is
        here and whose debt is extinguished on `on`, with its parameters (dates). `vendor` is Django's
        `connection.vendor`: adding a notice's remedy days to its date is written differently in
        SQLite and PostgreSQL."""
        cutoff = accrued_by(on, self.years)
        others = sorted(r for (c, r) in PERIODS if c == self.country and r and r != self.region)
        if self.region:
            place = f"d.country = '{self.country}' AND d.region = '{self.region}'"
        elif others:
            place = f"d.country = '{self.country}' AND d.region NOT IN ({', '.join(repr(r) for r in others)})"
        else:
            place = f"d.country = '{self.country}'"
        accrual = f"COALESCE({account}.first_delinquency_date, {account}.charge_off_date, {account}.opened_date) <= %s"
        params = [cutoff]
        if self.country in DEFAULT_NOTICE_COUNTRIES:
            if vendor == "postgresql":
                ends = f"(n.sent_on + COALESCE(NULLIF(n.remedy_days, 0), {DEFAULT_REMEDY_DAYS}))"
            else:
                ends = f"date(n.sent_on, '+' || COALESCE(NULLIF(n.remedy_days, 0), {DEFAULT_REMEDY_DAYS}) || ' days')"
            first = "NOT EXISTS (SELECT 1 FROM compliance_notice n2 WHERE n2.account_id = n.account_id "
            first += f"AND {_deliverable_default('n2')} AND (n2.sent_on < n.sent_on "
            first += "OR (n2.sent_on = n.sent_on AND n2.id < n.id)))"
            later_accrual = f"EXISTS (SELECT 1 FROM compliance_notice n WHERE n.account_id = {account}.id "  # noqa: S608
            later_accrual += f"AND {_deliverable_default('n')} AND {first} AND {ends} > %s)"
            consumer = f"{account}.product_type <> 'b2b_invoice' AND d.kind = 'person'"
            accrual += f" AND NOT ({consumer} AND {later_accrual})"
            params.append(cutoff)
        sql = (
            "EXISTS (SELECT 1 FROM accounts_account_debtor ad JOIN parties_debtor d ON d.id = ad.debtor_id "  # noqa: S608 - constants
            f"WHERE ad.account_id = {account}.id AND ad.role = 'primary' AND {place} AND {accrual})"
        )
        return sql, params


def _deliverable_default(alias: str) -> str:
    """The notice row `alias` is a default notice that did not come back undeliverable (no parameters)."""
    return f"{alias}.kind = 'default' AND {alias}.undeliverable_on IS NULL"


EXTINCTIONS: tuple[Extinction, ...] = tuple(
    Extinction(country, region, rule, years, basis)
    for (country, region), (rule, years, extinguishes, basis) in PERIODS.items()
    if extinguishes
)
"""Every place where the period's end extinguishes the debt. A business debt there has the same period
(`BUSINESS_PERIODS` overrides none of them; a test checks it), so the SQL need not ask which it is."""


def accrued_by(on: date, years: int) -> date:
    """The latest accrual date whose `years`-year period has ended before `on`: a debt that accrued on
    or before it is time-barred on `on` (so the SQL compares dates, with no date arithmetic in years)."""
    day = _add_years(on, -years)
    while _add_years(day, years) >= on:
        day -= ONE_DAY
    while _add_years(day + ONE_DAY, years) < on:
        day += ONE_DAY
    return day


def extinguished_candidates_sql(account: str, on: date, *, vendor: str) -> tuple[str, list[date]]:
    """SQL true for the account row `account` whose debt is extinguished on `on` (any place in
    `EXTINCTIONS`), with its parameters; the same answer as `Limitation.extinguished(on)` for the
    account's `limitation`."""
    parts = [place.sql(account, on, vendor=vendor) for place in EXTINCTIONS]
    if not parts:
        return "(1 = 0)", []
    return "(" + " OR ".join(sql for sql, _ in parts) + ")", [param for _, params in parts for param in params]
