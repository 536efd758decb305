"""Affordability: an income and expenditure statement in the UK Standard Financial Statement structure.

The Standard Financial Statement (SFS, Money and Pensions Service) sorts a household's monthly money into
income, fixed costs, flexible costs and priority debts; what is left is the disposable income from which
non-priority debts (the ones a repayment plan pays) are offered a share. The same structure serves debtors
in other countries: only the category labels are British.

`CATEGORIES` names the categories by section, following the SFS's published category names (its code of
conduct says to use them unchanged, COMPLIANCE UK-03). Flexible costs belong to a spending-guideline group;
the guidelines themselves ("trigger figures") are published yearly by the Money and Pensions Service and
depend on the household, so they are an input (`Guidelines`), never a number written here.

`assess` totals a `Statement`, finds the disposable income, lists the flexible spending above its
guideline (the officer records a reason for each), and suggests an instalment: the disposable income times
the share of the debtor's non-priority debts that this debt represents, converted from monthly to the plan
frequency and rounded down to the minor unit. With nothing to spare it suggests nothing and says, in plain
words, what to consider instead (UK-01). `plan_affordable` tells whether a proposed instalment is within
the suggestion, so that a larger one can be warned about (UK-02). Nothing here reads the clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

from recoup.core.arrangements.schedule import Frequency
from recoup.core.money import Money, MoneyError


class Section(StrEnum):
    INCOME = "income"
    FIXED_COSTS = "fixed_costs"
    FLEXIBLE_COSTS = "flexible_costs"
    PRIORITY_DEBTS = "priority_debts"
    """Payments towards priority debts. Non-priority debts are not in the statement: the plan pays them."""


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    section: Section
    guideline_group: str | None = None
    """The spending-guideline group a flexible cost is compared with; None for the other sections."""


COMMUNICATIONS_AND_LEISURE = "communications_and_leisure"
FOOD_AND_HOUSEKEEPING = "food_and_housekeeping"
PERSONAL_COSTS = "personal_costs"
SAVINGS = "savings"

GUIDELINE_GROUPS: tuple[str, ...] = (COMMUNICATIONS_AND_LEISURE, FOOD_AND_HOUSEKEEPING, PERSONAL_COSTS, SAVINGS)
"""The spending-guideline groups of the SFS flexible costs, in the order the statement shows them."""

_GROUP_LABELS = {
    COMMUNICATIONS_AND_LEISURE: "Communications and leisure",
    FOOD_AND_HOUSEKEEPING: "Food and housekeeping",
    PERSONAL_COSTS: "Personal costs",
    SAVINGS: "Savings",
}


GROUP_LABELS: Mapping[str, str] = MappingProxyType(_GROUP_LABELS)
"""The guideline groups' names as the statement shows them."""


def _section(section: Section, *rows: tuple[str, str] | tuple[str, str, str]) -> tuple[Category, ...]:
    return tuple(Category(row[0], row[1], section, row[2] if len(row) == 3 else None) for row in rows)


CATEGORIES: dict[Section, tuple[Category, ...]] = {
    Section.INCOME: _section(
        Section.INCOME,
        ("earnings_from_employment", "Earnings from employment"),
        ("earnings_from_self_employment", "Earnings from self-employment"),
        ("benefits", "Benefits and tax credits"),
        ("child_benefit", "Child Benefit"),
        ("pensions", "Pensions"),
        ("maintenance_received", "Maintenance and child support received"),
        ("contributions_from_household", "Contributions from others in the household"),
        ("other_income", "Other income"),
    ),
    Section.FIXED_COSTS: _section(
        Section.FIXED_COSTS,
        # Home and contents
        ("rent", "Rent"),
        ("mortgage", "Mortgage"),
        ("secured_loans", "Other secured loans"),
        ("ground_rent_and_service_charges", "Ground rent and service charges"),
        ("council_tax", "Council tax / rates"),
        ("appliance_and_furniture_rental", "Appliance and furniture rental"),
        ("tv_licence", "TV licence"),
        # Utilities
        ("gas", "Gas"),
        ("electricity", "Electricity"),
        ("other_fuel", "Other fuel"),
        ("water", "Water supply and waste water"),
        # Care and health costs
        ("childcare", "Childcare"),
        ("adult_care", "Adult care"),
        ("child_maintenance_paid", "Child maintenance or child support paid"),
        # Transport and travel
        ("vehicle_finance", "Hire purchase or conditional sale (vehicle)"),
        ("car_insurance", "Car insurance"),
        ("road_tax", "Road tax"),
        ("car_maintenance", "MOT and ongoing car maintenance"),
        ("breakdown_cover", "Breakdown cover"),
        ("fuel_and_parking", "Fuel, parking and congestion charges"),
        ("public_transport", "Public transport"),
        ("other_travel", "Other travel"),
        # School costs
        ("school_uniform", "School uniform"),
        ("school_trips_and_clubs", "After-school clubs and school trips"),
        # Pensions and insurance
        ("pension_contributions", "Pension contributions"),
        ("life_insurance", "Life insurance"),
        ("mortgage_payment_protection", "Mortgage payment protection insurance"),
        ("buildings_and_contents_insurance", "Buildings and contents insurance"),
        ("health_insurance", "Health insurance"),
        # Other essential costs
        ("professional_costs", "Professional costs (union and professional fees)"),
        ("other_essential_costs", "Other essential costs"),
    ),
    Section.FLEXIBLE_COSTS: _section(
        Section.FLEXIBLE_COSTS,
        ("landline", "Telephone (landline)", COMMUNICATIONS_AND_LEISURE),
        ("mobile_phone", "Mobile phone", COMMUNICATIONS_AND_LEISURE),
        ("tv_and_internet", "TV package and internet", COMMUNICATIONS_AND_LEISURE),
        ("hobbies_leisure_and_sport", "Hobbies, leisure and sport", COMMUNICATIONS_AND_LEISURE),
        ("gifts", "Gifts", COMMUNICATIONS_AND_LEISURE),
        ("pocket_money", "Pocket money", COMMUNICATIONS_AND_LEISURE),
        ("newspapers_and_magazines", "Newspapers and magazines", COMMUNICATIONS_AND_LEISURE),
        ("groceries", "Food and groceries", FOOD_AND_HOUSEKEEPING),
        ("nappies_and_baby_items", "Nappies and baby items", FOOD_AND_HOUSEKEEPING),
        ("meals_at_school_and_work", "School meals and meals at work", FOOD_AND_HOUSEKEEPING),
        ("laundry_and_dry_cleaning", "Laundry and dry cleaning", FOOD_AND_HOUSEKEEPING),
        ("alcohol", "Alcohol", FOOD_AND_HOUSEKEEPING),
        ("smoking_products", "Smoking products", FOOD_AND_HOUSEKEEPING),
        ("pets", "Vet bills and pet insurance", FOOD_AND_HOUSEKEEPING),
        ("house_repairs", "House repairs and maintenance", FOOD_AND_HOUSEKEEPING),
        ("clothing_and_footwear", "Clothing and footwear", PERSONAL_COSTS),
        ("medicines_and_prescriptions", "Medicines and prescriptions", PERSONAL_COSTS),
        ("dentist_and_optician", "Dentist and optician", PERSONAL_COSTS),
        ("hairdressing", "Hairdressing", PERSONAL_COSTS),
        ("toiletries", "Toiletries and personal care", PERSONAL_COSTS),
        ("other_personal_costs", "Other personal costs", PERSONAL_COSTS),
        ("savings", "Savings", SAVINGS),
    ),
    Section.PRIORITY_DEBTS: _section(
        Section.PRIORITY_DEBTS,
        ("mortgage_arrears", "Mortgage arrears"),
        ("rent_arrears", "Rent arrears"),
        ("secured_loan_arrears", "Secured loan arrears"),
        ("council_tax_arrears", "Council tax / rates arrears"),
        ("gas_arrears", "Gas arrears"),
        ("electricity_arrears", "Electricity arrears"),
        ("other_fuel_arrears", "Other fuel arrears"),
        ("tv_licence_arrears", "TV licence arrears"),
        ("court_fines", "Magistrates' court fines"),
        ("child_maintenance_arrears", "Child maintenance arrears"),
        ("tax_arrears", "Income tax, National Insurance and VAT arrears"),
        ("vehicle_finance_arrears", "Hire purchase or conditional sale arrears"),
        ("other_priority_debts", "Other priority debts"),
    ),
}

CATEGORY_BY_KEY: Mapping[str, Category] = MappingProxyType(
    {category.key: category for categories in CATEGORIES.values() for category in categories}
)


@dataclass(frozen=True)
class Guidelines:
    """Monthly spending guidelines for one household, by guideline group, supplied by configuration.

    A group without a guideline is not compared. The figures are the Money and Pensions Service's for the
    household's size (or a creditor's own for other countries); none are built in.
    """

    by_group: Mapping[str, Money]

    def __post_init__(self) -> None:
        currencies = set()
        for group, amount in self.by_group.items():
            if group not in GUIDELINE_GROUPS:
                known = ", ".join(GUIDELINE_GROUPS)
                raise ValueError(f"by_group: '{group}' is not a spending-guideline group; known ones are {known}")
            if not isinstance(amount, Money):
                raise ValueError(f"by_group: the guideline for '{group}' is not Money")
            if amount.is_negative:
                raise ValueError(f"by_group: the guideline for '{group}' is negative ({amount})")
            currencies.add(amount.currency)
        if len(currencies) > 1:
            raise MoneyError(f"by_group: guidelines are in more than one currency ({', '.join(sorted(currencies))})")
        object.__setattr__(self, "by_group", MappingProxyType(dict(self.by_group)))


@dataclass(frozen=True)
class Household:
    adults: int
    children: int
    vehicles: int = 0

    def __post_init__(self) -> None:
        for name, minimum in (("adults", 1), ("children", 0), ("vehicles", 0)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name}: must be a whole number, not {value!r}")
            if value < minimum:
                raise ValueError(f"{name}: must be at least {minimum}, not {value}")


@dataclass(frozen=True)
class Statement:
    """A household's monthly amounts by SFS category key; categories left out count as zero."""

    household: Household
    amounts: Mapping[str, Money]

    def __post_init__(self) -> None:
        if not isinstance(self.household, Household):
            raise ValueError("household: must be a Household")
        if not self.amounts:
            raise ValueError("amounts: at least one amount is needed (a zero will do) to know the currency")
        currencies = set()
        for key, amount in self.amounts.items():
            if key not in CATEGORY_BY_KEY:
                raise ValueError(f"amounts: '{key}' is not an SFS category")
            if not isinstance(amount, Money):
                raise ValueError(f"amounts: '{key}' is not Money")
            if amount.is_negative:
                raise ValueError(f"amounts: '{key}' is negative ({amount}); enter what is received or spent")
            currencies.add(amount.currency)
        if len(currencies) > 1:
            raise MoneyError(f"amounts: all amounts must be in one currency, not {', '.join(sorted(currencies))}")
        object.__setattr__(self, "amounts", MappingProxyType(dict(self.amounts)))

    @property
    def currency(self) -> str:
        return next(iter(self.amounts.values())).currency


class GuidelineBreach(NamedTuple):
    """Flexible spending above its guideline: the officer asks why and records the reason (UK-03)."""

    group: str
    spent: Money
    guideline: Money


@dataclass(frozen=True)
class Assessment:
    totals: Mapping[Section, Money]
    disposable_income: Money
    """Monthly income less fixed costs, flexible costs and priority debts; negative when short."""
    over_guideline: tuple[GuidelineBreach, ...]
    debt_share: Decimal
    frequency: Frequency
    suggested_monthly: Money | None
    """The disposable income times the debt share, rounded down; None when nothing can be offered."""
    suggested_instalment: Money | None
    """The suggestion at the plan frequency, rounded down to the minor unit; None when nothing can be offered."""
    advice: tuple[str, ...] = field(default=())

    @property
    def income(self) -> Money:
        return self.totals[Section.INCOME]

    @property
    def fixed_costs(self) -> Money:
        return self.totals[Section.FIXED_COSTS]

    @property
    def flexible_costs(self) -> Money:
        return self.totals[Section.FLEXIBLE_COSTS]

    @property
    def priority_debts(self) -> Money:
        return self.totals[Section.PRIORITY_DEBTS]


_MONTHS_PER_PERIOD: dict[Frequency, Fraction] = {
    Frequency.WEEKLY: Fraction(12, 52),
    Frequency.FORTNIGHTLY: Fraction(12, 26),
    Frequency.FOUR_WEEKLY: Fraction(12, 13),
    Frequency.MONTHLY: Fraction(1),
}
"""A period's share of a month: weekly = 12/52 of a month, fortnightly 12/26, four-weekly 12/13."""

_PER_PERIOD_WORDS = {
    Frequency.WEEKLY: "a week",
    Frequency.FORTNIGHTLY: "a fortnight",
    Frequency.FOUR_WEEKLY: "every four weeks",
    Frequency.MONTHLY: "a month",
}


def _frequency(frequency: str) -> Frequency:
    try:
        parsed = Frequency(frequency)
    except ValueError:
        parsed = None
    if parsed is None or parsed not in _MONTHS_PER_PERIOD:
        known = ", ".join(_MONTHS_PER_PERIOD)
        raise ValueError(f"frequency: '{frequency}' is not one of {known}")
    return parsed


def _floor_money(minor: Fraction, currency: str) -> Money:
    """Money of an exact number of minor units, rounded down (towards zero for the non-negative amounts here)."""
    return Money.from_minor(math.floor(minor), currency)


def per_period(monthly: Money, frequency: str) -> Money:
    """A monthly amount as the amount per plan period, rounded down to the minor unit.

    Weekly is monthly * 12 / 52, fortnightly * 12 / 26, four-weekly * 12 / 13, monthly unchanged, so the
    payments of a year never add up to more than twelve months of the monthly amount.
    """
    parsed = _frequency(frequency)
    if not isinstance(monthly, Money):
        raise ValueError("monthly: must be Money")
    if monthly.is_negative:
        raise ValueError(f"monthly: {monthly} is negative; only an amount that can be paid is converted")
    return _floor_money(monthly.minor * _MONTHS_PER_PERIOD[parsed], monthly.currency)


def _debt_share(share: Decimal) -> Decimal:
    if isinstance(share, bool) or not isinstance(share, Decimal | int):
        raise ValueError(f"debt_share: must be a Decimal between 0 and 1, not {share!r}")
    value = Decimal(share)
    if not value.is_finite() or not Decimal(0) < value <= Decimal(1):
        raise ValueError(f"debt_share: must be more than 0 and at most 1, not {share}")
    return value


def _suggestion(disposable: Money, share: Decimal, frequency: Frequency) -> Money | None:
    """The share of a positive disposable income per period, rounded down once from the exact value."""
    if not disposable.is_positive:
        return None
    suggested = _floor_money(disposable.minor * Fraction(share) * _MONTHS_PER_PERIOD[frequency], disposable.currency)
    return suggested if suggested.is_positive else None


_FREE_ADVICE = (
    "Tell the debtor where to get free, independent debt advice (in the UK, MoneyHelper at moneyhelper.org.uk "
    "finds a free adviser) and deal with an adviser acting for them."
)


def _advice(
    disposable: Money,
    share: Decimal,
    frequency: Frequency,
    suggested: Money | None,
    breaches: tuple[GuidelineBreach, ...],
) -> tuple[str, ...]:
    lines: list[str] = []
    if suggested is None:
        if disposable.is_positive:
            lines.append(
                f"The debtor has {disposable} a month left after essential costs and priority debts; this "
                "debt's share of it is less than the smallest payment, so no instalment is suggested."
            )
        else:
            lines.append(
                f"The debtor has no money left after essential costs and priority debts ({disposable} a month), "
                "so no instalment is suggested."
            )
        lines.append(
            "Consider accepting a token payment for a reasonable period, holding interest and charges, "
            "and reviewing the statement later."
        )
        lines.append(
            "Consider a breathing space: a debt adviser can apply for one, and recovery stops while it lasts "
            "(England and Wales)."
        )
        lines.append(_FREE_ADVICE)
    else:
        share_words = "" if share == 1 else f", this debt's share of {(share * 100).normalize():f}%"
        lines.append(
            f"The statement leaves {disposable} a month; the suggested instalment is {suggested} "
            f"{_PER_PERIOD_WORDS[frequency]}{share_words}. A plan above it needs a recorded reason."
        )
    for breach in breaches:
        lines.append(
            f"{_GROUP_LABELS[breach.group]}: {breach.spent} a month is above the guideline of {breach.guideline}; "
            "ask the debtor why and record the reason."
        )
    return tuple(lines)


def assess(
    statement: Statement,
    *,
    guidelines: Guidelines | None = None,
    debt_share: Decimal = Decimal(1),
    frequency: str = Frequency.MONTHLY,
) -> Assessment:
    """Totals, disposable income, guideline breaches and the suggested instalment of a statement.

    `debt_share` is the part of the debtor's non-priority debts that this debt is (more than 0, at most 1);
    the suggestion is that share of the disposable income, pro rata as debt advisers offer it, at the plan
    `frequency` (weekly, fortnightly, four_weekly or monthly) and rounded down to the minor unit.
    """
    if not isinstance(statement, Statement):
        raise ValueError("statement: must be a Statement")
    share = _debt_share(debt_share)
    parsed = _frequency(frequency)
    currency = statement.currency
    totals = {section: Money.zero(currency) for section in Section}
    by_group = {group: Money.zero(currency) for group in GUIDELINE_GROUPS}
    for key, amount in statement.amounts.items():
        category = CATEGORY_BY_KEY[key]
        totals[category.section] += amount
        if category.guideline_group is not None:
            by_group[category.guideline_group] += amount
    disposable = (
        totals[Section.INCOME]
        - totals[Section.FIXED_COSTS]
        - totals[Section.FLEXIBLE_COSTS]
        - totals[Section.PRIORITY_DEBTS]
    )

    breaches: list[GuidelineBreach] = []
    if guidelines is not None:
        for group in GUIDELINE_GROUPS:
            guideline = guidelines.by_group.get(group)
            if guideline is None:
                continue
            if guideline.currency != currency:
                raise MoneyError(f"guidelines: in {guideline.currency}, but the statement is in {currency}")
            if by_group[group] > guideline:
                breaches.append(GuidelineBreach(group, by_group[group], guideline))

    monthly = _suggestion(disposable, share, Frequency.MONTHLY)
    suggested = _suggestion(disposable, share, parsed)
    return Assessment(
        totals=MappingProxyType(totals),
        disposable_income=disposable,
        over_guideline=tuple(breaches),
        debt_share=share,
        frequency=parsed,
        suggested_monthly=monthly,
        suggested_instalment=suggested,
        advice=_advice(disposable, share, parsed, suggested, tuple(breaches)),
    )


def plan_affordable(instalment: Money, frequency: str, assessment: Assessment) -> tuple[bool, str]:
    """Whether a proposed instalment at a frequency is within what the assessment suggests, and why.

    False means the plan asks for more than the statement supports: warn the officer (UK-02), who may still
    make it with a recorded reason. The frequency may differ from the one the assessment was made for.
    """
    parsed = _frequency(frequency)
    if not isinstance(instalment, Money):
        raise ValueError("instalment: must be Money")
    currency = assessment.disposable_income.currency
    if instalment.currency != currency:
        raise MoneyError(f"instalment: in {instalment.currency}, but the assessment is in {currency}")
    if not instalment.is_positive:
        raise ValueError(f"instalment: must be more than zero, not {instalment}")
    words = _PER_PERIOD_WORDS[parsed]
    allowed = _suggestion(assessment.disposable_income, assessment.debt_share, parsed)
    if allowed is None:
        return (
            False,
            f"{instalment} {words} is more than the debtor can afford: the statement leaves "
            f"{assessment.disposable_income} a month, and this debt's share of it is less than any payment. "
            "Consider a token payment, a breathing space and free debt advice; record the reason if the plan "
            "goes ahead.",
        )
    if instalment <= allowed:
        return True, f"{instalment} {words} is within the {allowed} {words} the statement supports."
    return (
        False,
        f"{instalment} {words} is more than the {allowed} {words} the statement supports; a plan above what "
        "the debtor can afford needs a recorded reason.",
    )
