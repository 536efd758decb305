"""The validation notice's content checks, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from recoup.core.compliance import Itemization, ValidationNotice, masked_account_number, missing_parts, render_notice
from recoup.core.money import Money


def usd(value: str) -> Money:
    return Money.of(value, "USD")


def notice(**changes: object) -> ValidationNotice:
    values: dict[str, object] = {
        "collector_name": "Keystone Recovery Partners",
        "collector_address": "PO Box 1200|Albany NY 12201",
        "consumer_name": "Maria Alvarez",
        "consumer_address": "12 Main Street|Albany NY 12207",
        "creditor_on_itemization_date": "Lakeshore National Bank",
        "account_number": masked_account_number("4417009322810042"),
        "current_creditor": "Lakeshore National Bank",
        "itemization": Itemization(
            date(2026, 5, 1), usd("1000.00"), usd("12.50"), usd("25.00"), usd("100.00"), usd("0.00"), usd("937.50")
        ),
        "sent_on": date(2026, 11, 23),
    }
    values.update(changes)
    return ValidationNotice(**values)  # type: ignore[arg-type]


def test_only_the_last_four_characters_of_the_account_number_show() -> None:
    assert masked_account_number("4417009322810042") == "************0042"
    assert masked_account_number("A12") == "A12"


def test_every_missing_part_is_named() -> None:
    assert missing_parts(notice()) == []
    assert missing_parts(notice(collector_name=" ", consumer_address="", itemization=None)) == [
        "collector_name",
        "consumer_address",
        "itemization (the account has no itemization date and amount)",
    ]


def test_a_notice_with_missing_parts_cannot_be_rendered() -> None:
    with pytest.raises(ValueError, match="missing parts: collector_address"):
        render_notice(notice(collector_address=""))


def test_the_rendered_notice_dates_the_validation_period_from_the_sending_day() -> None:
    text = render_notice(notice())
    assert "As of May 1, 2026, you owed Lakeshore National Bank:" in text
    assert "Call or write to us by December 31, 2026" in text
