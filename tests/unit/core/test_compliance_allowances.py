"""How much of each frequency limit is used ("attempts left this week"), as the account page shows it:
the same counting as the rules that block, so "0 left" and a block go together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.core.compliance import (
    Australia,
    Channel,
    ContactRequest,
    Direction,
    FirmPolicy,
    Outcome,
    PastContact,
    UsFederal,
    allowances,
    decide,
)
from recoup.core.compliance.us_local import Massachusetts, NewYorkCity

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=NY)


def request(when: datetime, channel: Channel = Channel.CALL, zone: str = "America/New_York") -> ContactRequest:
    return ContactRequest(channel=channel, at=when, person_id="p1", debt_id="d1", time_zones=(zone,))


def attempt(when: datetime, outcome: Outcome = Outcome.NO_ANSWER, **kwargs: object) -> PastContact:
    fields: dict[str, object] = {"channel": Channel.CALL, "person_id": "p1", "debt_id": "d1", **kwargs}
    return PastContact(at=when, outcome=outcome, **fields)  # type: ignore[arg-type]


def test_us_calls_used_this_week_count_only_what_the_rule_counts() -> None:
    history = [
        attempt(at(1, 10)),
        attempt(at(2, 10), Outcome.VOICEMAIL),
        attempt(at(3, 10), Outcome.NOT_CONNECTED),  # never rang: not counted
        attempt(at(3, 11), consented=True),  # at their request: not counted
        attempt(at(4, 10), direction=Direction.INBOUND),  # they called us
        attempt(at(4, 11), debt_id="d2"),  # another debt
        attempt(at(8, 10)),  # after the request: not yet happened
    ]
    (found,) = allowances(request(at(5)), history, [UsFederal()])
    assert (found.rule, found.used, found.limit, found.days, found.left) == ("US-08", 2, 7, 7, 5)
    assert found.describe() == "2 of 7 counted calls in 7 days (5 left)"
    assert allowances(request(at(5), Channel.EMAIL), history, [UsFederal()]) == ()
    # A call inside their consent is not limited, so nothing is counted against it.
    consented = ContactRequest(
        channel=Channel.CALL, at=at(5), person_id="p1", debt_id="d1", time_zones=("America/New_York",), consented=True
    )
    assert allowances(consented, history, [UsFederal()]) == ()


def test_every_pack_with_a_limit_reports_it() -> None:
    history = [attempt(at(day, 10), Outcome.CONNECTED_CONVERSATION) for day in (1, 3)]
    packs = [Massachusetts(), NewYorkCity(), FirmPolicy(max_attempts_per_day=3, max_contacts=5)]
    found = {a.rule: a.describe() for a in allowances(request(at(3, 15)), history, packs)}
    assert found == {
        "US-MA-1": "2 of 2 calls or texts in 7 days (0 left)",
        "US-NYC-1": "2 of 3 contacts in 7 days (1 left)",
        "FIRM-DAILY-ATTEMPTS": "1 of 3 attempts today (2 left)",
        "FIRM-CONTACT-CAP": "2 of 5 contacts in 7 days (3 left)",
    }
    sydney = datetime(2026, 6, 10, 12, tzinfo=ZoneInfo("Australia/Sydney"))
    au_history = [
        PastContact(
            at=sydney - timedelta(days=d),
            channel=Channel.CALL,
            person_id="p1",
            debt_id="d1",
            outcome=Outcome.CONNECTED_CONVERSATION,
        )
        for d in (1, 2, 20)
    ]
    au = [a.describe() for a in allowances(request(sydney, zone="Australia/Sydney"), au_history, [Australia()])]
    assert au == ["2 of 3 actual contacts in 7 days (1 left)", "3 of 10 actual contacts in 30 days (7 left)"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 9 * 24 * 60), st.sampled_from([Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED])
        ),
        max_size=20,
    ),
    st.integers(0, 9 * 24 * 60),
)
def test_no_calls_left_exactly_when_the_cap_blocks(calls: list[tuple[int, Outcome]], minute: int) -> None:
    """Without conversations (which block for their own reason), 0 left means US-08 blocks, and back."""
    start = datetime(2026, 6, 1, tzinfo=UTC)
    history = [attempt(start + timedelta(minutes=m), outcome) for m, outcome in calls]
    proposed = request(start + timedelta(minutes=minute))
    (found,) = allowances(proposed, history, [UsFederal()])
    decision = decide(proposed, history, [UsFederal()])
    capped = any(r.rule == "US-08" for r in decision.reasons)
    assert (found.left == 0) == capped
