"""Asking a team lead to lift a hold: an officer requests it with the reason, a team lead or manager
approves (the hold is lifted through `lift_hold`, with its refusals) or declines with a note.

One request is open a hold at a time (a database constraint). Whoever asked does not decide. Some
holds are not lifted on request at all, and some only with the decider's note of what ended them:

- a breathing space (UK-07) ends when the debt adviser or the Insolvency Service ends it; a manager
  lifts it on their notice, nobody on an officer's request;
- a dispute (US-15, UK-05, AU-04), bankruptcy, death, cease-communication request or representation
  rests on a fact outside the account: approving says what ended it (the verification sent, the
  discharge, the written withdrawal...).

Every step is audited (`compliance.hold.lift_requested`, `..._approved`, `..._declined`, and the
lift's own `compliance.hold.lifted`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from recoup.accounts.models import Account, AccountDebtor
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.compliance.models import Hold, HoldLiftRequest
from recoup.compliance.services import UnableToContact, answer_lift_request, hold_rule, lift_hold

Actor = AbstractBaseUser | AnonymousUser | None

NOT_ON_REQUEST: dict[str, str] = {
    Hold.Kind.BREATHING_SPACE: "a breathing space ends when the debt adviser or the Insolvency Service ends it (UK-07)",
    Hold.Kind.BREATHING_SPACE_MHC: (
        "a mental health crisis breathing space ends 30 days after the crisis treatment ends, on the "
        "adviser's notice (UK-07)"
    ),
}
NEEDS_EVIDENCE: dict[str, str] = {
    Hold.Kind.DISPUTE: "the debt is verified: say what verification was sent and when",
    Hold.Kind.BANKRUPTCY: "the stay has ended: say how (discharge, dismissal, relief from the stay)",
    Hold.Kind.DECEASED: "the record of death was wrong: say what shows it",
    Hold.Kind.CEASE_COMMUNICATION: "the person withdrew the request in writing: say where that letter is",
    Hold.Kind.REPRESENTED: "the representative no longer acts: say how they confirmed it",
}


PERMISSION = "compliance.change_holdliftrequest"  # who decides: team leads and managers


class UnableToDecide(UnableToContact):
    """A lift request was refused or could not be decided; the message says why."""


def _name(actor: Any) -> str:
    if actor is None:
        return "someone"
    return str(actor.get_full_name() or actor.username)


def may_request(hold: Hold) -> bool:
    """Whether a lift of this hold may be asked for at all (see NOT_ON_REQUEST)."""
    return hold.kind not in NOT_ON_REQUEST


def request_lift(*, hold: Hold, account: Account, reason: str, now: datetime, actor: Actor) -> HoldLiftRequest:
    """Ask for this hold to be lifted, from this account's page; refused if one is already open."""
    if not reason.strip():
        raise UnableToDecide("reason: say why the hold should be lifted")
    if hold.kind in NOT_ON_REQUEST:
        raise UnableToDecide(f"hold: not lifted on request: {NOT_ON_REQUEST[hold.kind]}")
    try:
        with transaction.atomic():
            locked = Hold.objects.select_for_update().get(pk=hold.pk)
            if locked.lifted_at is not None:
                raise UnableToDecide(f"hold: hold {hold.pk} was already lifted")
            if locked.ends_at is not None and locked.ends_at <= now:
                raise UnableToDecide(f"hold: hold {hold.pk} already ended on {locked.ends_at:%d %b %Y}")
            _refuse_if_open(locked)
            asked = HoldLiftRequest.objects.create(
                hold=locked,
                account=account,
                requested_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
                reason=reason.strip(),
                requested_at=now,
            )
            record_event(
                event=Event.HOLD_LIFT_REQUESTED,
                subject_id=locked.pk,
                account_id=account.pk,
                occurred_at=now,
                actor=actor,
                before={"kind": locked.kind},
                after={"request": asked.pk, "reason": asked.reason},
            )
    except IntegrityError:  # asked at the same moment by someone else: the constraint kept one
        _refuse_if_open(hold)
        raise
    return asked


def _refuse_if_open(hold: Hold) -> None:
    open_one = HoldLiftRequest.objects.filter(hold=hold, decided_at__isnull=True).select_related("requested_by").first()
    if open_one is not None:
        raise UnableToDecide(
            f"hold: a lift of hold {hold.pk} was already asked for by {_name(open_one.requested_by)} on "
            f"{open_one.requested_at:%d %b %Y}; a team lead decides it"
        )


def decide(*, request: HoldLiftRequest, approve: bool, note: str, now: datetime, actor: Actor) -> HoldLiftRequest:
    """Approve (lift the hold through `lift_hold`) or decline (with a note) an open request; once."""
    if actor is None or not actor.is_authenticated or not getattr(actor, "has_perm", lambda _p: False)(PERMISSION):
        raise UnableToDecide("decision: you may not decide lift requests; a team lead or manager does")
    note = note.strip()
    with transaction.atomic():
        locked = HoldLiftRequest.objects.select_for_update().get(pk=request.pk)
        if locked.decided_at is not None:
            raise UnableToDecide(
                f"request: the request to lift hold {locked.hold_id} was already "
                f"{locked.get_decision_display().lower()}"
            )
        if locked.requested_by_id == actor.pk:
            raise UnableToDecide("decision: you asked for this lift; another team lead or a manager decides it")
        hold = Hold.objects.get(pk=locked.hold_id)
        if not approve and not note:
            raise UnableToDecide("note: say why the hold stays")
        if approve and hold.kind in NEEDS_EVIDENCE and not note:
            rule = hold_rule(hold.kind, _country(locked.account_id))
            raise UnableToDecide(
                f"note: a {hold.get_kind_display().lower()} hold is lifted only once "
                f"{NEEDS_EVIDENCE[hold.kind]} ({rule})"
            )
        if approve and hold.kind in NOT_ON_REQUEST:
            raise UnableToDecide(f"hold: not lifted on request: {NOT_ON_REQUEST[hold.kind]}")
        answer_lift_request(locked, approved=approve, note=note, now=now, actor=actor)
        if approve:  # after the request is answered, so lift_hold does not answer it a second time
            reason = f"lift request {locked.pk}: {locked.reason}" + (f" (approved: {note})" if note else "")
            lift_hold(hold=hold, reason=reason, now=now, actor=actor)  # its refusals stand (already lifted)
    return locked


def _country(account_id: int) -> str:
    primary = (
        AccountDebtor.objects.filter(account_id=account_id, role=AccountDebtor.Role.PRIMARY)
        .values_list("debtor__country", flat=True)
        .first()
    )
    return primary or ""


def pending_requests(visible: Q | None) -> QuerySet[HoldLiftRequest]:
    """Open requests on holds still in force, on the accounts `visible` lets through (None: all), oldest first."""
    pending = HoldLiftRequest.objects.filter(decided_at__isnull=True, hold__lifted_at__isnull=True)
    if visible is not None:
        pending = pending.filter(account__in=Account.objects.filter(visible).values("pk"))
    return pending.select_related("hold", "account", "requested_by").order_by("requested_at", "id")
