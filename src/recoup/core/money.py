"""Money: a Decimal amount with an ISO 4217 currency, exact to the currency's minor unit.

Arithmetic between different currencies is refused. Every rounding names its mode. `split` divides an
amount into parts that always sum exactly to it, the remainder going to a stated part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies


class MoneyError(ValueError):
    """An amount or currency that cannot be money, or arithmetic that mixes currencies."""


# The largest amount Money holds (and so any sum of it): far above any portfolio, and small enough that
# every amount fits the ledger's 64-bit minor units (even with three decimals) and Decimal's precision.
MONEY_LIMIT = Decimal("1e15")
# The largest amount a person or a file may enter for one payment, charge, plan or promise.
MAX_ENTERED_AMOUNT = Decimal("999999999999.99")


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@cache
def minor_units(currency: str) -> int:
    """Digits after the decimal point for the currency (USD 2, JPY 0, BHD 3)."""
    return int(get_currency_precision(currency))


@cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def validate_currency(currency: str) -> str:
    """Return the code if it is an ISO 4217 currency, else raise MoneyError naming it."""
    if not isinstance(currency, str) or len(currency) != 3 or currency not in _known_currencies():
        raise MoneyError(f"currency: '{currency}' is not an ISO 4217 currency code")
    return currency


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Parse an amount; floats are refused because they cannot hold cents exactly."""
    if isinstance(value, float):
        raise MoneyError("amount: floats are not accepted for money; pass a Decimal or a string")
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise MoneyError(f"amount: '{value}' is not a number") from None
    if not amount.is_finite():
        raise MoneyError(f"amount: '{value}' is not a finite number")
    if abs(amount) >= MONEY_LIMIT:
        raise MoneyError(f"amount: '{value}' is too large (money is less than 1,000,000,000,000,000)")
    return amount


def parse_amount(value: Decimal | int | str) -> Decimal:
    """An amount a person or a file entered: a number (thousands separators allowed) and plausible.

    Raises MoneyError with a sentence a user can act on ("amount: ..."); the caller names the field.
    """
    text = value.strip().replace(",", "") if isinstance(value, str) else value
    if isinstance(text, str) and ("\x00" in text or len(text) > 40):
        raise MoneyError("amount: is not a number")
    amount = to_decimal(text)
    if abs(amount) > MAX_ENTERED_AMOUNT:
        raise MoneyError("amount: must be at most 999,999,999,999.99")
    return amount


def entered_amount(value: Decimal | int | str, currency: str) -> Money:
    """`parse_amount` as money in the currency (refusing more decimal places than it has)."""
    return Money.of(parse_amount(value), currency)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency, already at the currency's minor unit."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        validate_currency(self.currency)
        amount = to_decimal(self.amount)
        if amount != amount.quantize(quantum(self.currency), rounding=ROUND_DOWN):
            raise MoneyError(
                f"amount: {amount} has more decimal places than {self.currency} allows "
                f"({minor_units(self.currency)}); round it first, naming the mode"
            )
        object.__setattr__(self, "amount", amount.quantize(quantum(self.currency)))

    @classmethod
    def of(cls, value: Decimal | int | str, currency: str) -> Money:
        """Exact money from a value that must already fit the currency's minor unit."""
        return cls(to_decimal(value), currency)

    @classmethod
    def rounded(cls, value: Decimal | int | str, currency: str, *, rounding: str) -> Money:
        """Money from any value, rounded to the minor unit with the named mode (e.g. ROUND_HALF_EVEN)."""
        validate_currency(currency)
        return cls(to_decimal(value).quantize(quantum(currency), rounding=rounding), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @property
    def minor(self) -> int:
        """The amount in minor units (cents) as an integer."""
        return int(self.amount.scaleb(minor_units(self.currency)))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(Decimal(minor).scaleb(-minor_units(currency)), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency: cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def multiply(self, factor: Decimal | int, *, rounding: str) -> Money:
        """Multiply by a rate or count, rounding to the minor unit with the named mode."""
        if isinstance(factor, float):
            raise MoneyError("factor: floats are not accepted; pass a Decimal")
        return Money.rounded(self.amount * Decimal(factor), self.currency, rounding=rounding)

    def split(self, weights: Sequence[Decimal | int], *, remainder_to: int = -1) -> list[Money]:
        """Divide into parts proportional to `weights` that sum exactly to this amount.

        Each part is rounded down (towards zero) to the minor unit; the minor units left over go to
        the part at index `remainder_to` (the last one by default), so no cent is created or lost.
        """
        if not weights:
            raise MoneyError("weights: at least one part is needed")
        total_weight = sum(Decimal(w) for w in weights)
        if total_weight <= 0 or any(Decimal(w) < 0 for w in weights):
            raise MoneyError("weights: must be zero or more and not all zero")
        sign = -1 if self.amount < 0 else 1
        whole = abs(self.minor)
        parts = [int((Decimal(whole) * Decimal(w) / total_weight).to_integral_value(ROUND_DOWN)) for w in weights]
        parts[remainder_to] += whole - sum(parts)
        return [Money.from_minor(sign * p, self.currency) for p in parts]

    def __str__(self) -> str:
        return f"{self.amount:,.{minor_units(self.currency)}f} {self.currency}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"


def format_minor(minor: int, currency: str) -> str:
    """The same text as str(Money.from_minor(minor, currency)), without building a Money: for hot loops."""
    units = minor_units(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**units)
    if units == 0:
        return f"{sign}{whole:,} {currency}"
    return f"{sign}{whole:,}.{fraction:0{units}d} {currency}"


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of amounts in one currency (zero for none); mixing currencies raises MoneyError."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


ROUNDING_HALF_EVEN = ROUND_HALF_EVEN
