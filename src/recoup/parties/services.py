"""Writing creditors, debtors and contact points, each change with its audit event.

Phones are parsed with `phonenumbers` and stored in E.164; emails are validated and stored in lower
case. Bad input is refused with a message naming the field and the reason, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.core.allocation import AllocationPolicy, InvalidAllocationPolicy
from recoup.core.business_dates import latest_date
from recoup.core.money import MoneyError, validate_currency
from recoup.parties.models import ContactPoint, Creditor, Debtor

Actor = AbstractBaseUser | AnonymousUser | None


class UnableToSaveParty(Exception):
    """A creditor, debtor or contact point was refused; the message names the field and the reason."""


def normalise_phone(raw: str, *, country: str) -> str:
    """The number in E.164 (+14155550123), read in the debtor's country when it has no +prefix."""
    try:
        parsed = phonenumbers.parse(raw, country.upper())
    except phonenumbers.NumberParseException:
        raise UnableToSaveParty(f"phone: '{raw}' is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise UnableToSaveParty(f"phone: '{raw}' is not a valid number for {country.upper()} or abroad")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    value = raw.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise UnableToSaveParty(f"email: '{raw}' is not a valid email address") from None
    return value


def create_creditor(
    *,
    code: str,
    name: str,
    industry: str,
    collector_type: str,
    default_currency: str,
    country: str,
    now: datetime,
    actor: Actor,
    jurisdiction: str = "",
    allocation_policy: dict[str, Any] | None = None,
    aging_buckets: list[int] | None = None,
) -> Creditor:
    """Add a creditor (a client whose debts are collected), checking its codes and policies."""
    from recoup.core.aging import BucketScheme, InvalidBuckets

    if not code.strip():
        raise UnableToSaveParty("code: must not be empty")
    if Creditor.objects.filter(code=code).exists():
        raise UnableToSaveParty(f"code: '{code}' is already used by another creditor")
    if industry not in Creditor.Industry.values:
        raise UnableToSaveParty(f"industry: '{industry}' is not one of {', '.join(Creditor.Industry.values)}")
    if collector_type not in Creditor.CollectorType.values:
        raise UnableToSaveParty(f"collector_type: '{collector_type}' is not first_party or third_party")
    try:
        validate_currency(default_currency)
    except MoneyError as exc:
        raise UnableToSaveParty(f"default_currency: {exc}") from None
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        raise UnableToSaveParty(f"country: '{country}' is not a two-letter ISO 3166 code such as US")
    try:
        if allocation_policy is not None:
            AllocationPolicy.from_dict(allocation_policy)
        if aging_buckets is not None:
            BucketScheme.from_config(aging_buckets)
    except (InvalidAllocationPolicy, InvalidBuckets) as exc:
        raise UnableToSaveParty(str(exc)) from None
    with transaction.atomic():
        creditor = Creditor.objects.create(
            code=code,
            name=name,
            industry=industry,
            collector_type=collector_type,
            default_currency=default_currency,
            country=country,
            jurisdiction=jurisdiction,
            allocation_policy=allocation_policy,
            aging_buckets=aging_buckets,
            created_at=now,
        )
        record_event(
            event=Event.CREDITOR_CREATED,
            subject_id=creditor.pk,
            occurred_at=now,
            actor=actor,
            after={"code": code, "name": name, "currency": default_currency, "country": country},
        )
    return creditor


@dataclass(frozen=True)
class NewDebtor:
    kind: str
    country: str
    time_zone: str
    given_name: str = ""
    family_name: str = ""
    business_name: str = ""
    date_of_birth: date | None = None
    preferred_language: str = "en"
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""


def create_debtor(*, details: NewDebtor, now: datetime, actor: Actor) -> Debtor:
    """Add a person or business who owes money; names, country and time zone are checked."""
    if details.kind not in Debtor.Kind.values:
        raise UnableToSaveParty(f"kind: '{details.kind}' is not person or business")
    if details.kind == Debtor.Kind.PERSON and not details.family_name.strip():
        raise UnableToSaveParty("family_name: a person needs a family name")
    if details.kind == Debtor.Kind.BUSINESS and not details.business_name.strip():
        raise UnableToSaveParty("business_name: a business needs its name")
    if len(details.country) != 2 or not details.country.isupper():
        raise UnableToSaveParty(f"country: '{details.country}' is not a two-letter ISO 3166 code")
    try:
        ZoneInfo(details.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnableToSaveParty(f"time_zone: '{details.time_zone}' is not an IANA time zone") from None
    if details.date_of_birth is not None and details.date_of_birth >= latest_date(now):
        raise UnableToSaveParty(f"date_of_birth: {details.date_of_birth} is not in the past")
    with transaction.atomic():
        debtor = Debtor.objects.create(**vars(details), created_at=now)
        record_event(
            event=Event.DEBTOR_CREATED,
            subject_id=debtor.pk,
            occurred_at=now,
            actor=actor,
            after={"kind": details.kind, "name": debtor.display_name, "country": details.country},
        )
    return debtor


def add_contact_point(
    *,
    debtor: Debtor,
    kind: str,
    value: str,
    source: str,
    obtained_date: date,
    now: datetime,
    actor: Actor,
    phone_type: str = "",
    consent: str = ContactPoint.Consent.UNKNOWN,
    verified: bool = False,
    is_primary: bool = False,
    account_id: int | None = None,
) -> ContactPoint:
    """Record a phone or email for a debtor with where it came from (provenance) and consent.
    `account_id` puts the event on that account's timeline too (added while working it)."""
    if kind == ContactPoint.Kind.PHONE:
        normalised = normalise_phone(value, country=debtor.country)
        if phone_type not in ContactPoint.PhoneType.values:
            raise UnableToSaveParty(f"phone_type: '{phone_type}' is not one of mobile, home, work")
    elif kind == ContactPoint.Kind.EMAIL:
        normalised = normalise_email(value)
        phone_type = ""
    else:
        raise UnableToSaveParty(f"kind: '{kind}' is not phone or email")
    if source not in ContactPoint.Source.values:
        raise UnableToSaveParty(f"source: '{source}' is not one of {', '.join(ContactPoint.Source.values)}")
    if consent not in ContactPoint.Consent.values:
        raise UnableToSaveParty(f"consent: '{consent}' is not one of {', '.join(ContactPoint.Consent.values)}")
    if obtained_date > latest_date(now):
        raise UnableToSaveParty(f"obtained_date: {obtained_date} is in the future")
    if ContactPoint.objects.filter(debtor=debtor, kind=kind, value=normalised).exists():
        raise UnableToSaveParty(f"{kind}: {normalised} is already recorded for this debtor")
    with transaction.atomic():
        point = ContactPoint.objects.create(
            debtor=debtor,
            kind=kind,
            value=normalised,
            phone_type=phone_type,
            source=source,
            obtained_date=obtained_date,
            consent=consent,
            verified=verified,
            is_primary=is_primary,
        )
        record_event(
            event=Event.CONTACT_POINT_ADDED,
            subject_id=point.pk,
            account_id=account_id,
            occurred_at=now,
            actor=actor,
            after={"debtor": debtor.pk, "kind": kind, "value": normalised, "source": source, "consent": consent},
        )
    return point


def stop_using_contact_point(
    *, point: ContactPoint, reason: str, now: datetime, actor: Actor, account_id: int | None = None
) -> ContactPoint:
    """Mark a number or address not to be used (a wrong number, someone else's, no longer theirs).

    The record stays, with where it came from, so the same number from a later file or skip trace is
    recognised and not used again; the gate treats it as unusable from now on. Audited with the reason.
    """
    reason = reason.strip()
    if not reason:
        raise UnableToSaveParty("reason: say why it must not be used (wrong number, not theirs, ...)")
    with transaction.atomic():
        locked = ContactPoint.objects.select_for_update().get(pk=point.pk)
        if locked.do_not_contact:
            raise UnableToSaveParty(f"{locked.kind}: {locked.value} is already marked not to be used")
        locked.do_not_contact = True
        locked.is_primary = False
        locked.save(update_fields=["do_not_contact", "is_primary"])
        record_event(
            event=Event.CONTACT_POINT_STOPPED,
            subject_id=locked.pk,
            account_id=account_id,
            occurred_at=now,
            actor=actor,
            before={"do_not_contact": False},
            after={"debtor": locked.debtor_id, "kind": locked.kind, "value": locked.value, "reason": reason},
        )
    return locked
