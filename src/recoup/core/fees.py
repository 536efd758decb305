"""The fees a creditor allows the collector to add to an account, and whether one more fee fits.

A creditor's policy is stored as JSON on the creditor (`{"late_fee": "25.00", "max_fees_percent": 10}`)
and read here into a `FeePolicy`; an empty policy allows no fees at all. Every fee goes through
`accounts.services.post_charge`, which refuses one the policy does not allow, whoever adds it (the
daily run's fee steps, an officer, an import).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

KEYS = ("late_fee", "max_fees_percent")


class FeePolicyError(ValueError):
    """A stored or typed policy that cannot be read; the message names the key and the reason."""


@dataclass(frozen=True)
class FeePolicy:
    late_fee: Decimal | None = None
    """The most one fee may be, in the account's currency; None: no limit on one fee."""
    max_fees_percent: Decimal | None = None
    """Fees in all may be at most this percent of the principal; None: no cap."""
    allows_fees: bool = False
    """False for an empty policy: the creditor allows no fees."""

    def problem(self, *, amount: Decimal, amount_minor: int, principal_minor: int, fees_minor: int) -> str:
        """Why one more fee of `amount` (`amount_minor` in minor units) is not allowed on an account
        with this principal and these fees already; empty when it is."""
        if not self.allows_fees:
            return "the creditor allows no fees (its fees policy is empty)"
        if self.late_fee is not None and amount > self.late_fee:
            return f"the fee {amount} is more than the creditor's late fee of {self.late_fee}"
        if self.max_fees_percent is not None:
            limit = Decimal(principal_minor) * self.max_fees_percent / 100
            if fees_minor + amount_minor > limit:
                return f"fees would be more than {self.max_fees_percent}% of the principal, the creditor's cap"
        return ""


def parse_fee_policy(data: Any) -> FeePolicy:
    """The policy stored on a creditor (None or {} for none), refused with the key and the reason when
    it holds a key we do not know, a value that is not a number, or one out of range."""
    if data in (None, {}, ""):
        return FeePolicy()
    if not isinstance(data, dict):
        raise FeePolicyError(f'fees policy: must be an object such as {{"late_fee": "25.00"}}, not {data!r}')
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise FeePolicyError(f"fees policy: '{unknown[0]}' is not one of {', '.join(KEYS)}")
    values: dict[str, Decimal | None] = {}
    for key in KEYS:
        raw = data.get(key)
        if raw is None:
            values[key] = None
            continue
        if isinstance(raw, bool):
            raise FeePolicyError(f"fees policy: {key}: {raw!r} is not a number")
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise FeePolicyError(f"fees policy: {key}: {raw!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise FeePolicyError(f"fees policy: {key}: {raw!r} must be zero or more")
        if key == "max_fees_percent" and value > 100:
            raise FeePolicyError(f"fees policy: {key}: {raw!r} is more than 100")
        if key == "late_fee" and value > Decimal("1000000"):
            raise FeePolicyError(f"fees policy: {key}: {raw!r} is more than 1,000,000")
        values[key] = value
    return FeePolicy(late_fee=values["late_fee"], max_fees_percent=values["max_fees_percent"], allows_fees=True)
