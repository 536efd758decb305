"""The SFS income and expenditure statement: totals, disposable income, guidelines and the suggested instalment."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.arrangements.affordability import (
    CATEGORIES,
    CATEGORY_BY_KEY,
    GUIDELINE_GROUPS,
    Assessment,
    Category,
    GuidelineBreach,
    Guidelines,
    Household,
    Section,
    Statement,
    assess,
    per_period,
    plan_affordable,
)
from recoup.core.money import Money, MoneyError


def gbp(value: str) -> Money:
    return Money.of(value, "GBP")


FAMILY = Household(adults=2, children=1, vehicles=1)

# A couple with one child, monthly figures: income 2,570.92, fixed costs 1,416.13, flexible costs 665.00,
# priority debts 40.00, so 449.79 a month is left for non-priority debts.
FAMILY_AMOUNTS = {
    "earnings_from_employment": gbp("2150.00"),
    "benefits": gbp("310.00"),
    "child_benefit": gbp("110.92"),
    "rent": gbp("850.00"),
    "council_tax": gbp("145.00"),
    "gas": gbp("70.00"),
    "electricity": gbp("85.00"),
    "water": gbp("42.00"),
    "tv_licence": gbp("14.13"),
    "car_insurance": gbp("48.00"),
    "fuel_and_parking": gbp("90.00"),
    "public_transport": gbp("60.00"),
    "life_insurance": gbp("12.00"),
    "groceries": gbp("480.00"),
    "mobile_phone": gbp("30.00"),
    "tv_and_internet": gbp("35.00"),
    "hobbies_leisure_and_sport": gbp("25.00"),
    "clothing_and_footwear": gbp("60.00"),
    "hairdressing": gbp("15.00"),
    "toiletries": gbp("20.00"),
    "council_tax_arrears": gbp("40.00"),
}

# Test figures for one household, not the published ones (those come from configuration).
FAMILY_GUIDELINES = Guidelines(
    by_group={
        "food_and_housekeeping": gbp("450.00"),
        "communications_and_leisure": gbp("120.00"),
        "personal_costs": gbp("95.00"),
    }
)


def family() -> Statement:
    return Statement(household=FAMILY, amounts=FAMILY_AMOUNTS)


def short_of_money() -> Statement:
    return Statement(
        household=Household(adults=1, children=0),
        amounts={"benefits": gbp("1200.00"), "rent": gbp("900.00"), "groceries": gbp("400.00")},
    )


class TestCategories:
    def test_every_section_has_categories_filed_under_it(self) -> None:
        assert set(CATEGORIES) == set(Section)
        for section, categories in CATEGORIES.items():
            assert categories
            assert all(category.section is section for category in categories)

    def test_keys_are_unique_across_sections(self) -> None:
        keys = [category.key for categories in CATEGORIES.values() for category in categories]
        assert len(keys) == len(set(keys)) == len(CATEGORY_BY_KEY)

    def test_only_flexible_costs_have_a_guideline_group_and_every_group_is_used(self) -> None:
        groups = {c.guideline_group for c in CATEGORIES[Section.FLEXIBLE_COSTS]}
        assert groups == set(GUIDELINE_GROUPS)
        others = [c for s, cs in CATEGORIES.items() if s is not Section.FLEXIBLE_COSTS for c in cs]
        assert all(c.guideline_group is None for c in others)

    def test_the_sfs_headings_asked_for_are_there(self) -> None:
        labels = {section: {c.label for c in CATEGORIES[section]} for section in Section}
        assert {"Earnings from employment", "Pensions", "Other income"} <= labels[Section.INCOME]
        assert {"Rent", "Mortgage", "Council tax / rates", "TV licence", "Childcare", "Public transport"} <= labels[
            Section.FIXED_COSTS
        ]
        assert {"Food and groceries", "Clothing and footwear", "Hairdressing"} <= labels[Section.FLEXIBLE_COSTS]
        assert {"Rent arrears", "Council tax / rates arrears", "Magistrates' court fines"} <= labels[
            Section.PRIORITY_DEBTS
        ]

    def test_non_priority_debts_are_not_a_category(self) -> None:
        assert not any("credit card" in c.label.lower() for c in CATEGORY_BY_KEY.values())
        assert "credit_card" not in CATEGORY_BY_KEY

    def test_a_category_is_looked_up_by_key(self) -> None:
        assert CATEGORY_BY_KEY["rent"] == Category("rent", "Rent", Section.FIXED_COSTS, None)
        assert CATEGORY_BY_KEY["groceries"].guideline_group == "food_and_housekeeping"


class TestWorkedExample:
    def test_totals_and_disposable_income(self) -> None:
        result = assess(family())
        assert result.income == gbp("2570.92")
        assert result.fixed_costs == gbp("1416.13")
        assert result.flexible_costs == gbp("665.00")
        assert result.priority_debts == gbp("40.00")
        assert result.disposable_income == gbp("449.79")

    def test_the_whole_disposable_income_is_suggested_monthly_by_default(self) -> None:
        result = assess(family())
        assert result.suggested_monthly == gbp("449.79")
        assert result.suggested_instalment == gbp("449.79")
        assert "449.79 GBP a month" in result.advice[0]

    def test_a_quarter_share_is_rounded_down(self) -> None:
        # 449.79 * 0.25 = 112.4475: 112.44, where rounding to nearest would give 112.45.
        result = assess(family(), debt_share=Decimal("0.25"))
        assert result.suggested_monthly == gbp("112.44")
        assert result.suggested_instalment == gbp("112.44")
        assert "share of 25%" in result.advice[0]

    def test_a_quarter_share_weekly(self) -> None:
        # 449.79 * 0.25 * 12 / 52 = 25.9494...
        result = assess(family(), debt_share=Decimal("0.25"), frequency="weekly")
        assert result.suggested_instalment == gbp("25.94")
        assert result.suggested_monthly == gbp("112.44")
        assert "25.94 GBP a week" in result.advice[0]

    @pytest.mark.parametrize(
        ("frequency", "expected"),
        [("weekly", "103.79"), ("fortnightly", "207.59"), ("four_weekly", "415.19"), ("monthly", "449.79")],
    )
    def test_each_frequency(self, frequency: str, expected: str) -> None:
        # 449.79 * 12 = 5,397.48; / 52 = 103.797, / 26 = 207.595, / 13 = 415.190...
        assert assess(family(), frequency=frequency).suggested_instalment == gbp(expected)

    def test_no_guidelines_means_no_breaches(self) -> None:
        assert assess(family()).over_guideline == ()

    def test_spending_above_a_guideline_is_listed_with_both_amounts(self) -> None:
        result = assess(family(), guidelines=FAMILY_GUIDELINES)
        # Food 480 > 450 and personal costs 95 = 95 (not above); communications 90 < 120.
        assert result.over_guideline == (GuidelineBreach("food_and_housekeeping", gbp("480.00"), gbp("450.00")),)
        assert any("Food and housekeeping" in line and "record the reason" in line for line in result.advice)

    def test_breaches_come_in_statement_order(self) -> None:
        tight = Guidelines(
            by_group={"personal_costs": gbp("94.99"), "communications_and_leisure": gbp("10.00")},
        )
        result = assess(family(), guidelines=tight)
        assert [breach.group for breach in result.over_guideline] == ["communications_and_leisure", "personal_costs"]
        assert result.over_guideline[1].spent == gbp("95.00")

    def test_guidelines_do_not_change_the_suggestion(self) -> None:
        assert assess(family(), guidelines=FAMILY_GUIDELINES).suggested_instalment == gbp("449.79")


class TestNothingToSpare:
    def test_negative_disposable_income_gives_no_suggestion_and_advice(self) -> None:
        result = assess(short_of_money(), frequency="weekly")
        assert result.disposable_income == gbp("-100.00")
        assert result.suggested_monthly is None
        assert result.suggested_instalment is None
        text = " ".join(result.advice).lower()
        assert "token payment" in text
        assert "breathing space" in text
        assert "free, independent debt advice" in text

    def test_exactly_nothing_left_gives_no_suggestion(self) -> None:
        statement = Statement(household=FAMILY, amounts={"pensions": gbp("500.00"), "rent": gbp("500.00")})
        result = assess(statement)
        assert result.disposable_income == gbp("0.00")
        assert result.suggested_instalment is None
        assert any("breathing space" in line for line in result.advice)

    def test_a_share_smaller_than_a_penny_gives_no_suggestion(self) -> None:
        statement = Statement(household=FAMILY, amounts={"pensions": gbp("500.03"), "rent": gbp("500.00")})
        result = assess(statement, debt_share=Decimal("0.25"))
        assert result.disposable_income == gbp("0.03")
        assert result.suggested_instalment is None
        assert "less than the smallest payment" in result.advice[0]

    def test_any_plan_is_above_what_can_be_afforded(self) -> None:
        ok, reason = plan_affordable(gbp("1.00"), "monthly", assess(short_of_money()))
        assert ok is False
        assert "-100.00 GBP" in reason
        assert "token payment" in reason


class TestPerPeriod:
    @pytest.mark.parametrize(
        ("monthly", "frequency", "expected"),
        [
            ("100.00", "weekly", "23.07"),  # 23.0769...; nearest would be 23.08
            ("100.01", "fortnightly", "46.15"),  # 46.1584...; nearest would be 46.16
            ("100.00", "four_weekly", "92.30"),  # 92.3076...; nearest would be 92.31
            ("100.00", "monthly", "100.00"),
            ("52.00", "weekly", "12.00"),
            ("0.00", "weekly", "0.00"),
        ],
    )
    def test_rounds_down_to_the_penny(self, monthly: str, frequency: str, expected: str) -> None:
        assert per_period(gbp(monthly), frequency) == gbp(expected)

    def test_currency_without_minor_units(self) -> None:
        # 1,000 yen * 12 / 52 = 230.77
        assert per_period(Money.of("1000", "JPY"), "weekly") == Money.of("230", "JPY")

    def test_unknown_frequency(self) -> None:
        with pytest.raises(ValueError, match="frequency: 'explicit' is not one of weekly, fortnightly"):
            per_period(gbp("10.00"), "explicit")

    def test_negative_amount(self) -> None:
        with pytest.raises(ValueError, match="monthly: -1.00 GBP is negative"):
            per_period(gbp("-1.00"), "weekly")


class TestPlanAffordable:
    def test_within_the_suggestion(self) -> None:
        ok, reason = plan_affordable(gbp("25.00"), "weekly", assess(family(), debt_share=Decimal("0.25")))
        assert ok is True
        assert reason == "25.00 GBP a week is within the 25.94 GBP a week the statement supports."

    def test_exactly_the_suggestion(self) -> None:
        ok, _ = plan_affordable(gbp("25.94"), "weekly", assess(family(), debt_share=Decimal("0.25")))
        assert ok is True

    def test_a_penny_above_the_suggestion_warns(self) -> None:
        ok, reason = plan_affordable(gbp("25.95"), "weekly", assess(family(), debt_share=Decimal("0.25")))
        assert ok is False
        assert "more than the 25.94 GBP a week" in reason
        assert "recorded reason" in reason

    def test_compared_at_the_plan_frequency_not_the_assessed_one(self) -> None:
        assessment = assess(family(), debt_share=Decimal("0.25"))  # monthly: 112.44
        assert (
            plan_affordable(gbp("51.89"), "fortnightly", assessment)[0] is True
        )  # 449.79 * 0.25 * 12 / 26 = 51.8988...
        assert plan_affordable(gbp("51.90"), "fortnightly", assessment)[0] is False
        assert plan_affordable(gbp("112.45"), "monthly", assessment)[0] is False

    def test_another_currency_is_refused(self) -> None:
        with pytest.raises(MoneyError, match="instalment: in EUR"):
            plan_affordable(Money.of("10.00", "EUR"), "weekly", assess(family()))

    def test_nothing_is_not_a_plan(self) -> None:
        with pytest.raises(ValueError, match="instalment: must be more than zero"):
            plan_affordable(gbp("0.00"), "weekly", assess(family()))


class TestValidation:
    def test_unknown_category(self) -> None:
        with pytest.raises(ValueError, match=r"^amounts: 'xyz' is not an SFS category$"):
            Statement(household=FAMILY, amounts={"rent": gbp("1.00"), "xyz": gbp("1.00")})

    def test_a_non_priority_debt_is_not_accepted(self) -> None:
        with pytest.raises(ValueError, match="amounts: 'credit_card' is not an SFS category"):
            Statement(household=FAMILY, amounts={"credit_card": gbp("50.00")})

    def test_mixed_currencies(self) -> None:
        with pytest.raises(MoneyError, match="amounts: all amounts must be in one currency, not EUR, GBP"):
            Statement(household=FAMILY, amounts={"rent": gbp("500.00"), "pensions": Money.of("900.00", "EUR")})

    def test_negative_amount_names_the_key(self) -> None:
        with pytest.raises(ValueError, match="amounts: 'groceries' is negative"):
            Statement(household=FAMILY, amounts={"pensions": gbp("900.00"), "groceries": gbp("-5.00")})

    def test_an_amount_must_be_money(self) -> None:
        with pytest.raises(ValueError, match="amounts: 'rent' is not Money"):
            Statement(household=FAMILY, amounts={"rent": Decimal("500.00")})  # type: ignore[dict-item]

    def test_an_empty_statement_has_no_currency(self) -> None:
        with pytest.raises(ValueError, match="amounts: at least one amount is needed"):
            Statement(household=FAMILY, amounts={})

    def test_the_statement_cannot_be_changed_through_the_dict_it_was_made_from(self) -> None:
        amounts = {"pensions": gbp("900.00")}
        statement = Statement(household=FAMILY, amounts=amounts)
        amounts["rent"] = gbp("800.00")
        assert "rent" not in statement.amounts
        assert assess(statement).disposable_income == gbp("900.00")

    @pytest.mark.parametrize(
        ("adults", "children", "vehicles", "message"),
        [
            (0, 0, 0, "adults: must be at least 1, not 0"),
            (1, -1, 0, "children: must be at least 0, not -1"),
            (1, 0, -1, "vehicles: must be at least 0, not -1"),
            (True, 0, 0, "adults: must be a whole number"),
        ],
    )
    def test_household(self, adults: int, children: int, vehicles: int, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            Household(adults=adults, children=children, vehicles=vehicles)

    def test_a_household_of_one_adult(self) -> None:
        assert Household(adults=1, children=0) == Household(1, 0, 0)

    @pytest.mark.parametrize("share", [Decimal(0), Decimal("-0.1"), Decimal("1.01"), Decimal("NaN")])
    def test_debt_share_out_of_range(self, share: Decimal) -> None:
        with pytest.raises(ValueError, match="debt_share: must be more than 0 and at most 1"):
            assess(family(), debt_share=share)

    def test_debt_share_as_a_float_is_refused(self) -> None:
        with pytest.raises(ValueError, match="debt_share: must be a Decimal"):
            assess(family(), debt_share=0.5)  # type: ignore[arg-type]

    def test_unknown_frequency(self) -> None:
        with pytest.raises(ValueError, match="frequency: 'daily' is not one of"):
            assess(family(), frequency="daily")

    def test_unknown_guideline_group(self) -> None:
        with pytest.raises(ValueError, match="by_group: 'travel' is not a spending-guideline group"):
            Guidelines(by_group={"travel": gbp("100.00")})

    def test_negative_guideline(self) -> None:
        with pytest.raises(ValueError, match="by_group: the guideline for 'personal_costs' is negative"):
            Guidelines(by_group={"personal_costs": gbp("-1.00")})

    def test_guidelines_in_another_currency_than_the_statement(self) -> None:
        euro = Guidelines(by_group={"personal_costs": Money.of("100.00", "EUR")})
        with pytest.raises(MoneyError, match="guidelines: in EUR, but the statement is in GBP"):
            assess(family(), guidelines=euro)


# Properties

_KEYS = sorted(CATEGORY_BY_KEY)
_PERIODS_PER_YEAR = {"weekly": 52, "fortnightly": 26, "four_weekly": 13, "monthly": 12}
_MONTHS_PER_PERIOD = {f: Fraction(12, n) for f, n in _PERIODS_PER_YEAR.items()}

frequencies = st.sampled_from(sorted(_PERIODS_PER_YEAR))
currencies = st.sampled_from(["GBP", "EUR", "JPY", "BHD"])
shares = st.integers(min_value=1, max_value=10_000).map(lambda n: Decimal(n) / Decimal(10_000))


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    currency = draw(currencies)
    keys = draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=20, unique=True))
    minors = draw(st.lists(st.integers(min_value=0, max_value=10**9), min_size=len(keys), max_size=len(keys)))
    amounts = {key: Money.from_minor(minor, currency) for key, minor in zip(keys, minors, strict=True)}
    household = Household(
        adults=draw(st.integers(1, 6)), children=draw(st.integers(0, 8)), vehicles=draw(st.integers(0, 3))
    )
    return Statement(household=household, amounts=amounts)


@given(statement=statements(), share=shares, frequency=frequencies)
def test_the_suggestion_never_exceeds_the_share_of_disposable_income_converted(
    statement: Statement, share: Decimal, frequency: str
) -> None:
    result = assess(statement, debt_share=share, frequency=frequency)
    exact = Fraction(result.disposable_income.minor) * Fraction(share) * _MONTHS_PER_PERIOD[frequency]
    if result.suggested_instalment is None:
        assert exact < 1
    else:
        # Rounded down once: at most the exact amount, and less than one minor unit below it.
        assert result.suggested_instalment.minor <= exact < result.suggested_instalment.minor + 1
        assert result.suggested_instalment.currency == statement.currency


@given(statement=statements())
def test_disposable_income_is_income_less_everything_else(statement: Statement) -> None:
    result = assess(statement)
    by_section = {section: 0 for section in Section}
    for key, amount in statement.amounts.items():
        by_section[CATEGORY_BY_KEY[key].section] += amount.minor
    assert {section: money.minor for section, money in result.totals.items()} == by_section
    assert result.disposable_income.minor == by_section[Section.INCOME] - sum(
        by_section[s] for s in Section if s is not Section.INCOME
    )


@given(minor=st.integers(min_value=0, max_value=10**12), currency=currencies, frequency=frequencies)
def test_a_years_payments_never_exceed_twelve_months(minor: int, currency: str, frequency: str) -> None:
    monthly = Money.from_minor(minor, currency)
    periods = _PERIODS_PER_YEAR[frequency]
    year = per_period(monthly, frequency).minor * periods
    assert year <= minor * 12
    # Each period loses less than one minor unit to rounding down.
    assert year > minor * 12 - periods


@given(statement=statements(), data=st.data(), share=shares, frequency=frequencies)
def test_assess_does_not_depend_on_the_order_of_the_amounts(
    statement: Statement, data: st.DataObject, share: Decimal, frequency: str
) -> None:
    items = list(statement.amounts.items())
    shuffled = data.draw(st.permutations(items))
    again = Statement(household=statement.household, amounts=dict(shuffled))
    currency = statement.currency
    guidelines = Guidelines(
        by_group={
            # Low guidelines, so that several groups are usually above theirs and their order shows.
            group: Money.from_minor(data.draw(st.integers(0, 10**6)), currency)
            for group in data.draw(st.lists(st.sampled_from(GUIDELINE_GROUPS), unique=True))
        }
    )
    first: Assessment = assess(statement, guidelines=guidelines, debt_share=share, frequency=frequency)
    second = assess(again, guidelines=guidelines, debt_share=share, frequency=frequency)
    assert first == second
