"""Logging a call in a few keystrokes: the gate is asked before it is placed, the outcome is recorded
after, and the follow-up the outcome implies is made in the same transaction.

`OUTCOMES` maps what an officer picks to what the contact ledger counts (US-08 counts calls that rang
or reached voicemail; a conversation starts its 7-day wait; a wrong number never reached the person)
and to the follow-up: a promise, a hold (dispute, deceased, bankruptcy, attorney), a hardship notice,
or a callback at a time in the debtor's local time (recorded as their consent to that call, US-08).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from recoup.accounts.dates import legal_date
from recoup.accounts.models import Account, AccountDebtor
from recoup.arrangements.services import UnableToArrange, create_promise
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.compliance.deadlines import record_call_consent, record_hardship_notice
from recoup.compliance.models import ContactDecision
from recoup.compliance.services import UnableToContact, authorise_contact, place_hold, record_contact
from recoup.core.compliance import Channel, Outcome
from recoup.core.money import Money
from recoup.parties.models import Debtor
from recoup.strategies.models import Action
from recoup.workspace.models import Callback
from recoup.workspace.queue import CALLBACK_AHEAD

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class CallOutcome:
    label: str
    ledger: Outcome
    follow_up: str = ""  # promise, plan, callback, dispute, hardship, deceased, bankruptcy, represented


OUTCOMES: dict[str, CallOutcome] = {
    "right_party": CallOutcome("Spoke with the debtor", Outcome.CONNECTED_CONVERSATION),
    "promise": CallOutcome("Promise to pay", Outcome.CONNECTED_CONVERSATION, "promise"),
    # The plan itself is agreed on the plans page, with its schedule and the affordability check.
    "plan": CallOutcome("Payment plan agreed", Outcome.CONNECTED_CONVERSATION, "plan"),
    "refused": CallOutcome("Refused to pay", Outcome.CONNECTED_CONVERSATION),
    "dispute": CallOutcome("Dispute raised", Outcome.CONNECTED_CONVERSATION, "dispute"),
    "hardship": CallOutcome("Hardship disclosed", Outcome.CONNECTED_CONVERSATION, "hardship"),
    "callback": CallOutcome("Callback requested", Outcome.CONNECTED_CONVERSATION, "callback"),
    "attorney": CallOutcome("Attorney represents them", Outcome.CONNECTED_CONVERSATION, "represented"),
    "bankruptcy": CallOutcome("Bankruptcy", Outcome.CONNECTED_CONVERSATION, "bankruptcy"),
    "deceased": CallOutcome("Deceased", Outcome.CONNECTED_CONVERSATION, "deceased"),
    "third_party": CallOutcome("Someone else answered", Outcome.NO_ANSWER),
    "voicemail": CallOutcome("Limited-content voicemail", Outcome.VOICEMAIL),
    "no_answer": CallOutcome("No answer", Outcome.NO_ANSWER),
    "wrong_number": CallOutcome("Wrong number", Outcome.NOT_CONNECTED),
}
HOLDS = {"dispute": "dispute", "represented": "represented", "bankruptcy": "bankruptcy", "deceased": "deceased"}


@dataclass(frozen=True)
class FollowUp:
    """What the officer typed for the follow-up the outcome asks for."""

    promise_amount: Money | None = None
    promise_on: date | None = None
    callback_at: datetime | None = None
    details: str = ""


def log_call(
    *,
    account: Account,
    outcome: str,
    at: datetime,
    now: datetime,
    actor: Actor,
    note: str = "",
    follow_up: FollowUp | None = None,
    override_reason: str = "",
    also_about: Sequence[Account] = (),
) -> ContactDecision:
    """Ask the gate about a call at `at`, record it with its outcome, and make the follow-up.

    A blocked call is recorded as blocked and nothing else happens (UnableToContact names the rules),
    unless someone with the override permission gives a reason. A follow-up that fails (a promise in
    the past, a callback more than 7 days away) undoes the whole call record, so nothing is half done.
    `also_about` names the person's other debts the call was about; each must allow the call too.
    """
    if outcome not in OUTCOMES:
        raise UnableToContact(f"outcome: '{outcome}' is not one of {', '.join(OUTCOMES)}")
    chosen = OUTCOMES[outcome]
    follow_up = follow_up or FollowUp()
    role = (
        AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor").first()
    )
    if role is None:
        raise UnableToContact("debtor: the account has no primary debtor to call")
    debtor = role.debtor
    if chosen.follow_up == "promise" and (follow_up.promise_amount is None or follow_up.promise_on is None):
        raise UnableToContact("promise: give the amount and the day they promised")
    if chosen.follow_up == "callback" and follow_up.callback_at is None:
        raise UnableToContact("callback: give the time they asked to be called")
    decision = authorise_contact(
        account=account,
        debtor=debtor,
        channel=Channel.CALL,
        at=at,
        now=now,
        actor=actor,
        override_reason=override_reason,
    )
    if not decision.usable:
        reasons = "; ".join(f"{r['rule']}: {r['text']}" for r in decision.reasons)
        raise UnableToContact(f"call blocked: {reasons}")
    try:
        with transaction.atomic():
            record_contact(
                token=str(decision.token),
                outcome=chosen.ledger,
                at=at,
                now=now,
                actor=actor,
                note=note,
                also_about=also_about,
            )
            # This call is the callback: callbacks on the account due by now (or within the queue's
            # 15 minutes ahead) are done, whatever the outcome, so the account leaves the callback tier.
            answered = list(
                Callback.objects.filter(account=account, done_at__isnull=True, at__lte=at + CALLBACK_AHEAD)
                .order_by("at")
                .values_list("pk", flat=True)
            )
            Callback.objects.filter(pk__in=answered).update(done_at=now)
            # The call the strategy queued for the account has been made (whatever the outcome).
            strategy_calls = list(
                Action.objects.filter(account=account, kind="call", state=Action.State.QUEUED).values_list(
                    "pk", flat=True
                )
            )
            Action.objects.filter(pk__in=strategy_calls).update(state=Action.State.DONE, decided_at=now)
            _follow_up(account, debtor, chosen, follow_up, now, actor, note)
            record_event(
                event=Event.CALL_LOGGED,
                subject_id=account.pk,
                account_id=account.pk,
                occurred_at=now,
                actor=actor,
                after={
                    "outcome": outcome,
                    "decision": decision.pk,
                    "note": note.strip(),
                    "callbacks_done": answered,
                    "strategy_calls_done": strategy_calls,
                },
            )
    except UnableToArrange as exc:
        raise UnableToContact(str(exc)) from None
    return decision


def _follow_up(
    account: Account, debtor: Debtor, chosen: CallOutcome, follow_up: FollowUp, now: datetime, actor: Actor, note: str
) -> None:
    kind = chosen.follow_up
    words = follow_up.details.strip() or note.strip() or chosen.label
    if kind == "promise":
        assert follow_up.promise_amount is not None
        assert follow_up.promise_on is not None
        create_promise(
            account=account,
            amounts=[(follow_up.promise_on, follow_up.promise_amount)],
            now=now,
            actor=actor,
            channel="call",
            note=words,
        )
    elif kind == "callback":
        at = follow_up.callback_at
        assert at is not None
        if at <= now:
            raise UnableToContact("callback: the time they asked for has passed")
        # Their request is consent to that call (US-08); it covers the hour asked for.
        record_call_consent(
            account=account,
            debtor=debtor,
            given_at=now,
            ends_at=at + timedelta(hours=1),
            note=f"asked to be called back at {at.isoformat()}: {words}",
            now=now,
            actor=actor,
        )
        Callback.objects.create(
            account=account,
            debtor=debtor,
            at=at,
            officer_id=actor.pk if actor is not None and actor.is_authenticated else None,
            note=words,
            created_at=now,
        )
    elif kind == "hardship":
        if debtor.country == "AU":  # a hardship notice under the National Credit Code (AU-06)
            record_hardship_notice(
                account=account,
                received_on=legal_date(account, now, debtor),
                how="oral",
                summary=words,
                now=now,
                actor=actor,
            )
        else:  # elsewhere a hardship hold: every later contact is warned (UK-01)
            place_hold(
                kind="hardship",
                reason="hardship disclosed on a call",
                evidence=words,
                starts_at=now,
                now=now,
                actor=actor,
                account=account,
            )
    elif kind in HOLDS:
        place_hold(
            kind=HOLDS[kind],
            reason=f"{chosen.label} on a call",
            evidence=words,
            starts_at=now,
            now=now,
            actor=actor,
            account=account if kind == "dispute" else None,
            debtor=None if kind == "dispute" else debtor,
        )
