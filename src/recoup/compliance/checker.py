"""An independent check of the contact ledger: re-reads every recorded contact and counts rule breaches.

Written separately from the rules engine (`recoup.core.compliance`) and deliberately naive (plain
loops over local dates, no shared counting code), so that a mistake in the engine is not repeated
here. It checks what the gate enforces for outbound contacts: the hours (US-01, AU-01, UK-04) in
every zone the gate saw, US-08's 7 calls in 7 days and the 7 days after a conversation (calls made
inside the person's recorded consent to be called are left out, as the rule says), AU-02's 3 contacts
a week and 10 in 30 days, US-11's validation notice within 5 days of a third-party collector's first
communication, that no outbound contact but the message saying so was made on a debt extinguished
(UK-06 Scotland after 5 years, AU-05 NSW after 6), that no contact was made during a hold but those
its rule lets through (a statement in a breathing space, UK-07; a cease notice, US-04), and that
every outbound contact rests on an allowed or overridden decision. The per-debt limits count a contact
toward every debt it was about (US-08 counts calls per person per debt: a call about two debts is
one toward each), read from `compliance_contact_about`. The national holiday calendar is shared with
the engine (a list of dates, not a rule).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F

from recoup.compliance.models import CallConsent, Contact, ContactAbout, Hold, Notice
from recoup.core.compliance import australian_national_holidays


@dataclass(frozen=True)
class Breach:
    rule: str
    contact_id: int
    text: str


US_COUNTED = {"connected_conversation", "voicemail", "no_answer"}
AU_ACTUAL = {"connected_conversation", "voicemail", "delivered"}


def _inside(at: datetime, zone: ZoneInfo, start: time, end: time) -> bool:
    local = at.astimezone(zone).time()
    return start <= local < end


def _au_window(day: date, visit: bool) -> tuple[time, time] | None:
    if day in australian_national_holidays(day.year):
        return None
    if visit or day.weekday() >= 5:
        return time(9, 0), time(21, 0)
    return time(7, 30), time(21, 0)


def check_ledger() -> list[Breach]:
    """Every breach in the contact ledger (outbound contacts only; the person may always call us)."""
    rows = list(
        Contact.objects.filter(direction=Contact.Direction.OUTBOUND)
        .select_related("decision", "debtor")
        .order_by("at", "id")
        .values_list(
            "id", "at", "channel", "outcome", "debtor_id", "account_id", "debtor__country", "decision__time_zones"
        )
    )
    about = _other_debts()
    inbound_conversations = list(
        Contact.objects.filter(
            direction=Contact.Direction.INBOUND, channel="call", outcome="connected_conversation"
        ).values_list("id", "at", "debtor_id", "account_id")
    )
    breaches: list[Breach] = (
        _decisions_behind_contacts()
        + _validation_notices_in_time()
        + _extinguished_contacts()
        + _contacts_during_holds(about)
    )
    consents = _consent_spans(about)
    calls: dict[tuple[int, int], list[tuple[int, datetime, str, list[ZoneInfo]]]] = defaultdict(list)
    au_contacts: dict[tuple[int, int], list[tuple[int, datetime, list[ZoneInfo]]]] = defaultdict(list)
    for pk, at, channel, outcome, debtor, account, country, zone_names in rows:
        zones = [ZoneInfo(z) for z in (zone_names or [])]
        if not zones:
            breaches.append(Breach("GATE", pk, "a contact was made without knowing the person's time zone"))
            continue
        if country == "US" and channel in {"call", "sms", "email", "visit"}:
            for zone in zones:
                if not _inside(at, zone, time(8, 0), time(21, 0)):
                    breaches.append(Breach("US-01", pk, f"{at.astimezone(zone):%Y-%m-%d %H:%M} in {zone.key}"))
            if channel == "call":
                for debt in (account, *about[pk]):  # a call about two debts counts toward each
                    calls[(debtor, debt)].append((pk, at, outcome, zones))
        elif country == "AU" and channel in {"call", "sms", "email", "visit"}:
            for zone in zones:
                local = at.astimezone(zone)
                window = _au_window(local.date(), channel == "visit")
                if window is None or not window[0] <= local.time() < window[1]:
                    breaches.append(Breach("AU-01", pk, f"{local:%a %Y-%m-%d %H:%M} in {zone.key}"))
            if outcome in AU_ACTUAL and channel != "visit":
                for debt in (account, *about[pk]):
                    au_contacts[(debtor, debt)].append((pk, at, zones))
        elif country == "GB" and channel in {"call", "sms", "email", "visit"}:
            london = ZoneInfo("Europe/London")
            if not _inside(at, london, time(8, 0), time(21, 0)):
                breaches.append(Breach("UK-04", pk, f"{at.astimezone(london):%Y-%m-%d %H:%M} in Europe/London"))
    conversations: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for key, made in calls.items():
        conversations[key] += [at for _, at, outcome, _ in made if outcome == "connected_conversation"]
    for pk, at, debtor, account in inbound_conversations:
        for debt in (account, *about[pk]):
            conversations[(debtor, debt)].append(at)
    for key, made in calls.items():
        consented = {pk for pk, at, _, _ in made if any(start <= at < end for start, end in consents[key])}
        made = [call for call in made if call[0] not in consented]
        for pk, at, _, zones in made:
            for zone in zones:
                day = at.astimezone(zone).date()
                first_day = day - timedelta(days=6)
                counted = sum(
                    1
                    for _, other, outcome, _ in made
                    if outcome in US_COUNTED and other <= at and first_day <= other.astimezone(zone).date() <= day
                )
                if counted > 7:
                    breaches.append(Breach("US-08", pk, f"call {counted} in the 7 days ending {day}"))
                for talked in conversations[key]:
                    talked_day = talked.astimezone(zone).date()
                    if talked < at and talked_day <= day <= talked_day + timedelta(days=6):
                        text = f"call on {day}, within 7 days of a conversation on {talked_day}"
                        breaches.append(Breach("US-08", pk, text))
    for made_au in au_contacts.values():
        for pk, at, zones in made_au:
            for zone in zones:
                day = at.astimezone(zone).date()
                for limit, days in ((3, 7), (10, 30)):
                    first_day = day - timedelta(days=days - 1)
                    count = sum(
                        1
                        for _, other, _ in made_au
                        if other <= at and first_day <= other.astimezone(zone).date() <= day
                    )
                    if count > limit:
                        breaches.append(Breach("AU-02", pk, f"contact {count} in the {days} days ending {day}"))
    return breaches


def _decisions_behind_contacts() -> list[Breach]:
    """An outbound contact must rest on a decision that allowed it, or on a recorded override."""
    unsupported = Contact.objects.filter(direction=Contact.Direction.OUTBOUND).exclude(decision__allowed=True)
    return [
        Breach("GATE", pk, "made under a decision that blocked it, without an override")
        for pk, override in unsupported.values_list("id", "decision__override_reason")
        if not override
    ]


def _other_debts() -> dict[int, list[int]]:
    """Per contact, the other debts of the person it was also about (a call about two accounts)."""
    about: dict[int, list[int]] = defaultdict(list)
    for contact, account in ContactAbout.objects.order_by("contact_id", "account_id").values_list(
        "contact_id", "account_id"
    ):
        about[contact].append(account)
    return about


def _consent_spans(about: dict[int, list[int]]) -> dict[tuple[int, int], list[tuple[datetime, datetime]]]:
    """Per (person, account): when the person's consent to be called held (US-08), ended early by a
    revocation or by the next conversation about the debt (a conversation about several ends each)."""
    talks: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for pk, at, debtor, account in Contact.objects.filter(channel="call", outcome="connected_conversation").values_list(
        "id", "at", "debtor_id", "account_id"
    ):
        for debt in (account, *about[pk]):
            talks[(debtor, debt)].append(at)
    spans: dict[tuple[int, int], list[tuple[datetime, datetime]]] = defaultdict(list)
    for debtor, account, given, ends, revoked in CallConsent.objects.values_list(
        "debtor_id", "account_id", "given_at", "ends_at", "revoked_at"
    ):
        end = min(ends, revoked) if revoked else ends
        later = [at for at in talks[(debtor, account)] if given < at < end]
        spans[(debtor, account)].append((given, min([end, *later])))
    return spans


def _validation_notices_in_time() -> list[Breach]:
    """US-11: a third-party collector's US account gets no collection contact more than 5 days after
    the first communication unless a validation notice was sent by then (paid accounts are exempt)."""
    breaches: list[Breach] = []
    first: dict[int, datetime] = {}
    agency_us = Contact.objects.filter(account__creditor__collector_type="third_party", debtor__country="US").order_by(
        "at", "id"
    )
    rows = list(
        agency_us.values_list(
            "id",
            "at",
            "account_id",
            "direction",
            "outcome",
            "decision__purpose",
            "account__principal_minor",
            "account__interest_minor",
            "account__fees_minor",
            "account__costs_minor",
        )
    )
    sent: dict[int, list[date]] = defaultdict(list)
    for account, day in Notice.objects.filter(kind=Notice.Kind.VALIDATION).values_list("account_id", "sent_on"):
        sent[account].append(day)
    for pk, at, account, direction, outcome, purpose, *owed in rows:
        if account in first and direction == "outbound" and purpose == "collection" and sum(owed) > 0:
            due = first[account].date() + timedelta(days=5)
            day = at.astimezone(first[account].tzinfo).date()
            if day > due and not any(notice <= day for notice in sent[account]):
                breaches.append(
                    Breach("US-11", pk, f"collection contact on {day}; the validation notice was due {due}")
                )
        if outcome in {"connected_conversation", "delivered"} and account not in first:
            first[account] = at
    return breaches


EXTINGUISHING = {("GB", "SCT"): ("UK-06", 5), ("AU", "NSW"): ("AU-05", 6)}
DEBT_FIELDS = (
    "account__account_debtors__debtor__country",
    "account__account_debtors__debtor__region",
    "account__account_debtors__debtor__kind",
    "account__product_type",
    "account__first_delinquency_date",
    "account__charge_off_date",
    "account__opened_date",
)


def _extinguished_contacts() -> list[Breach]:
    """UK-06, AU-05: no outbound contact on a debt after its period ended where that extinguishes it,
    except the message telling the person so; a contact about several debts, on none of them. The
    period runs from the first delinquency (else the charge-off, else the opening); for a Scottish
    consumer debt, from the end of the first default notice's remedy period (14 days if none is
    recorded) when that is later."""
    breaches: list[Breach] = []
    defaults: dict[int, tuple[date, int]] = {}
    for account, sent, remedy in (
        Notice.objects.filter(kind="default", undeliverable_on=None)
        .order_by("-sent_on", "-id")
        .values_list("account_id", "sent_on", "remedy_days")
    ):
        defaults[account] = (sent, remedy or 14)  # the earliest is written last
    own = (
        Contact.objects.filter(direction=Contact.Direction.OUTBOUND, account__account_debtors__role="primary")
        .exclude(decision__purpose="extinguished_notice")
        .values_list("id", "at", "account_id", *DEBT_FIELDS, "decision__time_zones")
    )
    others = (
        ContactAbout.objects.filter(
            contact__direction=Contact.Direction.OUTBOUND, account__account_debtors__role="primary"
        )
        .exclude(contact__decision__purpose="extinguished_notice")
        .values_list("contact_id", "contact__at", "account_id", *DEBT_FIELDS, "contact__decision__time_zones")
    )
    rows = sorted([*own, *others], key=lambda row: (row[1], row[0], row[2]))
    for pk, at, account, country, region, kind, product, delinquent, charged_off, opened, zones in rows:
        if (country, region) not in EXTINGUISHING:
            continue
        rule, years = EXTINGUISHING[(country, region)]
        start = delinquent or charged_off or opened
        if country == "GB" and kind == "person" and product != "b2b_invoice" and account in defaults:
            sent, remedy = defaults[account]
            start = max(start, sent + timedelta(days=remedy))
        try:
            last_day = start.replace(year=start.year + years)
        except ValueError:
            last_day = start.replace(year=start.year + years, day=28)
        day = max([at.date(), *(at.astimezone(ZoneInfo(zone)).date() for zone in zones or [])])
        if day > last_day:
            breaches.append(Breach(rule, pk, f"contact on {day}, the debt extinguished after {last_day}"))
    return breaches


# What each kind of hold still lets through, and the rule any other contact breaks: read from
# COMPLIANCE.md, not from the gate's table. Cease communication (US-04): only the notices that efforts
# end or that a remedy may or will be invoked. Breathing space (UK-07): no contact asking for payment,
# so the statements and notices the law requires. Do not contact (US-07): that channel, but for one
# confirmation of the opt-out (not counted here). The rest stop every contact: a representative
# (US-03, AU-03), a dispute pending verification (US-15, UK-05, AU-04), bankruptcy, death.
HOLDS: dict[str, tuple[str, frozenset[str]]] = {
    "cease_communication": ("US-04", frozenset({"cease_notice"})),
    "breathing_space": ("UK-07", frozenset({"statement", "required_notice"})),
    "breathing_space_mhc": ("UK-07", frozenset({"statement", "required_notice"})),
    "do_not_contact": ("US-07", frozenset({"opt_out_confirmation"})),
    "represented": ("US-03", frozenset()),
    "dispute": ("US-15", frozenset({"statement", "required_notice"})),  # issue 24: statements still pass
    "bankruptcy": ("HOLD-BANKRUPTCY", frozenset()),
    "deceased": ("HOLD-DECEASED", frozenset()),
}
HOLD_RULE_ABROAD = {("represented", "AU"): "AU-03", ("dispute", "GB"): "UK-05", ("dispute", "AU"): "AU-04"}


def _contacts_during_holds(about: dict[int, list[int]]) -> list[Breach]:
    """No outbound contact while a hold is in force on the person or on any debt the contact was about,
    unless its purpose is one the hold lets through (HOLDS). A hold counts from its start to its end
    (exclusive) or its lifting, once it was on record when the contact was decided (one recorded later,
    even with an earlier start, was not known to anyone making the contact)."""
    holds: dict[tuple[str, int], list[tuple[int, str, str, datetime, datetime | None, datetime | None, datetime]]]
    holds = defaultdict(list)
    for pk, account, debtor, kind, channel, starts, ends, lifted, created in Hold.objects.filter(
        kind__in=HOLDS
    ).values_list(
        "id", "account_id", "debtor_id", "kind", "channel", "starts_at", "ends_at", "lifted_at", "created_at"
    ):
        hold = (pk, kind, channel, starts, ends, lifted, created)
        if account is not None:
            holds[("account", account)].append(hold)
        if debtor is not None:
            holds[("person", debtor)].append(hold)
    if not holds:
        return []
    breaches: list[Breach] = []
    rows = (
        Contact.objects.filter(direction=Contact.Direction.OUTBOUND)
        .order_by("at", "id")
        .values_list("id", "at", "channel", "account_id", "debtor_id", "debtor__country", "decision__purpose")
        .annotate(decided=F("decision__decided_at"))
    )
    for pk, at, channel, account, debtor, country, purpose, decided in rows:
        found = {
            hold[0]: hold
            for key in [("person", debtor), *(("account", debt) for debt in (account, *about[pk]))]
            for hold in holds.get(key, [])
        }
        for hold_id, kind, hold_channel, starts, ends, lifted, created in sorted(found.values()):
            in_force = starts <= at and (ends is None or at < ends) and (lifted is None or at < lifted)
            if not in_force or created >= decided or (kind == "do_not_contact" and hold_channel != channel):
                continue
            rule, allowed = HOLDS[kind]
            if purpose in allowed:
                continue
            rule = HOLD_RULE_ABROAD.get((kind, country), rule)
            text = (
                f"a {channel} for {purpose} during the {kind.replace('_', ' ')} hold {hold_id} from {starts:%Y-%m-%d}"
            )
            breaches.append(Breach(rule, pk, text))
    return breaches
