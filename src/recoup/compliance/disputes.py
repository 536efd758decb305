"""Disputes and complaints: receiving one, moving it through its states, and its legal clocks.

The rules (which clocks, whether collection stops, which moves are allowed) are in the pure core
(`core.disputes`); this module records, validates, audits and places or lifts the holds:

- `open_dispute` records what was received, when (in the person's time zone), how and why, works out
  the rules and deadlines, and, where the law stops collection (US-15 written dispute in the
  validation period, UK-05 and AU-04 disputes about liability or the amount), places the
  verification hold: a `dispute` hold, which the gate, the daily run, plans and enforcement obey.
- `advance_dispute` moves it on (acknowledged, investigating, waiting for the creditor, answered
  with an outcome, withdrawn, referred onward, closed). An answer that verifies or corrects the debt,
  a duplicative answer, and a withdrawal lift the verification hold; an upheld dispute keeps it.
- The verification hold cannot be lifted by hand while its dispute is open, except by someone with
  the compliance override permission, with a reason (`compliance.services.lift_hold`).
- Legal referral is refused while a dispute is open (`deadlines.enforcement_gate`), and the credit
  reporting gate treats the debt as disputed.

Every step writes an audit event in the same transaction (`compliance.dispute.opened`,
`compliance.dispute.advanced`), which the account timeline shows under "Holds and legal".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from django.db import transaction

from recoup.accounts.dates import legal_zone
from recoup.accounts.models import Account
from recoup.accounts.selectors import primary_debtor
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.compliance.models import Dispute, Hold, Notice
from recoup.compliance.services import DISPUTE_OPEN_STATES as OPEN_STATES
from recoup.compliance.services import Actor, UnableToContact, lift_hold, place_hold
from recoup.core.business_dates import date_in
from recoup.core.compliance.calendars import validation_end
from recoup.core.compliance.timers import Deadline, DeadlineState
from recoup.core.disputes import model as core
from recoup.core.disputes.clocks import DisputeFacts, applicable_rules, collection_stop, dispute_clocks
from recoup.core.money import Money

LIFTING_OUTCOMES = frozenset({core.Outcome.VERIFIED, core.Outcome.CORRECTED, core.Outcome.DUPLICATIVE})
"""Answers after which collection of what stands may resume: the verification hold is lifted."""
NOTE_NEEDED = frozenset({core.State.ANSWERED, core.State.WITHDRAWN, core.State.REFERRED})
CLOSED_STATUSES = ("closed", "recalled")


class UnableToDispute(Exception):
    """The dispute could not be recorded or moved; the message names the field and why."""


E = TypeVar("E", bound=StrEnum)


def _choice(value: str, enum: type[E], field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise UnableToDispute(f"{field}: '{value}' is not one of {choices}") from None


def _validation_ends(account: Account) -> date | None:
    """US-13: the last day of the validation period of the latest validation notice that was delivered."""
    sent = (
        Notice.objects.filter(account=account, kind=Notice.Kind.VALIDATION, undeliverable_on=None)
        .order_by("-sent_on", "-id")
        .values_list("sent_on", flat=True)
        .first()
    )
    return validation_end(sent) if sent is not None else None


def facts_of(dispute: Dispute) -> DisputeFacts:
    """The core's facts for a recorded dispute, as they were on receipt."""
    return DisputeFacts(
        kind=core.Kind(dispute.kind),
        country=dispute.country,
        region=dispute.region,
        channel=core.Channel(dispute.channel),
        reason=core.Reason(dispute.reason) if dispute.reason else None,
        received_on=dispute.received_on,
        validation_ends=dispute.validation_ends,
        about_credit_report=dispute.about_credit_report,
        hardship_or_default=dispute.hardship_or_default,
        duplicative=dispute.duplicate_of_id is not None,
    )


def clocks_of(dispute: Dispute) -> tuple[Deadline, ...]:
    """Its deadlines, earliest first, each met on the day its step was taken."""
    return dispute_clocks(facts_of(dispute), acknowledged_on=dispute.acknowledged_on, answered_on=dispute.answered_on)


def open_dispute(
    *,
    account: Account,
    kind: str,
    channel: str,
    received_at: datetime,
    now: datetime,
    actor: Actor,
    raised_by: str = "",
    reason: str = "",
    category: str = "",
    text: str = "",
    disputed: Money | None = None,
    about_credit_report: bool = False,
    hardship_or_default: bool = False,
) -> Dispute:
    """Record a dispute (about the debt: `reason`) or a complaint (about conduct: `category`) received
    at `received_at`; place the verification hold where the law stops collection. Refused with
    UnableToDispute, naming the field, and nothing written: a closed account, a time in the future or
    without a zone, an unknown kind, channel, reason or category, "other" without the text, an amount
    in another currency or above the balance."""
    dispute_kind = _choice(kind, core.Kind, "kind")
    dispute_channel = _choice(channel, core.Channel, "channel")
    if account.status in CLOSED_STATUSES:
        raise UnableToDispute(
            f"account: account {account.reference} is {account.status}; a dispute is recorded on an open account"
        )
    if received_at.tzinfo is None:
        raise UnableToDispute("received_at: give the time with its UTC offset or zone")
    if received_at > now:
        raise UnableToDispute(f"received_at: {received_at.isoformat()} is in the future")
    dispute_reason = ""
    dispute_category = ""
    if dispute_kind is core.Kind.DISPUTE:
        if category:
            raise UnableToDispute("category: a dispute about the debt has a reason, not a complaint category")
        dispute_reason = _choice(reason, core.Reason, "reason").value
        if dispute_reason == core.Reason.OTHER and not text.strip():
            raise UnableToDispute("text: say what is disputed when the reason is 'other'")
    else:
        if reason:
            raise UnableToDispute("reason: a complaint about conduct has a category, not a dispute reason")
        dispute_category = _choice(category, core.ComplaintCategory, "category").value
        if dispute_category == core.ComplaintCategory.OTHER and not text.strip():
            raise UnableToDispute("text: say what the complaint is about when the category is 'other'")
        if disputed is not None:
            raise UnableToDispute("disputed: a complaint about conduct disputes no amount")
    disputed_minor = _disputed_minor(account, disputed)
    debtor = primary_debtor(account)
    zone = legal_zone(account, debtor)
    received_on = date_in(received_at, zone)
    country = debtor.country if debtor is not None else account.creditor.country
    region = debtor.region if debtor is not None else ""
    who = raised_by.strip() or (debtor.display_name if debtor is not None else "")
    if not who:
        raise UnableToDispute("raised_by: say who raised it (the account has no primary debtor)")
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        earlier = (
            Dispute.objects.filter(
                account=locked,
                kind=core.Kind.DISPUTE,
                reason=dispute_reason,
                outcome__in=(core.Outcome.VERIFIED, core.Outcome.DUPLICATIVE),
            )
            .order_by("id")
            .first()
            if dispute_kind is core.Kind.DISPUTE
            else None
        )
        facts = DisputeFacts(
            kind=dispute_kind,
            country=country,
            region=region,
            channel=dispute_channel,
            reason=core.Reason(dispute_reason) if dispute_reason else None,
            received_on=received_on,
            validation_ends=_validation_ends(locked) if country == "US" else None,
            about_credit_report=about_credit_report,
            hardship_or_default=hardship_or_default,
            duplicative=earlier is not None,
        )
        dispute = Dispute.objects.create(
            account=locked,
            debtor=debtor,
            kind=dispute_kind.value,
            channel=dispute_channel.value,
            raised_by=who[:200],
            reason=dispute_reason,
            category=dispute_category,
            text=text.strip(),
            disputed_minor=disputed_minor,
            currency=locked.currency,
            received_at=received_at,
            received_on=received_on,
            time_zone=zone,
            country=country,
            region=region,
            rules=list(applicable_rules(facts)),
            validation_ends=facts.validation_ends,
            about_credit_report=about_credit_report,
            hardship_or_default=hardship_or_default,
            duplicate_of=earlier,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            created_at=now,
            updated_at=now,
        )
        stop = collection_stop(facts)
        hold: Hold | None = None
        if stop is not None:
            hold = place_hold(
                kind=Hold.Kind.DISPUTE,
                reason=f"{stop.rule}: {dispute.kind} {dispute.pk}: {stop.text}",
                starts_at=received_at,
                now=now,
                actor=actor,
                account=locked,
                evidence=f"{dispute.get_channel_display()} received {received_at.isoformat()} from {who}",
            )
            dispute.hold = hold
            dispute.save(update_fields=["hold"])
        record_event(
            event=Event.DISPUTE_OPENED,
            subject_id=dispute.pk,
            account_id=locked.pk,
            occurred_at=now,
            actor=actor,
            after={
                "kind": dispute.kind,
                "channel": dispute.channel,
                "raised_by": dispute.raised_by,
                "reason": dispute.reason,
                "category": dispute.category,
                "text": dispute.text,
                "disputed": str(Money.from_minor(disputed_minor, locked.currency)) if disputed_minor else None,
                "received_at": received_at.isoformat(),
                "received_on": received_on.isoformat(),
                "time_zone": zone,
                "country": country,
                "region": region,
                "rules": list(dispute.rules),
                "validation_ends": facts.validation_ends.isoformat() if facts.validation_ends else None,
                "duplicate_of": earlier.pk if earlier else None,
                "hold": hold.pk if hold else None,
                "deadlines": [f"{c.rule} {c.due_on.isoformat()} {c.what}" for c in clocks_of(dispute)],
            },
        )
    return dispute


def _disputed_minor(account: Account, disputed: Money | None) -> int | None:
    if disputed is None:
        return None
    if disputed.currency != account.currency:
        raise UnableToDispute(f"disputed: the account is in {account.currency}, not {disputed.currency}")
    minor = disputed.minor
    if minor <= 0:
        raise UnableToDispute("disputed: the disputed amount must be more than zero (leave it out for the whole debt)")
    if disputed > account.balance:
        raise UnableToDispute(f"disputed: {disputed} is more than the {account.balance} the account owes")
    return minor


def advance_dispute(
    *, dispute: Dispute, to: str, now: datetime, actor: Actor, outcome: str = "", note: str = ""
) -> Dispute:
    """Move a dispute or complaint to state `to` (with `outcome` for an answer, and a note for an answer,
    a withdrawal or a referral). Refused with UnableToDispute, naming the field, and nothing changed,
    when the move is not allowed from where it is."""
    target = _choice(to, core.State, "to")
    chosen = _choice(outcome, core.Outcome, "outcome") if outcome else None
    if target in NOTE_NEEDED and not note.strip():
        words = {"answered": "what was sent", "withdrawn": "how it was withdrawn", "referred": "to whom and why"}
        raise UnableToDispute(f"note: say {words[target.value]}")
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        current = core.State(locked.state)
        problem = core.transition_problem(core.Kind(locked.kind), current, target, chosen)
        if problem:
            raise UnableToDispute(problem)
        on = date_in(now, locked.time_zone)
        lifted: Hold | None = None
        if target is core.State.ACKNOWLEDGED:
            locked.acknowledged_on = on
        if target is core.State.ANSWERED:
            locked.answered_on = on
            locked.outcome = chosen.value if chosen is not None else ""
            if chosen in LIFTING_OUTCOMES:
                lifted = _lift_verification_hold(
                    locked, f"{locked.kind} {locked.pk} answered ({chosen}): {note}", now, actor
                )
        if target is core.State.WITHDRAWN:
            lifted = _lift_verification_hold(locked, f"{locked.kind} {locked.pk} withdrawn: {note}", now, actor)
        if target is core.State.CLOSED:
            locked.closed_at = now
        locked.state = target.value
        locked.updated_at = now
        locked.save()
        record_event(
            event=Event.DISPUTE_ADVANCED,
            subject_id=locked.pk,
            account_id=locked.account_id,
            occurred_at=now,
            actor=actor,
            before={"state": current.value},
            after={
                "state": target.value,
                "outcome": locked.outcome if target is core.State.ANSWERED else "",
                "note": note.strip(),
                "on": on.isoformat(),
                "hold_lifted": lifted.pk if lifted else None,
            },
        )
    return locked


def _lift_verification_hold(dispute: Dispute, reason: str, now: datetime, actor: Actor) -> Hold | None:
    if dispute.hold_id is None:
        return None
    hold = Hold.objects.get(pk=dispute.hold_id)
    if hold.lifted_at is not None:
        return None
    try:
        return lift_hold(hold=hold, reason=reason[:1000], now=now, actor=actor, by_dispute=True)
    except UnableToContact as exc:
        raise UnableToDispute(str(exc)) from None


def open_dispute_of_hold(hold: Hold) -> Dispute | None:
    """The open dispute whose verification hold this is, if any."""
    return Dispute.objects.filter(hold=hold, state__in=OPEN_STATES).first()


@dataclass(frozen=True)
class DueClock:
    dispute: Dispute
    clock: Deadline
    state: DeadlineState


def disputes_due(*, as_of: date, account: Account | None = None) -> list[DueClock]:
    """Every clock not yet met on the open disputes and complaints (of one account, or all), nearest
    deadline first; each with its state on `as_of` (running, escalate, overdue)."""
    found = Dispute.objects.filter(state__in=OPEN_STATES).select_related("account__creditor")
    if account is not None:
        found = found.filter(account=account)
    rows = [
        DueClock(dispute, clock, clock.state(as_of))
        for dispute in found.order_by("id")
        for clock in clocks_of(dispute)
        if clock.met_on is None
    ]
    return sorted(rows, key=lambda row: (row.clock.due_on, row.dispute.pk))
