"""Notices, call consents and hardship notices, the deadlines they start, and the gates that wait on them.

- `record_notice`: a notice sent (validation, first letter, overdue, intention to list, default), which
  meets US-11 and starts the waits of US-17, AU-08, AU-07 and UK-08.
- `record_call_consent`: the person's direct consent to be called (US-08 exclusion, at most 7 days).
- `record_hardship_notice` and its steps: AU-06's clocks and AU-07's wait after a refusal.
- `account_deadlines`: every running clock on an account, met, running, to escalate or overdue.
- `record_forbearance`: forbearance offered, agreed or refused, with reasons (UK-01); an agreed
  suspension of interest and charges freezes them.
- `credit_reporting_gate` (US-17, US-18, US-15; AU-08, AU-04, AU-05) and `enforcement_gate`
  (legal referral: AU-07, UK-08, UK-07, holds) say whether the action may go ahead and why not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, Q

from recoup.accounts.dates import legal_zone
from recoup.accounts.models import Account, AccountDebtor, OpenItem
from recoup.accounts.selectors import primary_debtor
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.compliance.models import CallConsent, Contact, Dispute, Forbearance, HardshipNotice, Hold, Notice
from recoup.compliance.services import (
    Actor,
    UnableToContact,
    extinguished_reason,
    lift_hold,
    limitation_for,
    open_disputes,
    place_hold,
)
from recoup.core.business_dates import date_in, latest_date
from recoup.core.compliance.model import Reason
from recoup.core.compliance.timers import (
    Deadline,
    Gate,
    au_listing_gate,
    enforcement_allowed_from,
    hardship_deadlines,
    us_furnishing_gate,
    validation_notice_deadline,
)
from recoup.core.contact_rules import HOLD_RULE
from recoup.parties.dates import debtor_zone
from recoup.parties.models import Debtor

CONSENT_MAX = timedelta(days=7)  # US-08: a consent excludes calls for at most 7 days
DEFAULT_NOTICE_MIN_DAYS = {"AU": 30, "GB": 14}  # AU-07 (NCC s 88), UK-08 (CCA s 88)


def _actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def record_notice(
    *,
    account: Account,
    kind: str,
    sent_on: date,
    now: datetime,
    actor: Actor,
    channel: str = "letter",
    reference: str = "",
    remedy_days: int | None = None,
) -> Notice:
    """Record that a notice was sent; audited. A default notice names the days it gives to remedy."""
    if kind not in Notice.Kind.values:
        raise UnableToContact(f"kind: '{kind}' is not one of {', '.join(Notice.Kind.values)}")
    if channel not in {"letter", "email", "sms"}:
        raise UnableToContact(f"channel: a notice is sent by letter, email or sms, not '{channel}'")
    if sent_on > latest_date(now):
        raise UnableToContact(f"sent_on: {sent_on.isoformat()} is in the future; record a notice once it is sent")
    debtor = primary_debtor(account)
    if kind == Notice.Kind.DEFAULT:
        minimum = DEFAULT_NOTICE_MIN_DAYS.get(debtor.country if debtor else account.creditor.country, 14)
        if remedy_days is None or remedy_days < minimum:
            raise UnableToContact(
                f"remedy_days: a default notice gives at least {minimum} days to remedy "
                f"({'AU-07' if minimum == 30 else 'UK-08'}); got {remedy_days}"
            )
    elif remedy_days is not None:
        raise UnableToContact("remedy_days: only a default notice gives days to remedy")
    with transaction.atomic():
        notice = Notice.objects.create(
            account=account,
            debtor=debtor,
            kind=kind,
            channel=channel,
            sent_on=sent_on,
            remedy_days=remedy_days,
            reference=reference.strip(),
            recorded_by_id=_actor_id(actor),
            recorded_at=now,
        )
        record_event(
            event=Event.NOTICE_RECORDED,
            subject_id=notice.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={"kind": kind, "channel": channel, "sent_on": sent_on.isoformat(), "remedy_days": remedy_days},
        )
    return notice


def mark_notice_undeliverable(*, notice: Notice, on: date, now: datetime, actor: Actor) -> Notice:
    """The notice came back (US-17: then nothing is reported on the strength of it); audited."""
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.undeliverable_on is not None:
            raise UnableToContact(f"notice: notice {notice.pk} is already marked undeliverable")
        if on < locked.sent_on:
            raise UnableToContact(f"on: {on.isoformat()} is before the notice was sent ({locked.sent_on.isoformat()})")
        locked.undeliverable_on = on
        locked.save(update_fields=["undeliverable_on"])
        record_event(
            event=Event.NOTICE_UNDELIVERABLE,
            subject_id=notice.pk,
            account_id=locked.account_id,
            occurred_at=now,
            actor=actor,
            after={"undeliverable_on": on.isoformat()},
        )
    return locked


def record_call_consent(
    *, account: Account, debtor: Debtor, given_at: datetime, ends_at: datetime, note: str, now: datetime, actor: Actor
) -> CallConsent:
    """The person asked, or agreed directly, to be called (for example 'call me back tomorrow at 2pm').

    Calls made under it do not count towards US-08's limits; it lasts at most 7 days.
    """
    if not AccountDebtor.objects.filter(account=account, debtor=debtor).exists():
        raise UnableToContact(f"debtor: {debtor} is not a party to account {account.reference}")
    if not note.strip():
        raise UnableToContact("note: write down what the person said")
    if ends_at <= given_at:
        raise UnableToContact("ends_at: the consent must end after it was given")
    if ends_at - given_at > CONSENT_MAX:
        raise UnableToContact("ends_at: a consent to be called lasts at most 7 days (US-08)")
    if given_at > now:
        raise UnableToContact("given_at: a consent is recorded once it is given, not before")
    with transaction.atomic():
        consent = CallConsent.objects.create(
            account=account,
            debtor=debtor,
            given_at=given_at,
            ends_at=ends_at,
            note=note.strip(),
            recorded_by_id=_actor_id(actor),
            recorded_at=now,
        )
        record_event(
            event=Event.CALL_CONSENT_RECORDED,
            subject_id=consent.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={"debtor": debtor.pk, "given_at": given_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
    return consent


def revoke_call_consent(*, consent: CallConsent, at: datetime, now: datetime, actor: Actor) -> CallConsent:
    with transaction.atomic():
        locked = CallConsent.objects.select_for_update().get(pk=consent.pk)
        if locked.revoked_at is not None:
            raise UnableToContact(f"consent: consent {consent.pk} was already revoked")
        locked.revoked_at = at
        locked.save(update_fields=["revoked_at"])
        record_event(
            event=Event.CALL_CONSENT_REVOKED,
            subject_id=consent.pk,
            account_id=locked.account_id,
            occurred_at=now,
            actor=actor,
            after={"revoked_at": at.isoformat()},
        )
    return locked


def record_hardship_notice(
    *, account: Account, received_on: date, how: str, summary: str, now: datetime, actor: Actor
) -> HardshipNotice:
    """A hardship notice, oral or written (no magic words needed): its clocks start, and a hardship
    hold warns everyone who contacts the person until it is decided."""
    if how not in HardshipNotice.How.values:
        raise UnableToContact(f"how: '{how}' is not one of {', '.join(HardshipNotice.How.values)}")
    if not summary.strip():
        raise UnableToContact("summary: write down what the person said about their hardship")
    if received_on > latest_date(now):
        raise UnableToContact(f"received_on: {received_on.isoformat()} is in the future")
    debtor = primary_debtor(account)
    with transaction.atomic():
        hold = place_hold(
            kind=Hold.Kind.HARDSHIP,
            reason=f"hardship notice ({how}) received {received_on.isoformat()}",
            starts_at=now,
            now=now,
            actor=actor,
            account=account,
            evidence=summary.strip(),
        )
        notice = HardshipNotice.objects.create(
            account=account,
            debtor=debtor,
            hold=hold,
            received_on=received_on,
            how=how,
            summary=summary.strip(),
            recorded_by_id=_actor_id(actor),
            recorded_at=now,
        )
        record_event(
            event=Event.HARDSHIP_RECEIVED,
            subject_id=notice.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={"received_on": received_on.isoformat(), "how": how, "hold": hold.pk},
        )
    return notice


def _hardship_step(notice: HardshipNotice, field: str, on: date, now: datetime, actor: Actor) -> HardshipNotice:
    with transaction.atomic():
        locked = HardshipNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.decision:
            raise UnableToContact(f"hardship: notice {notice.pk} is already decided")
        if getattr(locked, field) is not None:
            raise UnableToContact(f"{field}: already recorded as {getattr(locked, field).isoformat()}")
        if field == "info_received_on" and locked.info_requested_on is None:
            raise UnableToContact("info_received_on: no information was asked for")
        earliest = locked.info_requested_on if field == "info_received_on" else locked.received_on
        assert earliest is not None
        if on < earliest or on > latest_date(now):
            raise UnableToContact(f"{field}: {on.isoformat()} must be between {earliest.isoformat()} and today")
        setattr(locked, field, on)
        locked.save(update_fields=[field])
        record_event(
            event=Event.HARDSHIP_INFO_REQUESTED if field == "info_requested_on" else Event.HARDSHIP_INFO_RECEIVED,
            subject_id=notice.pk,
            account_id=locked.account_id,
            occurred_at=now,
            actor=actor,
            after={field: on.isoformat()},
        )
    return locked


def hardship_information_requested(*, notice: HardshipNotice, on: date, now: datetime, actor: Actor) -> HardshipNotice:
    return _hardship_step(notice, "info_requested_on", on, now, actor)


def hardship_information_received(*, notice: HardshipNotice, on: date, now: datetime, actor: Actor) -> HardshipNotice:
    return _hardship_step(notice, "info_received_on", on, now, actor)


def decide_hardship(
    *, notice: HardshipNotice, decision: str, on: date, note: str, now: datetime, actor: Actor
) -> HardshipNotice:
    """The written decision: an agreed change, or a refusal with reasons and EDR details (AU-06).

    The hardship hold is lifted; after a refusal, enforcement waits 14 days (AU-07).
    """
    if decision not in (HardshipNotice.Decision.AGREED, HardshipNotice.Decision.REFUSED):
        raise UnableToContact("decision: 'agreed' or 'refused'")
    if not note.strip():
        raise UnableToContact("note: give the change agreed, or the reasons for refusing and the EDR scheme named")
    with transaction.atomic():
        locked = HardshipNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.decision:
            raise UnableToContact(f"hardship: notice {notice.pk} is already decided ({locked.decision})")
        if on < locked.received_on or on > latest_date(now):
            raise UnableToContact(f"on: {on.isoformat()} must be between the notice and today")
        locked.decision = decision
        locked.decided_on = on
        locked.decision_note = note.strip()
        locked.save(update_fields=["decision", "decided_on", "decision_note"])
        if locked.hold is not None and locked.hold.lifted_at is None:
            lift_hold(hold=locked.hold, reason=f"hardship notice {decision} on {on.isoformat()}", now=now, actor=actor)
        record_event(
            event=Event.HARDSHIP_DECIDED,
            subject_id=notice.pk,
            account_id=locked.account_id,
            occurred_at=now,
            actor=actor,
            after={"decision": decision, "decided_on": on.isoformat(), "note": locked.decision_note},
        )
    return locked


def _first_communication_on(account: Account, debtor: Debtor | None) -> date | None:
    first = (
        Contact.objects.filter(
            account=account, outcome__in=(Contact.Outcome.CONNECTED_CONVERSATION, Contact.Outcome.DELIVERED)
        )
        .aggregate(first=Min("at"))
        .get("first")
    )
    return date_in(first, legal_zone(account, debtor)) if first else None


def account_deadlines(account: Account) -> list[Deadline]:
    """Every clock the law runs on this account: the validation notice (US-11, third-party collectors
    in the US) and each hardship notice's steps (AU-06)."""
    deadlines: list[Deadline] = []
    debtor = primary_debtor(account)
    third_party = account.creditor.collector_type == account.creditor.CollectorType.THIRD_PARTY
    if debtor is not None and debtor.country == "US" and third_party:
        first = _first_communication_on(account, debtor)
        if first is not None:
            sent = (
                Notice.objects.filter(account=account, kind=Notice.Kind.VALIDATION)
                .aggregate(first=Min("sent_on"))
                .get("first")
            )
            deadlines.append(validation_notice_deadline(first, sent))
    for notice in HardshipNotice.objects.filter(account=account).order_by("received_on", "id"):
        deadlines += hardship_deadlines(
            received_on=notice.received_on,
            info_requested_on=notice.info_requested_on,
            info_received_on=notice.info_received_on,
            decided_on=notice.decided_on,
        )
    return deadlines


def deadlines_due(today: date) -> list[tuple[Account, Deadline]]:
    """Every clock across the portfolio that is to be escalated or is overdue, most overdue first.

    Found with two set-based queries (accounts whose first communication has no validation notice
    after it, and undecided hardship notices), not by visiting every account.
    """
    from recoup.core.compliance.timers import VALIDATION_NOTICE_ESCALATE_DAYS, DeadlineState

    escalate_from = datetime.combine(today - timedelta(days=VALIDATION_NOTICE_ESCALATE_DAYS - 1), time.min, UTC)
    firsts = dict(
        Contact.objects.filter(
            outcome__in=(Contact.Outcome.CONNECTED_CONVERSATION, Contact.Outcome.DELIVERED),
            account__creditor__collector_type="third_party",
            account__account_debtors__role=AccountDebtor.Role.PRIMARY,
            account__account_debtors__debtor__country="US",
        )
        .exclude(account__notices__kind=Notice.Kind.VALIDATION)
        .values("account_id")
        .annotate(first=Min("at"))
        .filter(first__lt=escalate_from)
        .values_list("account_id", "first")
    )
    found: list[tuple[Account, Deadline]] = []
    accounts = Account.objects.select_related("creditor").in_bulk(list(firsts))
    debtors = {
        role.account_id: role.debtor
        for role in AccountDebtor.objects.filter(account_id__in=list(firsts), role=AccountDebtor.Role.PRIMARY)
        .select_related("debtor")
        .only("account_id", "debtor__time_zone")
    }
    for account_id, first in firsts.items():
        account = accounts[account_id]
        first_day = date_in(first, debtor_zone(debtors.get(account_id), account.creditor))
        found.append((account, validation_notice_deadline(first_day, None)))
    for notice in HardshipNotice.objects.filter(decision="").select_related("account__creditor"):
        for deadline in hardship_deadlines(
            received_on=notice.received_on,
            info_requested_on=notice.info_requested_on,
            info_received_on=notice.info_received_on,
            decided_on=notice.decided_on,
        ):
            found.append((notice.account, deadline))
    due = [(a, d) for a, d in found if d.state(today) in (DeadlineState.OVERDUE, DeadlineState.ESCALATE)]
    return sorted(due, key=lambda pair: (pair[1].due_on, pair[0].reference))


def _holds_on(account: Account, today: date) -> list[Hold]:
    """Holds in force on any part of `today` on the account or any of its people, not lifted."""
    debtor_ids = AccountDebtor.objects.filter(account=account).values_list("debtor_id", flat=True)
    return list(
        Hold.objects.filter(Q(account=account) | Q(debtor_id__in=debtor_ids))
        .filter(lifted_at__isnull=True, starts_at__date__lte=today)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__date__gte=today))
        .order_by("starts_at", "id")
    )


def credit_reporting_gate(account: Account, today: date) -> Gate:
    """May this debt be reported to a credit reporting agency (US) or listed as a default (AU) today?
    Never once it is extinguished (UK-06 Scotland, AU-05 NSW): there is no debt left to list."""
    period = limitation_for(account)
    if period.extinguished(today):
        words = f"{extinguished_reason(period)}; it may not be reported to a credit bureau or listed"
        return Gate(False, (Reason(period.rule, words),), None)
    debtor = primary_debtor(account)
    country = debtor.country if debtor else account.creditor.country
    disputed = any(hold.kind == Hold.Kind.DISPUTE for hold in _holds_on(account, today)) or any(
        dispute.kind == Dispute.Kind.DISPUTE for dispute in open_disputes(account)
    )
    if country == "US":
        conversation = (
            Contact.objects.filter(
                account=account, channel__in=("call", "visit"), outcome=Contact.Outcome.CONNECTED_CONVERSATION
            )
            .aggregate(first=Min("at"))
            .get("first")
        )
        written = list(
            Notice.objects.filter(account=account).order_by("sent_on", "id").values_list("sent_on", "undeliverable_on")
        )
        message = (
            Contact.objects.filter(
                account=account, channel__in=("letter", "email", "sms"), direction=Contact.Direction.OUTBOUND
            )
            .aggregate(first=Min("at"))
            .get("first")
        )
        zone_name = legal_zone(account, debtor)
        candidates = [(sent, bounced is not None) for sent, bounced in written]
        if message is not None:
            candidates.append((date_in(message, zone_name), False))
        first_message = min(candidates) if candidates else None
        return us_furnishing_gate(
            today=today,
            first_delinquency=account.first_delinquency_date,
            conversation_on=date_in(conversation, zone_name) if conversation else None,
            message_sent_on=first_message[0] if first_message else None,
            message_undeliverable=first_message[1] if first_message else False,
            disputed=disputed,
        )
    if country == "AU":
        overdue = (
            OpenItem.objects.filter(account=account, balance_minor__gt=0, due_date__lt=today)
            .aggregate(first=Min("due_date"))
            .get("first")
        )
        notices = {
            kind: sent
            for kind, sent in Notice.objects.filter(
                account=account, kind__in=(Notice.Kind.OVERDUE, Notice.Kind.INTENT_TO_LIST), undeliverable_on=None
            )
            .order_by("-sent_on")
            .values_list("kind", "sent_on")
        }
        return au_listing_gate(
            today=today,
            overdue_since=overdue,
            overdue_amount=Decimal(account.balance.amount),
            overdue_notice_on=notices.get(Notice.Kind.OVERDUE),
            intent_notice_on=notices.get(Notice.Kind.INTENT_TO_LIST),
            time_barred=limitation_for(account).time_barred(today),
            disputed=disputed,
        )
    return Gate(False, (Reason("GATE-03", f"no credit reporting rules are configured for {country}"),), None)


def enforcement_gate(account: Account, today: date) -> Gate:
    """May the account go to legal action today? (The limitation period is checked by `refer_to_legal`.)"""
    blocks: list[tuple[Reason, date | None]] = []
    debtor = primary_debtor(account)
    zone_name = legal_zone(account, debtor)
    for hold in _holds_on(account, today):
        stops = HOLD_RULE[hold.kind].stops_enforcement if hold.kind in HOLD_RULE else None
        if stops is not None:
            rule, words = stops
            until = date_in(hold.ends_at, zone_name) + timedelta(days=1) if hold.ends_at else None
            blocks.append((Reason(rule, f"{words} (hold {hold.pk})"), until))
    for dispute in open_disputes(account):
        rule = next(
            (r for r in dispute.rules if r in ("US-15", "UK-05", "AU-04")), dispute.rules[0] if dispute.rules else ""
        )
        text = f"{dispute.kind} {dispute.pk} received {dispute.received_on.isoformat()} is open"
        blocks.append((Reason(rule or "DISPUTE", text), None))
    for notice in HardshipNotice.objects.filter(account=account):
        if not notice.decision:
            text = f"the hardship notice received {notice.received_on.isoformat()} is not decided yet"
            blocks.append((Reason("AU-07", text), None))
        elif notice.decision == HardshipNotice.Decision.REFUSED and notice.decided_on is not None:
            allowed_from = enforcement_allowed_from(notice.decided_on)
            if today < allowed_from:
                text = f"hardship was refused on {notice.decided_on.isoformat()}; enforcement waits 14 days"
                blocks.append((Reason("AU-07", text), allowed_from))
    country = debtor.country if debtor else account.creditor.country
    consumer = debtor is not None and debtor.kind == Debtor.Kind.PERSON
    if country in DEFAULT_NOTICE_MIN_DAYS and consumer:
        rule = "AU-07" if country == "AU" else "UK-08"
        default = (
            Notice.objects.filter(account=account, kind=Notice.Kind.DEFAULT, undeliverable_on=None)
            .order_by("-sent_on")
            .first()
        )
        if default is None:
            blocks.append((Reason(rule, "no default notice has been served"), None))
        else:
            remedy_ends = default.sent_on + timedelta(days=default.remedy_days or DEFAULT_NOTICE_MIN_DAYS[country])
            if today <= remedy_ends:
                text = (
                    f"the default notice of {default.sent_on.isoformat()} gives until "
                    f"{remedy_ends.isoformat()} to remedy"
                )
                blocks.append((Reason(rule, text), remedy_ends + timedelta(days=1)))
    return Gate.of(today, blocks)


FREEZING_OPTIONS = {"interest_suspended", "charges_waived"}


def record_forbearance(
    *,
    account: Account,
    option: str,
    outcome: str,
    starts_on: date,
    reason: str,
    now: datetime,
    actor: Actor,
    ends_on: date | None = None,
) -> Forbearance:
    """Record forbearance offered, agreed, declined, or the customer's proposal refused (UK-01); audited.

    An agreed suspension or waiver of interest and charges freezes them on the account for the
    period (refused from then on by the ledger), so the promise is kept by the system, not by memory.
    """
    if option not in Forbearance.Option.values:
        raise UnableToContact(f"option: '{option}' is not one of {', '.join(Forbearance.Option.values)}")
    if outcome not in Forbearance.Outcome.values:
        raise UnableToContact(f"outcome: '{outcome}' is not one of {', '.join(Forbearance.Outcome.values)}")
    if not reason.strip():
        words = "why the customer's proposal is refused" if outcome == "refused" else "the customer's circumstances"
        raise UnableToContact(f"reason: write down {words}")
    if ends_on is not None and ends_on < starts_on:
        raise UnableToContact(f"ends_on: {ends_on.isoformat()} is before it starts ({starts_on.isoformat()})")
    from recoup.accounts.services import UnableToFreezeCharges, freeze_charges

    with transaction.atomic():
        forbearance = Forbearance.objects.create(
            account=account,
            option=option,
            outcome=outcome,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
            recorded_by_id=_actor_id(actor),
            recorded_at=now,
        )
        if option in FREEZING_OPTIONS and outcome == Forbearance.Outcome.AGREED:
            try:
                forbearance.freeze = freeze_charges(
                    account=account,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    reason=f"forbearance: {forbearance.get_option_display().lower()}",
                    source="forbearance",
                    source_id=str(forbearance.pk),
                    now=now,
                    actor=actor,
                )
            except UnableToFreezeCharges as exc:
                raise UnableToContact(str(exc)) from None
            forbearance.save(update_fields=["freeze"])
        record_event(
            event=Event.FORBEARANCE_RECORDED,
            subject_id=forbearance.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={
                "option": option,
                "outcome": outcome,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
                "reason": forbearance.reason,
                "freeze": forbearance.freeze_id,
            },
        )
    return forbearance
