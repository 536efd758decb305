"""The creditor's fees policy, read once into a typed value (core.fees): what it refuses and why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.fees import FeePolicy, FeePolicyError, parse_fee_policy


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"late_fe": "25"}, "fees policy: 'late_fe' is not one of late_fee, max_fees_percent"),
        ({"late_fee": "twenty"}, "fees policy: late_fee: 'twenty' is not a number"),
        ({"late_fee": True}, "fees policy: late_fee: True is not a number"),
        ({"late_fee": "-5"}, "fees policy: late_fee: '-5' must be zero or more"),
        ({"late_fee": "NaN"}, "fees policy: late_fee: 'NaN' must be zero or more"),
        ({"max_fees_percent": 150}, "fees policy: max_fees_percent: 150 is more than 100"),
        (["late_fee"], "fees policy: must be an object"),
    ],
)
def test_a_policy_that_cannot_be_read_names_the_key_and_the_reason(stored: object, message: str) -> None:
    with pytest.raises(FeePolicyError) as caught:
        parse_fee_policy(stored)
    assert str(caught.value).startswith(message)


def test_an_empty_policy_allows_no_fee_at_all() -> None:
    for stored in (None, {}):
        policy = parse_fee_policy(stored)
        assert policy == FeePolicy()
        assert policy.problem(amount=Decimal("0.01"), amount_minor=1, principal_minor=100_000, fees_minor=0) == (
            "the creditor allows no fees (its fees policy is empty)"
        )


@given(
    late_fee=st.integers(min_value=0, max_value=100_00),
    cap=st.integers(min_value=0, max_value=100),
    principal=st.integers(min_value=0, max_value=10_000_00),
    fees=st.integers(min_value=0, max_value=10_000_00),
    fee=st.integers(min_value=1, max_value=200_00),
)
def test_a_fee_is_allowed_exactly_when_it_is_within_the_late_fee_and_the_cap(
    late_fee: int, cap: int, principal: int, fees: int, fee: int
) -> None:
    policy = parse_fee_policy({"late_fee": str(Decimal(late_fee) / 100), "max_fees_percent": cap})
    problem = policy.problem(amount=Decimal(fee) / 100, amount_minor=fee, principal_minor=principal, fees_minor=fees)
    within = fee <= late_fee and (fees + fee) * 100 <= principal * cap
    assert (problem == "") == within
