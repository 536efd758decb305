"""A synthetic placement file in Recoup's documented account format (docs/import-formats.md).

For trying the importer on a realistic file of any size, for its benchmark and for its crash test:
US debtors in real cities with their time zones, valid phone numbers, balances by component.
Deterministic for a seed. Written row by row, so a million rows never sit in memory.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from recoup.demo.reference_data import NANP_EXCLUDED_EXCHANGES, US_CITIES

HEADER = [
    "account_reference",
    "product_type",
    "currency",
    "opened_date",
    "first_delinquency_date",
    "charge_off_date",
    "principal",
    "interest",
    "fees",
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line1",
    "city",
    "region",
    "postal_code",
    "country",
    "time_zone",
    "phone",
    "phone_type",
    "email",
]
GIVEN = ["Maria", "James", "Aisha", "Daniel", "Olivia", "Noah", "Sofia", "Liam", "Chloe", "Ethan", "Priya", "Lucas"]
FAMILY = ["Alvarez", "Smith", "Rahman", "Kim", "Johnson", "Nguyen", "Garcia", "Brown", "Patel", "Miller", "Lee"]
STREETS = ["Oak St", "Maple Ave", "Main St", "Cedar Ln", "Park Blvd", "Elm St", "Lakeview Dr", "Hill Rd"]
PRODUCTS = ["credit_card", "credit_card", "credit_card", "personal_loan", "medical", "utility"]


def write_placement_file(path: Path, rows: int, *, seed: int = 2026, prefix: str = "PL", as_of: date) -> Path:
    """Write `rows` placement rows to `path` (CSV, UTF-8); references are `{prefix}-00000001` and on."""
    rng = random.Random(seed)
    cities = US_CITIES
    weights = [c.weight for c in cities]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(1, rows + 1):
            city = rng.choices(cities, weights)[0]
            opened = as_of - timedelta(days=rng.randint(400, 3650))
            delinquent = opened + timedelta(days=rng.randint(90, 360))
            charged_off = delinquent + timedelta(days=180) if rng.random() < 0.6 else None
            principal = rng.randint(5_000, 1_500_000)
            interest = rng.randint(0, principal // 5)
            fees = rng.choice([0, 0, 2_500, 3_500, 7_500])
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            exchange = rng.randint(200, 999)
            while exchange in NANP_EXCLUDED_EXCHANGES or exchange % 100 == 11:
                exchange = rng.randint(200, 999)
            phone = f"+1{rng.choice(city.landline_prefixes)}{exchange}{rng.randint(0, 9999):04d}"
            writer.writerow(
                [
                    f"{prefix}-{n:08d}",
                    rng.choice(PRODUCTS),
                    "USD",
                    opened.isoformat(),
                    delinquent.isoformat(),
                    charged_off.isoformat() if charged_off and charged_off <= as_of else "",
                    f"{principal / 100:.2f}",
                    f"{interest / 100:.2f}",
                    f"{fees / 100:.2f}",
                    given,
                    family,
                    (as_of - timedelta(days=rng.randint(20 * 365, 75 * 365))).isoformat(),
                    f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                    city.name,
                    city.region,
                    f"{rng.randint(city.postcode_low, city.postcode_high):05d}",
                    "US",
                    city.time_zone,
                    phone if rng.random() < 0.8 else "",
                    "mobile" if rng.random() < 0.7 else "home",
                    f"{given}.{family}{n}@example.com".lower() if rng.random() < 0.5 else "",
                ]
            )
    return path
