"""The compliance gate in the product: which rules apply to an account, what holds block, and the
contact ledger every contact passes through.

`evaluate` answers "may we contact this person on this account by this channel at this time?" from
the pure rules in `recoup.core.compliance`, the holds, and the contacts already in the ledger.
`authorise_contact` records that answer (allowed or blocked) and hands out a token; `record_contact`
accepts a contact only against an unused token of an allowed (or overridden) decision. An override
needs the `compliance.compliance_override` permission and a written reason, and is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q

from recoup.accounts.dates import ledger_date, legal_date
from recoup.accounts.models import Account, AccountDebtor
from recoup.accounts.services import change_account_status
from recoup.audit.events import Event
from recoup.audit.models import AuditEvent
from recoup.audit.services import record_event
from recoup.compliance.models import (
    CallConsent,
    Contact,
    ContactAbout,
    ContactDecision,
    ContactWish,
    Dispute,
    Hold,
    HoldLiftRequest,
    Notice,
)
from recoup.core.account_status import AccountStatus, can_transition
from recoup.core.business_dates import date_in
from recoup.core.compliance import (
    Australia,
    Channel,
    ContactRequest,
    DebtorWishes,
    Decision,
    Direction,
    FirmPolicy,
    InvalidFirmPolicy,
    Massachusetts,
    NewYorkCity,
    Outcome,
    PastContact,
    Reason,
    RulePack,
    Severity,
    TimeWindow,
    UnitedKingdom,
    UnknownLocation,
    UsFederal,
    Whereabouts,
    decide,
)
from recoup.core.compliance import ContactWish as CoreContactWish
from recoup.core.compliance.endpoints import CHANNEL_KINDS, Consent, Endpoint, Source, endpoint_findings
from recoup.core.compliance.engine import allowances
from recoup.core.compliance.limitation import (
    DEFAULT_NOTICE_COUNTRIES,
    Limitation,
    accrued_on,
    extinguished_allows,
    limitation,
)
from recoup.core.compliance.model import Allowance, Purpose
from recoup.core.compliance.timers import BREATHING_SPACE_DAYS
from recoup.core.compliance.validation_notice import (
    Itemization,
    ValidationNotice,
    masked_account_number,
)
from recoup.core.contact_rules import HOLD_RULE, POINT_NEEDS, has_postal_address
from recoup.core.disputes.model import OPEN_STATES as CORE_DISPUTE_OPEN_STATES
from recoup.core.ledger import Component
from recoup.parties.dates import creditor_zone, debtor_zone
from recoup.parties.models import ContactPoint, Debtor

Actor = AbstractBaseUser | AnonymousUser | None
DISPUTE_OPEN_STATES: tuple[str, ...] = tuple(sorted(state.value for state in CORE_DISPUTE_OPEN_STATES))


def open_disputes(account: Account) -> list[Dispute]:
    """The account's open disputes and complaints, oldest first (one query; not cached, so a gate asked
    again after a dispute is opened or answered sees it at once)."""
    return list(Dispute.objects.filter(account_id=account.pk, state__in=DISPUTE_OPEN_STATES).order_by("id"))


HISTORY_DAYS = 31  # the longest window any rule counts over (AU-02: 10 contacts a month)


class UnableToContact(Exception):
    """The contact was refused; the message names the field or rule and the reason."""


def hold_rule(kind: str, country: str) -> str:
    """The rule a blocking hold of this kind rests on for a debtor in this country (US-15, UK-05, AU-04)."""
    return HOLD_RULE[kind].rule_for(country)


FIRST_COMMUNICATION_OUTCOMES = (Contact.Outcome.CONNECTED_CONVERSATION, Contact.Outcome.DELIVERED)


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    time_zones: tuple[str, ...]
    packs: tuple[str, ...]
    contact_points: tuple[int, ...] = ()  # the numbers or addresses the contact may use
    allowances: tuple[Allowance, ...] = ()  # how much of each frequency limit is used ("attempts left")
    debtor_accounts: tuple[int, ...] = ()  # every account the person is a party to (for "also about")
    # Blocks no override may lift (an extinguished debt, UK-06/AU-05: there is nothing to collect).
    final: tuple[Reason, ...] = ()


# ZIP codes of the five boroughs start with these three digits (Manhattan 100-102, Staten Island 103,
# the Bronx 104, Queens 111 and 113-114 and 116, Brooklyn 112).
NEW_YORK_CITY_ZIPS = ("100", "101", "102", "103", "104", "111", "112", "113", "114", "116")


def in_new_york_city(debtor: Debtor) -> bool:
    return debtor.region == "NY" and debtor.postal_code.strip()[:3] in NEW_YORK_CITY_ZIPS


def rule_packs(account: Account, debtor: Debtor) -> list[RulePack]:
    """The rule packs for a debtor's location (US federal, with the Massachusetts and New York City
    overlays where the address is there), and the creditor's firm policy on top when it has one."""
    packs: list[RulePack] = []
    if debtor.country == "US":
        packs.append(UsFederal())
        if debtor.region == "MA":
            packs.append(Massachusetts())
        if in_new_york_city(debtor):
            packs.append(NewYorkCity())
    elif debtor.country == "AU":
        packs.append(Australia())
    elif debtor.country == "GB":
        packs.append(UnitedKingdom())
    if account.creditor.contact_policy:
        packs.append(firm_policy(account.creditor.contact_policy, owner=account.creditor.code))
    wishes = debtor_wishes(debtor)
    if wishes:
        rule = {"US": "US-01", "AU": "AU-01", "GB": "UK-04"}.get(debtor.country, "WISH")
        packs.append(DebtorWishes(tuple(wishes), rule=rule))
    return packs


def debtor_wishes(debtor: Debtor) -> list[CoreContactWish]:
    """The person's wishes in force, as the rules engine reads them."""
    return [
        CoreContactWish(
            Channel(wish.channel) if wish.channel else None,
            frozenset(int(d) for d in wish.weekdays),
            TimeWindow(wish.starts, wish.ends),
        )
        for wish in ContactWish.objects.filter(debtor=debtor, withdrawn_at__isnull=True).order_by("id")
    ]


def record_wish(
    *,
    debtor: Debtor,
    weekdays: Sequence[int],
    starts: time,
    ends: time,
    now: datetime,
    actor: Actor,
    channel: str = "",
    note: str = "",
) -> ContactWish:
    """Record when the person wants to be contacted (on one channel, or on all); audited."""
    if channel and channel not in {c.value for c in Channel}:
        raise UnableToContact(f"channel: '{channel}' is not one of call, sms, email, letter, visit")
    days = sorted(set(weekdays))
    if not days or any(d not in range(7) for d in days):
        raise UnableToContact("weekdays: choose at least one day")
    if ends <= starts:
        raise UnableToContact(f"ends: {ends:%H:%M} must be after {starts:%H:%M}")
    with transaction.atomic():
        wish = ContactWish.objects.create(
            debtor=debtor,
            channel=channel,
            weekdays=days,
            starts=starts,
            ends=ends,
            note=note.strip(),
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            created_at=now,
        )
        record_event(
            event=Event.WISH_RECORDED,
            subject_id=wish.pk,
            occurred_at=now,
            actor=actor,
            after={
                "debtor": debtor.pk,
                "channel": channel or "any",
                "weekdays": days,
                "starts": starts.isoformat(timespec="minutes"),
                "ends": ends.isoformat(timespec="minutes"),
                "note": wish.note,
            },
        )
    return wish


def withdraw_wish(*, wish: ContactWish, now: datetime, actor: Actor) -> ContactWish:
    """The person no longer wants that restriction; kept on record as withdrawn."""
    with transaction.atomic():
        locked = ContactWish.objects.select_for_update().get(pk=wish.pk)
        if locked.withdrawn_at is None:
            locked.withdrawn_at = now
            locked.save(update_fields=["withdrawn_at"])
            record_event(
                event=Event.WISH_WITHDRAWN,
                subject_id=wish.pk,
                occurred_at=now,
                actor=actor,
                after={"debtor": locked.debtor_id},
            )
    return locked


POLICY_KEYS = {"max_attempts_per_day", "min_spacing_minutes", "max_contacts", "contacts_window_days", "windows"}


def firm_policy(settings: dict[str, Any], *, owner: str) -> FirmPolicy:
    """A creditor's `contact_policy` as a FirmPolicy; a setting that makes no sense names itself."""
    unknown = sorted(set(settings) - POLICY_KEYS)
    if unknown:
        raise UnableToContact(
            f"contact_policy of {owner}: '{unknown[0]}' is not one of {', '.join(sorted(POLICY_KEYS))}"
        )
    try:
        windows = {
            Channel(channel): TimeWindow(time.fromisoformat(start), time.fromisoformat(end))
            for channel, (start, end) in (settings.get("windows") or {}).items()
        }
        spacing = settings.get("min_spacing_minutes")
        return FirmPolicy(
            name=f"Firm policy of {owner}",
            channel_windows=windows,
            max_attempts_per_day=settings.get("max_attempts_per_day"),
            min_spacing=timedelta(minutes=int(spacing)) if spacing is not None else None,
            max_contacts=settings.get("max_contacts"),
            contacts_window_days=int(settings.get("contacts_window_days", 7)),
        )
    except (ValueError, TypeError, InvalidFirmPolicy) as exc:
        raise UnableToContact(f"contact_policy of {owner}: {exc}") from None


def unknown_location_policy() -> UnknownLocation:
    """The firm's choice when nothing indicates where a debtor is (RECOUP_UNKNOWN_LOCATION; block by default)."""
    return UnknownLocation(getattr(settings, "UNKNOWN_LOCATION", UnknownLocation.BLOCK.value))


def whereabouts(debtor: Debtor) -> Whereabouts:
    """What is on record about where the person is: their zone, and for US debtors each phone number
    not marked do-not-contact (an area code is a location under US-01).

    Australian rules are in the debtor's state time (the address); a UK debtor is in UK time.
    """
    numbers: list[str] = []
    if debtor.country == "US":
        phones = ContactPoint.objects.filter(debtor=debtor, kind=ContactPoint.Kind.PHONE, do_not_contact=False)
        numbers = list(phones.order_by("id").values_list("value", flat=True))
    return Whereabouts.of(time_zone=debtor.time_zone, numbers=numbers)


def plausible_time_zones(debtor: Debtor, channel: Channel, policy: UnknownLocation | None = None) -> tuple[str, ...]:
    """Every zone the person may be in: the address's, and for US debtors each phone number's area;
    none when nothing indicates a location and the policy (the setting, by default) is to block."""
    return whereabouts(debtor).time_zones(unknown_location_policy() if policy is None else policy)


def _active_holds(account: Account, debtor: Debtor, at: datetime) -> list[Hold]:
    return list(
        Hold.objects.filter(Q(account=account) | Q(debtor=debtor))
        .filter(starts_at__lte=at, lifted_at__isnull=True)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .order_by("starts_at", "id")
    )


def _consent_windows(account: Account, debtor: Debtor, at: datetime) -> list[tuple[datetime, datetime]]:
    """US-08: the spans in which the person's direct prior consent to calls about this debt held.

    A consent lasts at most 7 days; it ends early when revoked or at the next conversation about the debt.
    """
    consents = CallConsent.objects.filter(
        account=account, debtor=debtor, given_at__lte=at, ends_at__gt=at - timedelta(days=HISTORY_DAYS)
    ).values_list("given_at", "ends_at", "revoked_at")
    windows = []
    for given, ends, revoked in consents:
        end = min(ends, revoked) if revoked else ends
        talk = (  # a conversation about this debt ends the consent, though recorded on another of their debts
            Contact.objects.filter(Q(account=account) | Q(also_about__account=account))
            .filter(
                debtor=debtor,
                channel=Channel.CALL.value,
                outcome=Contact.Outcome.CONNECTED_CONVERSATION,
                at__gt=given,
                at__lt=end,
            )
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        windows.append((given, min(end, talk) if talk else end))
    return windows


def _inside(at: datetime, windows: Sequence[tuple[datetime, datetime]]) -> bool:
    return any(start <= at < end for start, end in windows)


def _history(
    debtor: Debtor, at: datetime, account: Account | None = None, *, several_debts: bool = True
) -> list[PastContact]:
    """The person's contacts on every account in the window the rules look back over, each with the
    other debts it was about (looked up only when the person has `several_debts`)."""
    since = at - timedelta(days=HISTORY_DAYS)
    contacts = Contact.objects.filter(debtor=debtor, at__gte=since, at__lte=at).values_list(
        "pk", "at", "channel", "debtor_id", "account_id", "outcome", "direction"
    )
    also_about: dict[int, list[str]] = defaultdict(list)
    if several_debts:
        for contact_id, other in ContactAbout.objects.filter(
            contact__debtor=debtor, contact__at__gte=since, contact__at__lte=at
        ).values_list("contact_id", "account_id"):
            also_about[contact_id].append(str(other))
    windows = _consent_windows(account, debtor, at) if account is not None else []
    return [
        PastContact(
            at=when,
            channel=Channel(channel),
            person_id=str(person),
            debt_id=str(account_id),
            outcome=Outcome(outcome),
            direction=Direction(direction),
            consented=account is not None
            and account_id == account.pk
            and channel == Channel.CALL.value
            and _inside(when, windows),
            also_about=tuple(also_about.get(pk, ())),
        )
        for pk, when, channel, person, account_id, outcome, direction in contacts
    ]


def endpoint_of(point: ContactPoint) -> Endpoint:
    """A contact point's provenance record, as the rules read it."""
    return Endpoint(
        kind=point.kind,
        value=point.value,
        source=Source(point.source),
        obtained_on=point.obtained_date,
        phone_type=point.phone_type,
        consent=Consent(point.consent),
        consent_on=point.consent_date,
        last_consumer_use_on=point.last_consumer_use_date,
        reassigned_check_on=point.reassigned_check_date,
        creditor_notice_on=point.creditor_notice_date,
        employer_provided=point.employer_provided,
        no_workplace_contact=point.no_workplace_contact,
        caused_disclosure=point.caused_disclosure,
        do_not_contact=point.do_not_contact,
    )


def _endpoint_check(
    debtor: Debtor, channel: Channel, day: date, contact_point: ContactPoint | None, automated: bool
) -> tuple[list[Reason], list[Reason], tuple[int, ...]]:
    """Blocks, warnings and the usable numbers or addresses for a call, text or email.

    With a contact point named, it alone is judged; otherwise the contact is blocked only when no
    number or address of the right kind is usable, and each one's reason is given.
    """
    kind = CHANNEL_KINDS.get(channel)
    if kind is None:
        if contact_point is not None:
            raise UnableToContact(f"contact_point: a {channel.value} does not go to a phone number or email address")
        if not has_postal_address(address_line1=debtor.address_line1, city=debtor.city, postal_code=debtor.postal_code):
            words = "letter" if channel is Channel.LETTER else "visit"
            return [Reason("GATE-02", f"no full postal address is on record for {debtor}, so no {words}")], [], ()
        return [], [], ()
    if contact_point is not None:
        if contact_point.debtor_id != debtor.pk:
            raise UnableToContact(f"contact_point: {contact_point.value} is not a contact point of {debtor}")
        if contact_point.kind != kind:
            raise UnableToContact(
                f"contact_point: a {channel.value} cannot go to the {contact_point.kind} {contact_point.value}"
            )
        points = [contact_point]
    else:
        points = list(ContactPoint.objects.filter(debtor=debtor, kind=kind).order_by("-is_primary", "id"))
    need = POINT_NEEDS[channel]
    if need.phone_type:  # a text goes to a mobile number only
        if contact_point is not None and contact_point.phone_type != need.phone_type:
            words = f"a text cannot go to the {contact_point.phone_type or 'unknown'} number {contact_point.value}"
            return [Reason("GATE-02", f"{words}; it needs a mobile number")], [], ()
        points = [point for point in points if point.phone_type == need.phone_type]
    if not points:
        words = {"phone": "phone number", "email": "email address"}[kind]
        words = "mobile number" if need.phone_type else words
        return [Reason("GATE-02", f"no {words} is on record for {debtor}")], [], ()
    judged = [
        (point, endpoint_findings(endpoint_of(point), channel, day, country=debtor.country, automated=automated))
        for point in points
    ]
    usable = tuple(point.pk for point, findings in judged if not any(f.severity is Severity.BLOCK for f in findings))
    if contact_point is not None:
        findings = judged[0][1]
        return (
            [f.reason for f in findings if f.severity is Severity.BLOCK],
            [f.reason for f in findings if f.severity is Severity.WARN],
            usable,
        )
    if usable:
        return [], [], usable
    return [f.reason for _point, findings in judged for f in findings if f.severity is Severity.BLOCK], [], ()


def _validation_notice_overdue(account: Account, debtor: Debtor, at: datetime) -> Reason | None:
    """US-11: a third-party collector's further collection waits once the validation notice is overdue."""
    from recoup.core.compliance.timers import DeadlineState, validation_notice_deadline

    if debtor.country != "US" or account.creditor.collector_type != account.creditor.CollectorType.THIRD_PARTY:
        return None
    first = (  # the first communication about this debt: recorded on it, or on another debt and also about it
        Contact.objects.filter(Q(account=account) | Q(also_about__account=account))
        .filter(outcome__in=FIRST_COMMUNICATION_OUTCOMES, at__lte=at)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    if first is None or Notice.objects.filter(account=account, kind=Notice.Kind.VALIDATION).exists():
        return None
    if account.balance.is_zero:
        return None  # paid before the notice was due: the rule's exception
    zone_name = debtor_zone(debtor, account.creditor)
    first_day = date_in(first, zone_name)
    deadline = validation_notice_deadline(first_day, None)
    if deadline.state(date_in(at, zone_name)) is not DeadlineState.OVERDUE:
        return None
    return Reason(
        "US-11",
        f"the validation notice was due by {deadline.due_on.isoformat()} (5 days after the first communication on "
        f"{first_day.isoformat()}) and none is recorded; send it before any other collection contact",
    )


def _confirmation_already_sent(debtor: Debtor, channel: Channel, since: datetime) -> bool:
    return ContactDecision.objects.filter(
        debtor=debtor,
        channel=channel.value,
        purpose=Purpose.OPT_OUT_CONFIRMATION.value,
        contact__isnull=False,
        proposed_at__gte=since,
    ).exists()


def evaluate(
    *,
    account: Account,
    debtor: Debtor,
    channel: Channel,
    at: datetime,
    purpose: Purpose = Purpose.COLLECTION,
    contact_point: ContactPoint | None = None,
    automated: bool = False,
    period: Limitation | None = None,
) -> Evaluation:
    """The gate's answer for a proposed contact, without recording anything. `period` is the account's
    `limitation_for`, when the caller has it already (a page asking about every channel)."""
    debts = set(AccountDebtor.objects.filter(debtor=debtor).values_list("account_id", flat=True))
    if account.pk not in debts:
        raise UnableToContact(f"debtor: {debtor} is not a party to account {account.reference}")
    zones = plausible_time_zones(debtor, channel)
    packs = rule_packs(account, debtor)
    windows = _consent_windows(account, debtor, at) if channel is Channel.CALL else []
    request = ContactRequest(
        channel=channel,
        at=at,
        person_id=str(debtor.pk),
        debt_id=str(account.pk),
        time_zones=zones,
        purpose=purpose,
        consented=_inside(at, windows),
    )
    history = _history(debtor, at, account, several_debts=len(debts) > 1)
    decision = decide(request, history, packs)
    reasons = list(decision.reasons)
    warnings = list(decision.warnings)
    blocked_for_good = False
    final: list[Reason] = []
    hold_ends: list[datetime] = []
    period = limitation_for(account) if period is None else period
    # The latest calendar date it is anywhere the person may be: a debt is extinguished from the
    # start of the day after its period ends, in their time (Sydney is a day ahead of UTC by 10:00).
    on = max([at.date(), *(at.astimezone(ZoneInfo(zone)).date() for zone in zones)])
    if period.extinguished(on):
        if extinguished_allows(purpose):
            warnings.append(Reason(period.rule, f"allowed as a {purpose.value.replace('_', ' ')} only"))
        else:
            reasons.insert(0, Reason(period.rule, extinguished_reason(period)))
            final.append(reasons[0])
            blocked_for_good = True
    for hold in _active_holds(account, debtor, at):
        held = HOLD_RULE.get(hold.kind)
        if held is None or (held.per_channel and hold.channel != channel.value):
            continue
        if not held.blocks:
            warnings.append(Reason(held.rule, f"{held.words} (hold {hold.pk})"))
            continue
        if purpose in held.allows and (
            purpose is not Purpose.OPT_OUT_CONFIRMATION
            or not _confirmation_already_sent(debtor, channel, hold.starts_at)
        ):
            warnings.append(Reason(held.rule, f"allowed as a {purpose.value.replace('_', ' ')} only"))
            continue
        until = f" until {hold.ends_at.isoformat()}" if hold.ends_at else ""
        reasons.append(
            Reason(
                held.rule_for(debtor.country), f"{held.words} ({hold.get_kind_display().lower()} hold {hold.pk}{until})"
            )
        )
        if hold.ends_at is None:
            blocked_for_good = True
        else:
            hold_ends.append(hold.ends_at)
    if purpose is Purpose.COLLECTION:
        overdue = _validation_notice_overdue(account, debtor, at)
        if overdue is not None:
            reasons.append(overdue)
            blocked_for_good = True
    endpoint_blocks, endpoint_warnings, usable = _endpoint_check(
        debtor, channel, date_in(at, debtor_zone(debtor, account.creditor)), contact_point, automated
    )
    if endpoint_blocks:
        reasons.extend(endpoint_blocks)
        blocked_for_good = True
    warnings.extend(endpoint_warnings)
    if not packs:
        reasons.append(
            Reason("GATE-01", f"no contact rules are configured for debtors in {debtor.country}; contact is blocked")
        )
        blocked_for_good = True
    allowed = not reasons
    next_allowed = decision.next_allowed
    if not allowed and (blocked_for_good or next_allowed is None):
        next_allowed = None
    elif not allowed and hold_ends and next_allowed is not None:
        # The holds end first; then the law decides when (a hold ending at 02:00 does not allow a 02:00 call).
        after_holds = decide(replace(request, at=max([next_allowed, *hold_ends])), history, packs)
        next_allowed = after_holds.next_allowed
    return Evaluation(
        Decision(
            allowed, tuple(dict.fromkeys(reasons)), tuple(dict.fromkeys(warnings)), at if allowed else next_allowed
        ),
        zones,
        tuple(p.name for p in packs),
        usable,
        allowances(request, history, packs),
        tuple(sorted(debts)),
        tuple(final),
    )


def _reasons_json(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    return [{"rule": r.rule, "text": r.text} for r in reasons]


def decision_json(evaluation: Evaluation) -> dict[str, Any]:
    decision = evaluation.decision
    return {
        "allowed": decision.allowed,
        "reasons": _reasons_json(decision.reasons),
        "warnings": _reasons_json(decision.warnings),
        "next_allowed": decision.next_allowed.isoformat() if decision.next_allowed else None,
        "time_zones": list(evaluation.time_zones),
        "rule_packs": list(evaluation.packs),
        "usable_contact_points": list(evaluation.contact_points),
    }


def authorise_contact(
    *,
    account: Account,
    debtor: Debtor,
    channel: Channel,
    at: datetime,
    now: datetime,
    actor: Actor,
    override_reason: str = "",
    purpose: Purpose = Purpose.COLLECTION,
    contact_point: ContactPoint | None = None,
    automated: bool = False,
) -> ContactDecision:
    """Ask the gate and record its answer (blocked answers too). An override of a block needs the
    compliance_override permission and a reason; it is recorded with both."""
    override = override_reason.strip()
    may_override = actor is not None and getattr(actor, "has_perm", lambda _: False)("compliance.compliance_override")
    if override and not may_override:
        raise UnableToContact("override: only someone with the compliance override permission may override")
    evaluation = evaluate(
        account=account,
        debtor=debtor,
        channel=channel,
        at=at,
        purpose=purpose,
        contact_point=contact_point,
        automated=automated,
    )
    decision = evaluation.decision
    if override and decision.allowed:
        override = ""  # nothing to override
    if override and evaluation.final:
        raise UnableToContact(
            "override: "
            + "; ".join(f"{reason.rule}: {reason.text}" for reason in evaluation.final)
            + ". No override can allow this contact; nothing was recorded"
        )
    with transaction.atomic():
        recorded = ContactDecision.objects.create(
            account=account,
            debtor=debtor,
            channel=channel.value,
            proposed_at=at,
            allowed=decision.allowed,
            reasons=_reasons_json(decision.reasons),
            warnings=_reasons_json(decision.warnings),
            next_allowed=decision.next_allowed,
            time_zones=list(evaluation.time_zones),
            packs=list(evaluation.packs),
            override_reason=override,
            purpose=purpose.value,
            contact_point=contact_point,
            automated=automated,
            decided_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            decided_at=now,
        )
        record_event(
            event=Event.CONTACT_OVERRIDDEN if override else Event.CONTACT_DECIDED,
            subject_id=recorded.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={
                **decision_json(evaluation),
                "channel": channel.value,
                "at": at.isoformat(),
                "override": override,
                "purpose": purpose.value,
                "contact_point": contact_point.pk if contact_point else None,
                "automated": automated,
            },
        )
    return recorded


def record_contact(
    *,
    token: str,
    outcome: Outcome,
    at: datetime,
    now: datetime,
    actor: Actor,
    note: str = "",
    also_about: Sequence[Account] = (),
) -> Contact:
    """Record an outbound contact made under an allowed (or overridden) decision; one contact per decision.

    `also_about` names the person's other debts the contact was about (a call about two accounts): it
    counts toward each (US-08). Each must be a debt of the same person on which the gate would have
    allowed the same contact at the same moment; an override covers the decision's own account only.
    """
    with transaction.atomic():
        decision = ContactDecision.objects.select_for_update().filter(token=token).first()
        if decision is None:
            raise UnableToContact("token: no decision with this token; ask the gate first")
        if not decision.usable:
            raise UnableToContact("token: the gate blocked this contact; it cannot be recorded as made")
        if Contact.objects.filter(decision=decision).exists():
            raise UnableToContact("token: this decision was already used for a contact")
        if abs(at - decision.proposed_at) > timedelta(minutes=15):
            raise UnableToContact(
                f"at: the contact at {at.isoformat()} is not the one the gate decided on "
                f"({decision.proposed_at.isoformat()}); ask the gate again"
            )
        others = _check_also_about(decision, also_about)
        contact = _write_contact(
            decision=decision,
            account_id=decision.account_id,
            debtor_id=decision.debtor_id,
            channel=decision.channel,
            direction=Contact.Direction.OUTBOUND,
            outcome=outcome,
            at=at,
            note=note,
            now=now,
            actor=actor,
            also_about=others,
        )
    return contact


def _check_also_about(decision: ContactDecision, accounts: Sequence[Account]) -> list[Account]:
    """The other debts a contact under `decision` was about, each checked: the same person's, and
    allowed by the gate for the same contact at the same moment (else UnableToContact, naming it)."""
    others = list({account.pk: account for account in accounts if account.pk != decision.account_id}.values())
    if not others:
        return []
    debtor = decision.debtor
    own = set(
        AccountDebtor.objects.filter(debtor=debtor, account_id__in=[a.pk for a in others]).values_list(
            "account_id", flat=True
        )
    )
    for other in others:
        if other.pk not in own:
            raise UnableToContact(f"also_about: account {other.reference} is not a debt of {debtor}")
    for other in others:
        answer = evaluate(
            account=other,
            debtor=debtor,
            channel=Channel(decision.channel),
            at=decision.proposed_at,
            purpose=Purpose(decision.purpose),
            contact_point=decision.contact_point,
            automated=decision.automated,
        ).decision
        if not answer.allowed:
            reasons = "; ".join(f"{reason.rule}: {reason.text}" for reason in answer.reasons)
            raise UnableToContact(
                f"also_about: account {other.reference}: this {decision.channel} could not be about it: {reasons}"
            )
    return sorted(others, key=lambda account: account.pk)


def _write_contact(
    *,
    decision: ContactDecision | None,
    account_id: int,
    debtor_id: int,
    channel: str,
    direction: str,
    outcome: Outcome,
    at: datetime,
    note: str,
    now: datetime,
    actor: Actor,
    also_about: Sequence[Account] = (),
) -> Contact:
    """One row in the contact ledger and its audit event (inside the caller's transaction)."""
    contact = Contact.objects.create(
        decision=decision,
        account_id=account_id,
        debtor_id=debtor_id,
        channel=channel,
        direction=direction,
        outcome=outcome.value,
        at=at,
        note=note,
        recorded_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        recorded_at=now,
    )
    ContactAbout.objects.bulk_create([ContactAbout(contact=contact, account=account) for account in also_about])
    record_event(
        event=Event.CONTACT_RECORDED if decision is not None else Event.CONTACT_INBOUND,
        subject_id=contact.pk,
        account_id=account_id,
        occurred_at=now,
        actor=actor,
        after={
            "channel": channel,
            "outcome": outcome.value,
            "at": at.isoformat(),
            "decision": decision.pk if decision is not None else None,
            **({"also_about": [account.reference for account in also_about]} if also_about else {}),
        },
    )
    return contact


def record_inbound_contact(
    *,
    account: Account,
    debtor: Debtor,
    channel: Channel,
    outcome: Outcome,
    at: datetime,
    now: datetime,
    actor: Actor,
    note: str = "",
) -> Contact:
    """The person contacted us: recorded without a decision (it still counts: a conversation starts US-08's wait)."""
    with transaction.atomic():
        contact = _write_contact(
            decision=None,
            account_id=account.pk,
            debtor_id=debtor.pk,
            channel=channel.value,
            direction=Contact.Direction.INBOUND,
            outcome=outcome,
            at=at,
            note=note,
            now=now,
            actor=actor,
        )
    return contact


def record_inbound_message(
    *,
    account: Account,
    debtor: Debtor,
    channel: Channel,
    text: str,
    at: datetime,
    now: datetime,
    actor: Actor,
    contact_point: ContactPoint | None = None,
) -> tuple[Contact, Hold | None]:
    """A text or email the person sent us: recorded in the ledger, and when it revokes consent
    ("STOP", "unsubscribe"...; US-24, US-07) a do-not-contact hold on that channel at once and the
    number's consent marked revoked. The same message recorded twice places one hold."""
    from recoup.core.compliance.content import is_revocation

    if channel not in (Channel.SMS, Channel.EMAIL):
        raise UnableToContact(f"channel: an inbound message is a text or an email, not a {channel.value}")
    if contact_point is not None and contact_point.debtor_id != debtor.pk:
        raise UnableToContact(f"contact_point: {contact_point.value} is not a contact point of {debtor}")
    day = date_in(at, debtor_zone(debtor, account.creditor))
    with transaction.atomic():
        if contact_point is not None:
            locked = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
            locked.last_consumer_use_date = max(filter(None, [locked.last_consumer_use_date, day]))
            locked.save(update_fields=["last_consumer_use_date"])
        contact = _write_contact(
            decision=None,
            account_id=account.pk,
            debtor_id=debtor.pk,
            channel=channel.value,
            direction=Contact.Direction.INBOUND,
            outcome=Outcome.DELIVERED,
            at=at,
            note=text.strip()[:2000],
            now=now,
            actor=actor,
        )
        if not is_revocation(text):
            return contact, None
        if contact_point is not None and channel is Channel.SMS:
            ContactPoint.objects.filter(pk=contact_point.pk).update(
                consent=ContactPoint.Consent.REVOKED, consent_date=day
            )
        existing = Hold.objects.filter(
            debtor=debtor, kind=Hold.Kind.DO_NOT_CONTACT, channel=channel.value, lifted_at__isnull=True
        ).first()
        if existing is not None:
            return contact, existing
        hold = place_hold(
            kind=Hold.Kind.DO_NOT_CONTACT,
            channel=channel.value,
            reason=f"opted out by {channel.value}: {text.strip()[:200]!r}",
            evidence=f"inbound message, contact {contact.pk}",
            starts_at=at,
            now=now,
            actor=actor,
            debtor=debtor,
        )
    return contact, hold


def place_hold(
    *,
    kind: str,
    reason: str,
    starts_at: datetime,
    now: datetime,
    actor: Actor,
    account: Account | None = None,
    debtor: Debtor | None = None,
    ends_at: datetime | None = None,
    channel: str = "",
    evidence: str = "",
) -> Hold:
    """Put a hold on an account or a person (or both), with its reason and evidence; audited."""
    if kind not in Hold.Kind.values:
        raise UnableToContact(f"kind: '{kind}' is not one of {', '.join(Hold.Kind.values)}")
    if account is None and debtor is None:
        raise UnableToContact("account: a hold is on an account, a person or both")
    if not reason.strip():
        raise UnableToContact("reason: say why the hold is placed")
    if kind == Hold.Kind.DO_NOT_CONTACT and channel not in {c.value for c in Channel}:
        raise UnableToContact("channel: a do-not-contact hold names the channel (call, sms, email, letter, visit)")
    if kind == Hold.Kind.BREATHING_SPACE and ends_at is None:
        ends_at = starts_at + timedelta(days=BREATHING_SPACE_DAYS)  # UK-07: a standard breathing space is 60 days
    if ends_at is not None and ends_at <= starts_at:
        raise UnableToContact("ends_at: the hold must end after it starts")
    with transaction.atomic():
        hold = Hold.objects.create(
            account=account,
            debtor=debtor,
            kind=kind,
            channel=channel if kind == Hold.Kind.DO_NOT_CONTACT else "",
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip(),
            evidence=evidence,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            created_at=now,
        )
        record_event(
            event=Event.HOLD_PLACED,
            subject_id=hold.pk,
            account_id=account.pk if account else None,
            occurred_at=now,
            actor=actor,
            after={
                "kind": kind,
                "channel": hold.channel,
                "reason": hold.reason,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat() if ends_at else None,
                "debtor": debtor.pk if debtor else None,
            },
        )
        if kind in BREATHING_SPACE_KINDS:
            _freeze_for_breathing_space(hold, now=now, actor=actor)
        if kind == Hold.Kind.DISPUTE and account is not None:
            _mark_disputed(account, hold, now=now, actor=actor)
    return hold


def _mark_disputed(account: Account, hold: Hold, *, now: datetime, actor: Actor) -> None:
    """A dispute hold makes the account Disputed (through the status service, audited), where its
    lifecycle allows (a settled or closed account keeps its status)."""

    current = AccountStatus(Account.objects.values_list("status", flat=True).get(pk=account.pk))
    if current is AccountStatus.DISPUTED or not can_transition(current, AccountStatus.DISPUTED):
        return
    change_account_status(
        account=account,
        to_status=AccountStatus.DISPUTED,
        reason=f"dispute hold {hold.pk}: {hold.reason}",
        now=now,
        actor=actor,
    )


def _end_disputed(hold: Hold, *, now: datetime, actor: Actor) -> None:
    """When the account's last dispute hold ends, it goes back to the status it had before the dispute."""

    if hold.account_id is None or _active_holds_of(hold.account_id, Hold.Kind.DISPUTE, now).exists():
        return
    account = Account.objects.get(pk=hold.account_id)
    if account.status != Account.Status.DISPUTED:
        return
    marked = (
        AuditEvent.objects.filter(
            name=Event.ACCOUNT_STATUS_CHANGED.text, account_id=account.pk, after__status=AccountStatus.DISPUTED.value
        )
        .order_by("-occurred_at", "-id")
        .values_list("before", flat=True)
        .first()
    )
    before = (marked or {}).get("status", AccountStatus.ACTIVE.value)
    target = AccountStatus(before) if before in AccountStatus._value2member_map_ else AccountStatus.ACTIVE
    if target is AccountStatus.DISPUTED or not can_transition(AccountStatus.DISPUTED, target):
        target = AccountStatus.ACTIVE
    change_account_status(
        account=account,
        to_status=target,
        reason=f"dispute hold {hold.pk} lifted: {hold.lift_reason}",
        now=now,
        actor=actor,
    )


def _active_holds_of(account_id: int, kind: str, at: datetime) -> Any:
    return Hold.objects.filter(account_id=account_id, kind=kind, lifted_at=None, starts_at__lte=at).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


BREATHING_SPACE_KINDS = (Hold.Kind.BREATHING_SPACE, Hold.Kind.BREATHING_SPACE_MHC)


def _accounts_held(hold: Hold) -> list[Account]:
    if hold.account is not None:
        return [hold.account]
    return list(Account.objects.select_related("creditor").filter(account_debtors__debtor=hold.debtor).order_by("id"))


def _freeze_for_breathing_space(hold: Hold, *, now: datetime, actor: Actor) -> None:
    """UK-07: interest, fees and charges are frozen on every debt the breathing space covers."""
    from recoup.accounts.services import freeze_charges

    for account in _accounts_held(hold):
        # The freeze runs on the creditor's ledger dates: the days the breathing space covers there.
        zone_name = creditor_zone(account.creditor)
        last_day = date_in(hold.ends_at - timedelta(microseconds=1), zone_name) if hold.ends_at else None
        freeze_charges(
            account=account,
            starts_on=date_in(hold.starts_at, zone_name),
            ends_on=last_day,
            reason=f"{hold.get_kind_display().lower()}: {hold.reason}",
            source="breathing_space",
            source_id=str(hold.pk),
            now=now,
            actor=actor,
        )


def _unfreeze_after_breathing_space(hold: Hold, *, now: datetime, actor: Actor) -> None:
    from recoup.accounts.models import ChargeFreeze
    from recoup.accounts.services import end_charge_freeze

    freezes = ChargeFreeze.objects.filter(
        source="breathing_space", source_id=str(hold.pk), ended_on__isnull=True
    ).select_related("account__creditor")
    for freeze in freezes:
        on = max(ledger_date(freeze.account, now), freeze.starts_on)
        if freeze.ends_on is not None and on > freeze.ends_on:
            continue  # it already ran out by itself
        end_charge_freeze(freeze=freeze, on=on, reason=f"breathing space hold {hold.pk} lifted", now=now, actor=actor)


def lift_hold(*, hold: Hold, reason: str, now: datetime, actor: Actor, by_dispute: bool = False) -> Hold:
    """End a hold early, with why; audited. A lifted hold stays on record.

    The verification hold of an open dispute is lifted by the dispute's own workflow (`by_dispute`,
    when verification is sent); before that only someone with the compliance override permission may
    lift it, and the reason is kept with the lift."""
    if not reason.strip():
        raise UnableToContact("reason: say why the hold is lifted")
    with transaction.atomic():
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            raise UnableToContact(f"hold: hold {hold.pk} was already lifted")
        if not by_dispute and locked.kind == Hold.Kind.DISPUTE:
            dispute = Dispute.objects.filter(hold=locked, state__in=DISPUTE_OPEN_STATES).first()
            may_override = actor is not None and getattr(actor, "has_perm", lambda _: False)(
                "compliance.compliance_override"
            )
            if dispute is not None and not may_override:
                raise UnableToContact(
                    f"hold: hold {hold.pk} is the verification hold of {dispute.kind} {dispute.pk}, which is still "
                    f"{dispute.get_state_display().lower()}; it lifts when the answer is sent. Only someone with "
                    "the compliance override permission may lift it before then"
                )
        locked.lifted_at = now
        locked.lifted_by_id = actor.pk if actor is not None and actor.is_authenticated else None
        locked.lift_reason = reason.strip()
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record_event(
            event=Event.HOLD_LIFTED,
            subject_id=hold.pk,
            account_id=locked.account_id,
            occurred_at=now,
            actor=actor,
            before={"kind": locked.kind},
            after={"reason": locked.lift_reason},
        )
        _close_lift_requests(locked, now=now, actor=actor)
        if locked.kind in BREATHING_SPACE_KINDS:
            _unfreeze_after_breathing_space(locked, now=now, actor=actor)
        if locked.kind == Hold.Kind.DISPUTE:
            _end_disputed(locked, now=now, actor=actor)
    return locked


def _close_lift_requests(hold: Hold, *, now: datetime, actor: Actor) -> None:
    """An officer's open request to lift the hold is answered when the hold is lifted without it:
    approved by whoever lifted it, with their reason, so nobody is left waiting on a decision."""
    for request in HoldLiftRequest.objects.select_for_update().filter(hold=hold, decided_at__isnull=True):
        answer_lift_request(
            request,
            approved=True,
            note=f"the hold was lifted directly: {hold.lift_reason}",
            now=now,
            actor=actor,
        )


def answer_lift_request(request: HoldLiftRequest, *, approved: bool, note: str, now: datetime, actor: Actor) -> None:
    """Record the decision on a (locked, open) request to lift a hold, audited; the one place it is written."""
    request.decided_by_id = actor.pk if actor is not None and actor.is_authenticated else None
    request.decided_at = now
    request.decision = HoldLiftRequest.Decision.APPROVED if approved else HoldLiftRequest.Decision.DECLINED
    request.decision_note = note
    request.save(update_fields=["decided_by", "decided_at", "decision", "decision_note"])
    record_event(
        event=Event.HOLD_LIFT_REQUEST_APPROVED if approved else Event.HOLD_LIFT_REQUEST_DECLINED,
        subject_id=request.hold_id,
        account_id=request.account_id,
        occurred_at=now,
        actor=actor,
        before={"request": request.pk, "reason": request.reason, "requested_by": request.requested_by_id},
        after={"decision": request.decision, "note": note},
    )


def limitation_for(account: Account) -> Limitation:
    """The account's limitation period, from its primary debtor's location and its accrual date
    (first delinquency, else charge-off, else opening; for a UK consumer debt, the first deliverable
    default notice's remedy end when later: `core.compliance.limitation.accrued_on`)."""
    primary = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor")
    role = primary.first()
    country, region = (role.debtor.country, role.debtor.region) if role else (account.creditor.country, "")
    consumer = account.product_type != "b2b_invoice" and (role is None or role.debtor.kind == Debtor.Kind.PERSON)
    default = None
    if country in DEFAULT_NOTICE_COUNTRIES and consumer:
        # Doyle v PRA [2019] EWCA Civ 12: for regulated credit the cause of action accrues when the
        # default notice's remedy period expires, not at the first missed payment.
        default = (
            Notice.objects.filter(account=account, kind=Notice.Kind.DEFAULT, undeliverable_on=None)
            .order_by("sent_on", "id")
            .first()
        )
    accrued = accrued_on(
        first_delinquency=account.first_delinquency_date,
        charge_off=account.charge_off_date,
        opened=account.opened_date,
        country=country,
        consumer=consumer,
        default_notice_sent_on=default.sent_on if default else None,
        default_notice_remedy_days=default.remedy_days if default else None,
    )
    return limitation(country=country, region=region, accrued_on=accrued, consumer=consumer)


def extinguished_reason(period: Limitation) -> str:
    """Why nothing may be collected on an extinguished debt, naming the day it was extinguished."""
    assert period.extinguished_on is not None
    assert period.expires_on is not None
    return (
        f"the debt was extinguished on {period.extinguished_on.isoformat()} (the limitation period ended on "
        f"{period.expires_on.isoformat()}: {period.basis}); nothing may be collected or charged, only a message "
        "telling the person the debt is extinguished"
    )


def refuse_charge_if_extinguished(*, account: Account, component: Component, on: date) -> None:
    """Refuse (UnableToPostTransaction) an interest, fee or cost charge on a debt extinguished on `on`
    (UK-06, AU-05); `accounts.postings.post_charge` asks through `accounts.signals.charge_requested`."""
    from recoup.accounts.services import UnableToPostTransaction

    period = limitation_for(account)
    if period.extinguished(on):
        raise UnableToPostTransaction(
            f"component: {period.rule}: no {component.value} may be charged on account {account.reference}: "
            f"{extinguished_reason(period)}; nothing was charged"
        )


class UnableToCloseExtinguished(Exception):
    """The account could not be closed as extinguished; the message says why."""


def close_extinguished(*, account: Account, now: datetime, actor: Actor, note: str = "") -> Account:
    """Close the account of a debt extinguished today (UK-06 Scotland prescription, AU-05 NSW), with
    the reason kept on the account (`closure_reason` "extinguished") and both the status change and a
    `compliance.extinguished.closed` event written. Refused when the debt is not extinguished today,
    or when its status cannot go to closed (end a payment arrangement first)."""
    from recoup.accounts.services import UnableToChangeStatus

    period = limitation_for(account)
    today = now.date()
    if not period.extinguished(today):
        if period.expires_on is None:
            why = f"{period.rule}: {period.basis}"
        elif not period.extinguishes:
            why = (
                f"{period.rule}: the end of the limitation period ({period.expires_on.isoformat()}) does not "
                f"extinguish this debt ({period.basis})"
            )
        else:
            why = f"{period.rule}: the limitation period runs to {period.expires_on.isoformat()} ({period.basis})"
        raise UnableToCloseExtinguished(f"account: {account.reference} is not extinguished; {why}")
    assert period.expires_on is not None
    assert period.extinguished_on is not None
    reason = f"{period.rule}: debt extinguished on {period.extinguished_on.isoformat()} ({period.basis})"
    if note.strip():
        reason += f"; {note.strip()}"
    before = account.status
    try:
        with transaction.atomic():
            closed = change_account_status(
                account=account,
                to_status=AccountStatus.CLOSED,
                reason=reason,
                now=now,
                actor=actor,
                closure_reason=Account.ClosureReason.EXTINGUISHED,
            )
            record_event(
                event=Event.EXTINGUISHED_CLOSED,
                subject_id=account.pk,
                account_id=account.pk,
                occurred_at=now,
                actor=actor,
                after={
                    "rule": period.rule,
                    "basis": period.basis,
                    "limitation_ends": period.expires_on.isoformat(),
                    "extinguished_on": period.extinguished_on.isoformat(),
                    "from_status": before,
                    "reason": reason,
                },
            )
    except UnableToChangeStatus as exc:
        hint = "; end the payment arrangement first" if before == AccountStatus.IN_ARRANGEMENT else ""
        raise UnableToCloseExtinguished(f"{exc}{hint}") from None
    return closed


def refer_to_legal(
    *, account: Account, reason: str, now: datetime, actor: Actor, period_confirmed: str = ""
) -> Account:
    """Move an account to legal, unless its debt is time-barred (US-16, AU-05, UK-06).

    Where no limitation period is configured for the debtor's location, a person must confirm in
    writing that the debt is within its period (`period_confirmed`); the confirmation is audited.
    """
    from recoup.accounts.services import UnableToChangeStatus, change_account_status
    from recoup.core.account_status import AccountStatus

    period = limitation_for(account)
    today = legal_date(account, now)
    if period.time_barred(today):
        assert period.expires_on is not None
        gone = " and the debt is extinguished" if period.extinguishes else ""
        raise UnableToContact(
            f"{period.rule}: the limitation period ended on {period.expires_on.isoformat()} ({period.basis}){gone}; "
            "no legal action or threat of it"
        )
    from recoup.compliance.deadlines import enforcement_gate

    gate = enforcement_gate(account, today)
    if not gate.allowed:
        waits = f" (earliest {gate.earliest.isoformat()})" if gate.earliest else ""
        raise UnableToContact("; ".join(f"{r.rule}: {r.text}" for r in gate.reasons) + waits)
    if period.expires_on is None and not period_confirmed.strip():
        raise UnableToContact(f"{period.rule}: {period.basis}; say how you confirmed it")
    try:
        with transaction.atomic():
            moved = change_account_status(
                account=account, to_status=AccountStatus.LEGAL, reason=reason, now=now, actor=actor
            )
            record_event(
                event=Event.LEGAL_REFERRAL_CHECKED,
                subject_id=account.pk,
                account_id=account.pk,
                occurred_at=now,
                actor=actor,
                after={
                    "rule": period.rule,
                    "limitation_ends": period.expires_on.isoformat() if period.expires_on else None,
                    "basis": period.basis,
                    "confirmed_by_person": period_confirmed.strip(),
                },
            )
    except UnableToChangeStatus as exc:
        raise UnableToContact(str(exc)) from None
    return moved


ITEMIZATION_SQL = (
    "SELECT t.type, SUM(e.amount_minor) FROM accounts_entry e "
    "JOIN accounts_transaction t ON t.id = e.transaction_id "
    "WHERE e.account_id = %s AND e.book = 'receivable' AND e.effective_date > %s GROUP BY t.type"
)


OWED_SQL = "SELECT COALESCE(SUM(amount_minor), 0) FROM accounts_entry WHERE account_id = %s AND book = 'receivable'"


def build_validation_notice(*, account: Account, sent_on: date) -> ValidationNotice:
    """The US validation notice for an account, from its parties and its ledger (US-12).

    The itemization is read from the ledger: everything posted to what the debtor owes after the
    itemization date, by kind (interest; fees and costs; payments net of reversals; every other
    change as credits). Check it with `missing_parts` before sending.
    """
    from django.conf import settings
    from django.db import connection

    role = (
        AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor").first()
    )
    debtor = role.debtor if role else None
    address = ""
    if debtor is not None and has_postal_address(
        address_line1=debtor.address_line1, city=debtor.city, postal_code=debtor.postal_code
    ):
        lines = [
            debtor.address_line1,
            debtor.address_line2,
            f"{debtor.city} {debtor.region} {debtor.postal_code}".strip(),
        ]
        address = "|".join(line for line in lines if line)
    itemization = None
    if account.itemization_date is not None and account.itemization_amount_minor is not None:
        with connection.cursor() as cursor:
            cursor.execute(ITEMIZATION_SQL, [account.pk, account.itemization_date])
            by_type = {kind: int(total) for kind, total in cursor.fetchall()}
            cursor.execute(OWED_SQL, [account.pk])
            owed = int(cursor.fetchone()[0])
        money = account.money
        interest = by_type.pop("interest", 0)
        fees = by_type.pop("fee", 0) + by_type.pop("cost", 0)
        payments = -(by_type.pop("payment", 0) + by_type.pop("payment_reversal", 0))
        credits = -sum(by_type.values())
        itemization = Itemization(
            itemization_date=account.itemization_date,
            amount_then=money(account.itemization_amount_minor),
            interest=money(interest),
            fees=money(fees),
            payments=money(payments),
            credits=money(credits),
            amount_now=money(owed),
        )
    return ValidationNotice(
        collector_name=settings.COLLECTOR_NAME,
        collector_address=settings.COLLECTOR_ADDRESS,
        consumer_name=debtor.display_name if debtor else "",
        consumer_address=address,
        creditor_on_itemization_date=account.original_creditor or account.creditor.name,
        account_number=masked_account_number(account.reference),
        current_creditor=account.creditor.name,
        itemization=itemization,
        sent_on=sent_on,
    )
