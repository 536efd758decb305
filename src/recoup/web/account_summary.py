"""The account page's summary: what the officer should do next, in one sentence, from what the page
already knows (the gate's answers per channel, callbacks, the plan in force). No query of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from recoup.core.compliance import Reason

# Statuses on which there is nothing left to collect, so nobody should be contacted about the debt.
FINISHED = {
    "paid": "paid",
    "settled": "settled",
    "written_off": "written off",
    "recalled": "recalled by the creditor",
    "closed": "closed",
}


class Answer(Protocol):
    """What the gate said about one channel (the page's ChannelAnswer)."""

    @property
    def channel(self) -> str: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def reasons(self) -> tuple[Reason, ...]: ...
    @property
    def next_allowed_local(self) -> str: ...


@dataclass(frozen=True)
class DueNow:
    """The plan's or promise's next payment, in words."""

    amount: str  # "$241.66"
    on: date
    missed: bool  # its date has passed without the payment


@dataclass(frozen=True)
class NextStep:
    text: str
    tone: str  # "go" (contact now), "wait" (nothing allowed now), "stop" (a problem to fix first)
    action: str = ""  # the section the step points at: "call", "message", "holds", "contact-points", ""


CHANNEL_NAMES = {"call": "call", "sms": "text", "email": "email", "letter": "letter"}


def next_step(
    *,
    status: str,
    debtor_name: str,
    gate_problem: str,
    has_primary: bool,
    answers: list[Answer],
    callback_due: tuple[datetime, str] | None,
    now: datetime,
    due: DueNow | None,
    today: date,
    extinguished: str = "",
) -> NextStep:
    """The one thing to do next, in order: a finished account, an extinguished debt (`extinguished`
    says since when and under which rule), a problem the gate cannot decide, a callback that is due,
    contact where the gate allows it now, else when contact is next allowed."""
    if status in FINISHED:
        return NextStep(
            f"The account is {FINISHED[status]}: there is nothing to collect, so do not contact them about it.", "wait"
        )
    if extinguished:
        return NextStep(
            f"{extinguished}: there is nothing to collect, so do not contact them about it. "
            "Close the account as extinguished.",
            "stop",
            "extinguished",
        )
    if gate_problem:
        return NextStep(
            f"Fix this first: the compliance gate cannot decide ({gate_problem}).", "stop", "contact-points"
        )
    if not has_primary:
        return NextStep("The account has no primary debtor: nobody can be contacted until one is recorded.", "stop")
    by_channel = {answer.channel: answer for answer in answers}
    call = by_channel.get("call")
    about = ""
    if due is not None:
        about = (
            f" Ask about the missed payment of {due.amount} due {due.on:%a} {due.on.day} {due.on:%b}."
            if due.missed
            else (f" Their next payment, {due.amount}, is due {_day(due.on, today)}.")
        )
    if call is not None and call.allowed:
        if callback_due is not None and callback_due[0] <= now:
            return NextStep(
                f"Call {debtor_name} back: they asked to be called at {callback_due[1]}.{about}", "go", "call"
            )
        return NextStep(f"Call {debtor_name} now.{about}", "go", "call")
    allowed = [answer for answer in answers if answer.allowed and answer.channel != "call"]
    call_reason = _first_reason(call)
    if allowed:
        names = _join([CHANNEL_NAMES.get(answer.channel, answer.channel) for answer in allowed])
        return NextStep(
            f"Calls are not allowed now ({call_reason}); send {_article(names)}{names} instead.{about}", "go", "message"
        )
    if call is not None and call.next_allowed_local:
        return NextStep(
            f"No contact is allowed now ({call_reason}). Calls are next allowed {call.next_allowed_local}.", "wait"
        )
    return NextStep(f"No contact is allowed until the reason is resolved: {call_reason}.", "wait", "holds")


def _first_reason(answer: Answer | None) -> str:
    if answer is None or not answer.reasons:
        return "the gate gave no reason"
    reason = answer.reasons[0]
    return f"{reason.rule}: {reason.text.rstrip('.')}"  # the sentence around it ends it


def _day(on: date, today: date) -> str:
    if on == today:
        return "today"
    if (on - today).days == 1:
        return "tomorrow"
    return f"{on:%a} {on.day} {on:%b}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _article(words: str) -> str:
    return "an " if words[:1] in "aeiou" else "a "
