"""Small presentation helpers for the staff UI templates."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from babel.numbers import format_currency
from django import template

from recoup.core.money import Money

register = template.Library()

# Days past due at which an account is shown as seriously late, and as at charge-off risk.
HIGH_DPD = 90
SEVERE_DPD = 180


# What an import's result counts are called on the page (the keys are the importers' summary keys).
SUMMARY_LABELS = {
    "rows": "Rows read",
    "lines": "Statement lines",
    "created": "Created",
    "updated": "Updated",
    "unchanged": "Unchanged",
    "rejected": "Rejected",
    "problems": "Problems",
    "already_imported": "Already imported (skipped)",
    "posted": "Payments posted",
    "unmatched": "Unmatched (waiting to be matched)",
    "not_credits": "Money out (not credits, skipped)",
}


@register.filter
def summary_label(key: str) -> str:
    """An import result count's label: "already_imported" reads "Already imported (skipped)"."""
    return SUMMARY_LABELS.get(key) or str(key).replace("_", " ").capitalize()


@register.filter
def as_json(value: Any) -> str:
    """Pretty JSON for before/after values in the audit log (escaped by the template as usual)."""
    if value is None:
        return ""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter
def dpd_band(days: int | None) -> str:
    """The CSS modifier for a days-past-due figure: 'severe' from 180 days, 'high' from 90, else ''."""
    if days is None:
        return ""
    if days >= SEVERE_DPD:
        return "severe"
    if days >= HIGH_DPD:
        return "high"
    return ""


@register.filter
def money(value: Money | None) -> str:
    """An amount with its currency sign, grouped, exact to the minor unit: $1,234.50, A$80.00, £12.00."""
    if value is None:
        return ""
    return str(format_currency(value.amount, value.currency, locale="en_US"))


@register.filter
def minor_money(minor: int | None, currency: str) -> str:
    """Minor units and a currency code shown like `money`: 61240|minor_money:"GBP" is £612.40."""
    if minor is None:
        return ""
    return money(Money.from_minor(minor, currency))


@register.filter
def share_of(part: Money, whole: Money) -> str:
    """`part` as a percentage of `whole`, one decimal place (half-even); a dash when the whole is zero."""
    if whole.is_zero:
        return "—"
    share = (Decimal(part.minor) * 100 / Decimal(whole.minor)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return f"{share}%"
