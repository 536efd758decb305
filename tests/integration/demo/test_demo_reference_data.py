"""The reference tables and calibration behind the demo portfolio agree with the outside world."""

from __future__ import annotations

import random
import re
from zoneinfo import ZoneInfo

import numpy as np
import phonenumbers
import pytest

from recoup.demo import calibration
from recoup.demo.pools import build_country_pools, slug
from recoup.demo.reference_data import (
    CITIES,
    DEMO_CREDITORS,
    NANP_EXCHANGES,
    PHONE_PLANS,
    City,
)

SAMPLES_PER_PREFIX = 200


def sample_numbers(city: City, prefix: str, rng: random.Random) -> list[str]:
    plan = PHONE_PLANS[city.country]
    numbers = []
    for _ in range(SAMPLES_PER_PREFIX):
        if plan.nanp:
            rest = f"{rng.choice(NANP_EXCHANGES)}{rng.randrange(10_000):04d}"
        else:
            width = plan.national_length - len(prefix)
            rest = f"{rng.randrange(10**width):0{width}d}"
        numbers.append(f"+{plan.calling_code}{prefix}{rest}")
    return numbers


class TestReferenceTables:
    @pytest.mark.parametrize("city", CITIES, ids=lambda city: f"{city.country}-{city.name}")
    def test_fixed_line_numbers_of_every_city_are_valid_in_its_country(self, city: City) -> None:
        rng = random.Random(city.name)
        for prefix in city.landline_prefixes:
            for value in sample_numbers(city, prefix, rng):
                number = phonenumbers.parse(value)
                assert phonenumbers.is_valid_number(number), value
                assert phonenumbers.region_code_for_number(number) == city.country, value

    @pytest.mark.parametrize("country", sorted(PHONE_PLANS))
    def test_mobile_blocks_give_valid_mobile_numbers_in_the_country(self, country: str) -> None:
        plan = PHONE_PLANS[country]
        rng = random.Random(country)
        for prefix in plan.mobile_prefixes:
            for _ in range(20):
                width = plan.national_length - len(prefix)
                number = phonenumbers.parse(f"+{plan.calling_code}{prefix}{rng.randrange(10**width):0{width}d}")
                assert phonenumbers.is_valid_number(number), prefix
                assert phonenumbers.region_code_for_number(number) == country, prefix
                assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, prefix

    def test_every_city_has_a_real_time_zone_and_postcodes(self) -> None:
        for city in CITIES:
            ZoneInfo(city.time_zone)
            if city.country == "GB":
                assert city.outward_codes
                assert all(re.fullmatch(r"[A-Z]{1,2}\d{1,2}[A-Z]?", code) for code in city.outward_codes)
            else:
                assert 0 < city.postcode_low <= city.postcode_high

    def test_demo_creditor_shares_add_up_and_references_have_room(self) -> None:
        assert sum(spec.share_per_mille for spec in DEMO_CREDITORS) == 1000
        for spec in DEMO_CREDITORS:
            # Enough distinct reference numbers for this creditor's share of five million accounts.
            assert 10**spec.reference_digits > 5_000_000 * spec.share_per_mille // 1000, spec.code


class TestCalibration:
    def test_card_roll_rates_reproduce_the_published_figures(self) -> None:
        # By count; test_demo_ledger checks the published figures by balance.
        rates = calibration.implied_book_rates(calibration.CARD_ROLL_RATES, calibration.CARD_MONTHLY_ENTRY_RATE)
        assert 0.02 <= rates.thirty_plus <= 0.035
        assert 0.01 <= rates.sixty_plus <= 0.025
        assert 0.40 <= rates.early_cure <= 0.60
        assert 0.15 <= calibration.CARD_ROLL_RATES[1] <= 0.25  # about one in five 30-day accounts rolls
        assert min(calibration.CARD_ROLL_RATES[2:]) >= 0.8  # sticky from 60 days on
        assert 0.03 <= rates.annual_charge_off <= 0.06

    def test_bucket_shares_fall_with_lateness_and_sum_to_one(self) -> None:
        shares = calibration.bucket_shares(calibration.CARD_ROLL_RATES)
        assert shares.sum() == pytest.approx(1.0)
        assert all(np.diff(shares) < 0)

    def test_statuses_never_put_early_accounts_in_legal_or_written_off(self) -> None:
        rng = np.random.Generator(np.random.PCG64(1))
        dpd = np.arange(1, 400, dtype=np.int64).repeat(20)
        drawn = calibration.statuses(rng, mix="credit_card", dpd=dpd, charged_off=dpd >= 180)
        assert not ((drawn == "legal") & (dpd < 90)).any()
        assert not ((drawn == "written_off") & (dpd < 180)).any()
        assert (drawn == "legal").any()
        assert (drawn == "written_off").any()


class TestPools:
    def test_the_same_seed_gives_the_same_pools_and_another_seed_others(self) -> None:
        make = build_country_pools.__wrapped__
        first = make(country="GB", seed=4)
        assert make(country="GB", seed=4) == first
        assert make(country="GB", seed=5).family_names != first.family_names

    def test_slugs_are_plain_ascii(self) -> None:
        assert slug("O'Brien") == "obrien"
        assert slug("Zoë-Anne") == "zoeanne"
