"""Statistics for a champion/challenger test of collection treatment paths.

Each account assigned to a path contributes one `AssignmentOutcome`: what it owed when it entered the path,
what it has paid since, the promises to pay it made and kept, and what the actions taken on it cost.
`compare_paths` sums these per path and says, with confidence intervals, how each path's recovery rate
compares with the champion's, so a strategy manager can tell a real improvement from noise before
promoting a challenger.

Amounts arrive in minor units of one currency (the caller groups by currency) and leave as Decimal amounts
in that currency. Rates, ratios and their intervals are Decimals rounded to 4 places half-even; amounts per
account are rounded to the currency's minor unit half-even. Intervals use the normal approximation, so on
small paths (a few dozen accounts) they are rough; a path needs at least two accounts before it gets any
interval other than the Wilson interval on promises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from enum import StrEnum
from statistics import NormalDist

from recoup.core.money import minor_units, quantum, validate_currency

RATE_PLACES = Decimal("0.0001")

# Sums of squared minor units over a million accounts run to about 40 digits; 60 keeps every digit that
# matters through the division and square root, so the 4-place results do not depend on the order of rows.
_PRECISION = 60

_WHOLE_NUMBER_FIELDS = ("balance_minor", "collected_minor", "promises", "promises_kept", "cost_minor")


class InvalidOutcome(ValueError):
    """An outcome row that cannot be counted: a negative or fractional amount, or more promises kept than made."""


class InvalidComparison(ValueError):
    """A comparison that cannot be made: a confidence outside (0, 1), or a champion that is not one of the paths."""


@dataclass(frozen=True, slots=True)
class AssignmentOutcome:
    """What happened to one account after it was assigned to a treatment path (amounts in minor units)."""

    path: str
    balance_minor: int
    collected_minor: int
    promises: int
    promises_kept: int
    cost_minor: int


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval from `low` to `high`, both ends included."""

    low: Decimal
    high: Decimal

    def contains(self, value: Decimal) -> bool:
        return self.low <= value <= self.high


class Finding(StrEnum):
    """What a comparison with the champion found, for code that acts on it (the `verdict` says it in words)."""

    BETTER = "better"
    WORSE = "worse"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"
    TOO_FEW_ACCOUNTS = "too_few_accounts"
    NO_BALANCE = "no_balance"


@dataclass(frozen=True, slots=True)
class RateDifference:
    """This path's recovery rate minus the champion's, with its interval and a verdict in plain words.

    `difference` and `interval` are None when either path has fewer than two accounts or no balance.
    """

    champion: str
    difference: Decimal | None
    interval: Interval | None
    finding: Finding
    verdict: str


@dataclass(frozen=True, slots=True)
class PathComparison:
    """One treatment path's results: totals, rates with confidence intervals, and how it compares with the champion.

    `balance`, `collected`, `cost`, `collected_per_account` and its interval are amounts in `currency`.
    `recovery_rate` is collected / balance over the whole path (a ratio of sums, not a mean of ratios) and
    may exceed 1 when accounts pay interest or fees added after they entered the path.
    `recovery_vs_champion` is None for the champion itself.
    """

    path: str
    currency: str
    accounts: int
    balance: Decimal
    collected: Decimal
    cost: Decimal
    recovery_rate: Decimal | None
    recovery_interval: Interval | None
    promises: int
    promises_kept: int
    promise_kept_rate: Decimal | None
    promise_kept_interval: Interval | None
    collected_per_account: Decimal | None
    collected_per_account_interval: Interval | None
    cost_per_unit_collected: Decimal | None
    recovery_vs_champion: RateDifference | None


@dataclass(frozen=True, slots=True)
class _Recovery:
    """A path's recovery rate and its standard error, unrounded, so differences are taken before rounding."""

    accounts: int
    rate: Decimal | None
    standard_error: Decimal | None


def compare_paths(
    *,
    outcomes: Sequence[AssignmentOutcome],
    currency: str,
    confidence: float = 0.95,
    champion: str | None = None,
    paths: Sequence[str] = (),
) -> list[PathComparison]:
    """Compare the treatment paths in `outcomes`, one result per path sorted by path name.

    Every path is compared with `champion` (by default the first path by name) on recovery rate.
    Name paths in `paths` to report them even when no account was assigned to them yet (they show
    0 accounts and no rates). All outcomes must be in `currency`.

    Raises InvalidOutcome naming the row index and field for a negative or fractional amount or count,
    or more promises kept than made; InvalidComparison for a confidence outside (0, 1) or an unknown
    champion; MoneyError for a currency that is not ISO 4217.
    """
    validate_currency(currency)
    z = _z_score(confidence)
    rows_by_path: dict[str, list[AssignmentOutcome]] = {name: [] for name in paths}
    for index, row in enumerate(outcomes):
        _check_row(index, row)
        rows_by_path.setdefault(row.path, []).append(row)
    names = sorted(rows_by_path)
    if not names:
        return []
    champion_name = names[0] if champion is None else champion
    if champion_name not in rows_by_path:
        raise InvalidComparison(f"champion: '{champion_name}' is not one of the paths compared ({', '.join(names)})")

    label = _percent_label(confidence)
    with localcontext(Context(prec=_PRECISION, rounding=ROUND_HALF_EVEN)):
        recoveries = {name: _recovery(rows_by_path[name]) for name in names}
        return [
            _path_comparison(
                path=name,
                rows=rows_by_path[name],
                currency=currency,
                z=z,
                recovery=recoveries[name],
                recovery_vs_champion=None
                if name == champion_name
                else _difference(
                    champion=champion_name,
                    path_recovery=recoveries[name],
                    champion_recovery=recoveries[champion_name],
                    z=z,
                    label=label,
                ),
            )
            for name in names
        ]


def _check_row(index: int, row: AssignmentOutcome) -> None:
    where = f"outcomes[{index}]"
    if not isinstance(row.path, str) or not row.path:
        raise InvalidOutcome(f"{where}.path: {row.path!r} is not a path name")
    for field in _WHOLE_NUMBER_FIELDS:
        value = getattr(row, field)
        # bool is an int subclass and a float cannot hold minor units exactly; both are mistakes upstream.
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidOutcome(f"{where}.{field}: {value!r} is not a whole number")
        if value < 0:
            raise InvalidOutcome(f"{where}.{field}: {value} is negative")
    if row.promises_kept > row.promises:
        raise InvalidOutcome(
            f"{where}.promises_kept: {row.promises_kept} kept is more than the {row.promises} promises made"
        )


def _z_score(confidence: float) -> Decimal:
    if isinstance(confidence, bool) or not isinstance(confidence, float | int) or not 0 < confidence < 1:
        raise InvalidComparison(f"confidence: {confidence!r} must be between 0 and 1, such as 0.95")
    return Decimal(repr(NormalDist().inv_cdf(0.5 + confidence / 2)))


def _percent_label(confidence: float) -> str:
    # Through str() so 0.95 reads "95" and 0.975 reads "97.5", not the float's binary expansion.
    return f"{(Decimal(str(confidence)) * 100).normalize():f}"


def _rate(value: Decimal) -> Decimal:
    return value.quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)


def _rate_interval(low: Decimal, high: Decimal) -> Interval:
    return Interval(_rate(low), _rate(high))


def _recovery(rows: Sequence[AssignmentOutcome]) -> _Recovery:
    """Ratio estimator collected / balance with its delta-method standard error.

    The residual of account i is e_i = c_i - r * b_i, and SE(r) = sqrt(n / (n - 1) * sum(e_i^2)) / B.
    Multiplying each residual by B makes it the integer c_i * B - C * b_i, so the sum of squares is exact.
    """
    accounts = len(rows)
    balance = sum(row.balance_minor for row in rows)
    collected = sum(row.collected_minor for row in rows)
    if balance == 0:
        return _Recovery(accounts=accounts, rate=None, standard_error=None)
    rate = Decimal(collected) / Decimal(balance)
    if accounts < 2:
        return _Recovery(accounts=accounts, rate=rate, standard_error=None)
    scaled_squares = sum((row.collected_minor * balance - collected * row.balance_minor) ** 2 for row in rows)
    standard_error = (Decimal(accounts * scaled_squares) / (accounts - 1)).sqrt() / (Decimal(balance) ** 2)
    return _Recovery(accounts=accounts, rate=rate, standard_error=standard_error)


def _path_comparison(
    *,
    path: str,
    rows: Sequence[AssignmentOutcome],
    currency: str,
    z: Decimal,
    recovery: _Recovery,
    recovery_vs_champion: RateDifference | None,
) -> PathComparison:
    units = minor_units(currency)
    accounts = len(rows)
    collected = sum(row.collected_minor for row in rows)
    cost = sum(row.cost_minor for row in rows)
    promises = sum(row.promises for row in rows)
    promises_kept = sum(row.promises_kept for row in rows)

    recovery_interval = None
    if recovery.rate is not None and recovery.standard_error is not None:
        margin = z * recovery.standard_error
        # A path cannot collect less than nothing, so the interval stops at 0.
        recovery_interval = _rate_interval(max(Decimal(0), recovery.rate - margin), recovery.rate + margin)

    promise_kept_rate = None
    promise_kept_interval = None
    if promises > 0:
        promise_kept_rate = _rate(Decimal(promises_kept) / promises)
        promise_kept_interval = _wilson(successes=promises_kept, trials=promises, z=z)

    collected_per_account = None
    collected_per_account_interval = None
    if accounts > 0:
        collected_per_account = _amount(Decimal(collected) / accounts, currency)
    if accounts > 1:
        mean = Decimal(collected) / accounts
        # Sample variance s^2 = sum((n c_i - C)^2) / (n^2 (n - 1)), exact in integers; SE of the mean is s / sqrt(n).
        spread = sum((accounts * row.collected_minor - collected) ** 2 for row in rows)
        standard_error = (Decimal(spread) / (accounts**3 * (accounts - 1))).sqrt()
        margin = z * standard_error
        collected_per_account_interval = Interval(
            _amount(max(Decimal(0), mean - margin), currency), _amount(mean + margin, currency)
        )

    return PathComparison(
        path=path,
        currency=currency,
        accounts=accounts,
        balance=Decimal(sum(row.balance_minor for row in rows)).scaleb(-units),
        collected=Decimal(collected).scaleb(-units),
        cost=Decimal(cost).scaleb(-units),
        recovery_rate=None if recovery.rate is None else _rate(recovery.rate),
        recovery_interval=recovery_interval,
        promises=promises,
        promises_kept=promises_kept,
        promise_kept_rate=promise_kept_rate,
        promise_kept_interval=promise_kept_interval,
        collected_per_account=collected_per_account,
        collected_per_account_interval=collected_per_account_interval,
        cost_per_unit_collected=None if collected == 0 else _rate(Decimal(cost) / collected),
        recovery_vs_champion=recovery_vs_champion,
    )


def _amount(minor: Decimal, currency: str) -> Decimal:
    """A value in minor units as an amount of the currency, rounded half-even to its minor unit."""
    return minor.scaleb(-minor_units(currency)).quantize(quantum(currency), rounding=ROUND_HALF_EVEN)


def _wilson(*, successes: int, trials: int, z: Decimal) -> Interval:
    """Wilson score interval for a proportion; treats each promise as an independent trial.

    Unlike the plain normal interval it stays inside [0, 1] and is sensible at 0 and at 100 percent.
    """
    proportion = Decimal(successes) / trials
    z_squared = z * z
    denominator = 1 + z_squared / trials
    centre = (proportion + z_squared / (2 * trials)) / denominator
    margin = z * (proportion * (1 - proportion) / trials + z_squared / (4 * trials * trials)).sqrt() / denominator
    # In exact arithmetic the interval lies in [0, 1] and contains the proportion; the clamps only absorb the last
    # digit of rounding at 0 and 100 percent, so the reported interval always contains the reported rate.
    low = max(Decimal(0), min(centre - margin, proportion))
    high = min(Decimal(1), max(centre + margin, proportion))
    return _rate_interval(low, high)


def _difference(
    *,
    champion: str,
    path_recovery: _Recovery,
    champion_recovery: _Recovery,
    z: Decimal,
    label: str,
) -> RateDifference:
    """Difference in recovery rate (path minus champion); the samples are independent, so variances add."""
    if path_recovery.accounts < 2 or champion_recovery.accounts < 2:
        return RateDifference(
            champion=champion,
            difference=None,
            interval=None,
            finding=Finding.TOO_FEW_ACCOUNTS,
            verdict="too few accounts (each path needs at least 2)",
        )
    if (
        path_recovery.rate is None
        or champion_recovery.rate is None
        or path_recovery.standard_error is None
        or champion_recovery.standard_error is None
    ):
        return RateDifference(
            champion=champion,
            difference=None,
            interval=None,
            finding=Finding.NO_BALANCE,
            verdict="no balance to compare",
        )
    difference = path_recovery.rate - champion_recovery.rate
    margin = z * (path_recovery.standard_error**2 + champion_recovery.standard_error**2).sqrt()
    interval = _rate_interval(difference - margin, difference + margin)
    # The verdict is read from the rounded interval, so it never contradicts the figures shown beside it.
    if interval.low > 0:
        finding, verdict = Finding.BETTER, f"better ({label}% CI excludes 0)"
    elif interval.high < 0:
        finding, verdict = Finding.WORSE, f"worse ({label}% CI excludes 0)"
    else:
        finding, verdict = Finding.NO_CLEAR_DIFFERENCE, f"no clear difference yet ({label}% CI includes 0)"
    return RateDifference(
        champion=champion, difference=_rate(difference), interval=interval, finding=finding, verdict=verdict
    )
