"""Strategy definitions: every problem named by where it is, a lossless round trip, and segments in order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.core.strategy import (
    AccountFacts,
    InvalidStrategy,
    parse_strategy,
    path_for,
    segment_for,
    segment_salt,
    slot,
    strategy_dict,
)

BASE = {
    "segments": [
        {"name": "early", "when": {"dpd_max": 30}, "paths": {"gentle": 60, "firm": 40}},
        {"name": "rest", "paths": {"firm": 100}},
    ],
    "paths": {
        "gentle": {"label": "Gentle", "steps": [{"day": 1, "action": "email", "template": "payment-reminder"}]},
        "firm": {"steps": [{"day": 0, "action": "call", "priority": 7}, {"day": 30, "action": "legal_review"}]},
    },
}


class TestParseStrategy:
    def test_a_good_strategy_is_read_with_its_steps_in_day_order(self) -> None:
        strategy = parse_strategy(BASE)
        assert [s.name for s in strategy.segments] == ["early", "rest"]
        assert [s.day for s in strategy.paths["firm"].steps] == [0, 30]
        assert strategy.paths["firm"].steps[0].describe() == "day 0: Queue for a call (priority 7)"

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            (lambda d: d["segments"].pop(), "segments[1]: the last segment must have no conditions"),
            (lambda d: d["segments"][0]["paths"].update(gentle=50), "segments[1].paths: the percents add up to 90"),
            (lambda d: d["segments"][0]["paths"].update(nosuch=0), "segments[1].paths.nosuch: no such path"),
            (
                lambda d: d["segments"][0]["when"].update(dpd_min=40),
                "segments[1].when: dpd_min 40 is more than dpd_max 30",
            ),
            (lambda d: d["segments"][0]["when"].update(colour="red"), "segments[1].when.colour: unknown condition"),
            (lambda d: d["segments"][0]["when"].update(balance_min=1.5), "segments[1].when.balance_min: write amounts"),
            (lambda d: d["segments"][0]["when"].update(statuses=["sleeping"]), "'sleeping' is not one of"),
            (
                lambda d: d["paths"]["gentle"]["steps"][0].pop("template"),
                "paths.gentle.steps[1].template: a email step",
            ),
            (
                lambda d: d["paths"]["firm"]["steps"][0].update(priority=12),
                "paths.firm.steps[1].priority: 12 is outside",
            ),
            (lambda d: d["paths"]["firm"]["steps"][1].update(day=0), "paths.firm: two steps on day 0"),
            (lambda d: d["paths"]["firm"]["steps"][1].update(action="shout"), "'shout' is not one of"),
            (lambda d: d["paths"]["firm"]["steps"][1].pop("day"), "paths.firm.steps[2]: give the day"),
            (lambda d: d["segments"][1].update(name="Rest Of"), "segments[2].name: 'Rest Of' must be"),
        ],
    )
    def test_each_problem_is_named_by_where_it_is(self, change, problem) -> None:  # type: ignore[no-untyped-def]
        import copy

        data = copy.deepcopy(BASE)
        change(data)
        with pytest.raises(InvalidStrategy) as caught:
            parse_strategy(data)
        assert any(problem in p for p in caught.value.problems), caught.value.problems

    def test_a_bucket_is_a_range_of_days_past_due(self) -> None:
        data = {
            "segments": [
                {"name": "b", "when": {"bucket": "31-60"}, "paths": {"p": 100}},
                {"name": "r", "paths": {"p": 100}},
            ],
            "paths": {"p": {}},
        }
        when = parse_strategy(data).segments[0].when
        assert (when.dpd_min, when.dpd_max) == (31, 60)

    def test_the_plain_form_reads_back_the_same(self) -> None:
        strategy = parse_strategy(BASE)
        assert parse_strategy(strategy_dict(strategy)) == strategy


class TestSegmentsInOrder:
    def test_the_first_matching_segment_wins(self) -> None:
        strategy = parse_strategy(BASE)
        assert segment_for(strategy, AccountFacts(1, dpd=10, balance=Decimal(5))).name == "early"
        assert segment_for(strategy, AccountFacts(1, dpd=31, balance=Decimal(5))).name == "rest"

    @settings(max_examples=200)
    @given(st.integers(min_value=1, max_value=10**9))
    def test_every_account_gets_one_of_its_segments_paths_and_a_slot_under_100(self, account_id: int) -> None:
        strategy = parse_strategy(BASE)
        segment = strategy.segments[0]
        assert 0 <= slot(account_id, 12345) < 100
        assert path_for(segment, account_id, strategy.seed) in {"gentle", "firm"}
        assert path_for(segment, account_id, strategy.seed) == (
            "gentle" if slot(account_id, segment_salt(strategy.seed, "early")) < 60 else "firm"
        )
