"""The account page's next step: one sentence, in the order an officer would check things."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from recoup.core.compliance import Reason
from recoup.web.account_summary import DueNow, next_step

NOW = datetime(2027, 3, 3, 15, 0, tzinfo=UTC)
TODAY = date(2027, 3, 3)


@dataclass(frozen=True)
class Answer:
    channel: str
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    next_allowed_local: str = ""


NIGHT = (Reason("US-06", "it is 23:10 where they are, outside 08:00 to 21:00"),)
DISPUTE = (Reason("US-15", "the debt is disputed and collection waits until it is verified"),)


def step(answers: list[Answer], **overrides: object) -> str:
    values: dict[str, object] = {
        "status": "active",
        "debtor_name": "Maria Garcia",
        "gate_problem": "",
        "has_primary": True,
        "answers": answers,
        "callback_due": None,
        "now": NOW,
        "due": None,
        "today": TODAY,
    }
    values.update(overrides)
    return next_step(**values).text  # type: ignore[arg-type]


def test_a_call_the_gate_allows_comes_first_with_the_plans_next_payment() -> None:
    due = DueNow("$189.04", TODAY + timedelta(days=1), missed=False)
    assert (
        step([Answer("call", True)], due=due) == "Call Maria Garcia now. Their next payment, $189.04, is due tomorrow."
    )


def test_a_missed_payment_is_what_to_ask_about() -> None:
    due = DueNow("$50.00", date(2027, 2, 26), missed=True)
    assert step([Answer("call", True)], due=due) == (
        "Call Maria Garcia now. Ask about the missed payment of $50.00 due Fri 26 Feb."
    )


def test_a_due_callback_is_a_call_back() -> None:
    text = step([Answer("call", True)], callback_due=(NOW - timedelta(minutes=5), "Wed 03 Mar 09:55 EST"))
    assert text == "Call Maria Garcia back: they asked to be called at Wed 03 Mar 09:55 EST."


def test_a_callback_not_yet_due_does_not_change_the_step() -> None:
    text = step([Answer("call", True)], callback_due=(NOW + timedelta(hours=2), "Wed 03 Mar 12:00 EST"))
    assert text == "Call Maria Garcia now."


def test_at_night_the_other_channels_allowed_are_offered_with_the_reason() -> None:
    answers = [
        Answer("call", False, NIGHT, "Thu 04 Mar 08:00 EST"),
        Answer("sms", False, NIGHT),
        Answer("email", True),
        Answer("letter", True),
    ]
    assert step(answers) == (
        "Calls are not allowed now (US-06: it is 23:10 where they are, outside 08:00 to 21:00); "
        "send an email or letter instead."
    )


def test_nothing_allowed_says_when_calls_are_next_allowed() -> None:
    answers = [Answer(channel, False, NIGHT, "Thu 04 Mar 08:00 EST") for channel in ("call", "sms", "email")]
    assert step(answers).endswith("Calls are next allowed Thu 04 Mar 08:00 EST.")


def test_a_hold_without_an_end_points_at_the_holds() -> None:
    result = next_step(
        status="disputed",
        debtor_name="Maria Garcia",
        gate_problem="",
        has_primary=True,
        answers=[Answer(channel, False, DISPUTE) for channel in ("call", "sms", "email", "letter")],
        callback_due=None,
        now=NOW,
        due=None,
        today=TODAY,
    )
    assert result.text == (
        "No contact is allowed until the reason is resolved: "
        "US-15: the debt is disputed and collection waits until it is verified."
    )
    assert (result.tone, result.action) == ("wait", "holds")


def test_problems_and_finished_accounts_come_before_contact() -> None:
    assert step([Answer("call", True)], gate_problem="no time zone for the debtor").startswith("Fix this first")
    assert step([Answer("call", True)], status="paid").startswith("The account is paid")
    assert step([], has_primary=False).startswith("The account has no primary debtor")
