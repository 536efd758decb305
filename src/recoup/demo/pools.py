"""Small pools of names, streets and companies per country, made once per run with a seeded Faker.

The generator never calls Faker per row: it draws indexes into these pools with NumPy. Faker's
name lists are frequency-weighted, so drawing uniformly from a pool of its output keeps common
names common. Each entry comes with an ASCII slug for building email addresses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from faker import Faker

from recoup.demo.reference_data import (
    B2B_SUFFIXES,
    B2B_TRADES,
    STREET_BASES,
    STREET_SUFFIXES,
)

FAKER_LOCALES: dict[str, str] = {"US": "en_US", "AU": "en_AU", "GB": "en_GB"}
GIVEN_NAMES = 1_500
FAMILY_NAMES = 2_000
STREETS = 3_000
COMPANIES = 4_000

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: "O'Brien" -> "obrien", "Zoë" -> "zoe"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("", ascii_text.lower())


@dataclass(frozen=True)
class CountryPools:
    """Names and streets of one country, with slugs, to be combined by index."""

    given_names: tuple[str, ...]
    given_slugs: tuple[str, ...]
    family_names: tuple[str, ...]
    family_slugs: tuple[str, ...]
    streets: tuple[str, ...]
    companies: tuple[str, ...]
    company_slugs: tuple[str, ...]


@functools.lru_cache(maxsize=8)
def build_country_pools(*, country: str, seed: int) -> CountryPools:
    """Pools for `country` (US, AU or GB); the same seed always gives the same pools.

    Cached: the pools are immutable and cost about a second to make for the three countries.
    """
    fake = Faker(FAKER_LOCALES[country])
    fake.seed_instance(seed)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x706F6F6C, len(country)])))
    given = [fake.first_name() for _ in range(GIVEN_NAMES)]
    family = [fake.last_name() for _ in range(FAMILY_NAMES)]
    bases = STREET_BASES[country]
    suffixes = STREET_SUFFIXES[country]
    # Half the streets are named after people, half after common bases (Main, High, Station...).
    from_surname = rng.random(STREETS) < 0.5
    base_index = rng.integers(0, len(bases), STREETS)
    family_index = rng.integers(0, FAMILY_NAMES, STREETS)
    suffix_index = rng.integers(0, len(suffixes), STREETS)
    streets = [
        f"{family[int(fi)] if person else bases[int(bi)]} {suffixes[int(si)]}"
        for person, bi, fi, si in zip(
            from_surname.tolist(),
            base_index.tolist(),
            family_index.tolist(),
            suffix_index.tolist(),
            strict=True,
        )
    ]
    trade_index = rng.integers(0, len(B2B_TRADES), COMPANIES)
    company_suffix_index = rng.integers(0, len(B2B_SUFFIXES), COMPANIES)
    owner_index = rng.integers(0, FAMILY_NAMES, COMPANIES)
    companies = [
        f"{family[int(oi)]} {B2B_TRADES[int(ti)]} {B2B_SUFFIXES[int(si)]}"
        for oi, ti, si in zip(owner_index.tolist(), trade_index.tolist(), company_suffix_index.tolist(), strict=True)
    ]
    return CountryPools(
        given_names=tuple(given),
        given_slugs=tuple(slug(name) or "customer" for name in given),
        family_names=tuple(family),
        family_slugs=tuple(slug(name) or "customer" for name in family),
        streets=tuple(streets),
        companies=tuple(companies),
        company_slugs=tuple(slug(name.split(" ")[0]) + slug(name.split(" ")[1]) for name in companies),
    )
