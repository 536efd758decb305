"""Whether a particular phone number or email address may be used, from where it came from and consent.

The hours and frequency rules ask "may we contact this person now?"; these rules ask "may we use this
number or address for it?". Everything is decided from the endpoint's provenance record, never from a
guess, and the day of the contact is given by the caller.

- Opt-outs (US-07, US-24; AU-01 and UK-04 for a person's reasonable wishes): an endpoint the person
  asked us not to use is never used. A revoked consent blocks texts and automated calls to the number.
- US-02: no email to an address known to be employer-provided, no call or text to a work number the
  person said they may not be contacted on.
- US-06 (§1006.6(d)(3)-(5), the procedures behind the bona-fide-error defence):
  * email: an address that once caused a disclosure to a third party is blocked. Otherwise one of the
    safe-harbour bases should hold (the person used it with us or consented; the creditor used it and
    its notice's opt-out window of at least 35 days has passed, on a non-employer address); without one
    the contact is allowed with a warning, because the safe harbour is a defence, not a precondition.
  * text message: the person texted from the number or consented, and within the last 60 days either
    did so again or a reassigned-numbers database check was clean. Otherwise the text is blocked.
- US-23 (TCPA): texts and autodialled or prerecorded calls to a mobile number need prior express
  consent; a number the person gave the creditor with the debt (placement or the person themselves)
  counts as such consent, a number found by skip tracing does not until consent is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from recoup.core.compliance.model import Channel, Finding, Reason, Severity

SMS_FRESHNESS_DAYS = 60  # US-06, §1006.6(d)(5)
CREDITOR_OPT_OUT_WINDOW_DAYS = 35  # US-06, §1006.6(d)(4)(ii)(C)(5)


class Source(StrEnum):
    PLACEMENT = "placement"  # given by the creditor with the debt
    DEBTOR = "debtor"  # given to us by the person
    SKIP_TRACE = "skip_trace"
    OFFICER = "officer"  # found and entered by an officer


class Consent(StrEnum):
    UNKNOWN = "unknown"
    GRANTED = "granted"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Endpoint:
    """A phone number or email address with its provenance record."""

    kind: str  # "phone" or "email"
    value: str
    source: Source
    obtained_on: date
    phone_type: str = ""  # mobile, home or work for phones
    consent: Consent = Consent.UNKNOWN
    consent_on: date | None = None  # when consent was given or revoked
    last_consumer_use_on: date | None = None  # the person last texted or emailed us from it
    reassigned_check_on: date | None = None  # the last clean reassigned-numbers database check
    creditor_notice_on: date | None = None  # the creditor's notice with an opt-out window (email)
    employer_provided: bool = False
    no_workplace_contact: bool = False
    caused_disclosure: bool = False
    do_not_contact: bool = False

    def describe(self) -> str:
        return f"{'phone number' if self.kind == 'phone' else 'email address'} {self.value}"


CHANNEL_KINDS = {Channel.CALL: "phone", Channel.SMS: "phone", Channel.EMAIL: "email"}


def _block(rule: str, text: str) -> Finding:
    # No time cures these: the record has to change (a new consent, a check, another endpoint).
    return Finding(Severity.BLOCK, Reason(rule, text), None)


def endpoint_findings(
    endpoint: Endpoint, channel: Channel, on: date, *, country: str, automated: bool = False
) -> list[Finding]:
    """What the provenance rules say about using `endpoint` for `channel` on the day `on`.

    `automated` is a call placed by an autodialler or with a prerecorded or artificial voice (US-23).
    A channel that does not use this kind of endpoint (a letter, a visit, an email to a phone) is an error.
    """
    wanted = CHANNEL_KINDS.get(channel)
    if wanted != endpoint.kind:
        raise ValueError(f"contact_point: a {channel.value} cannot go to a {endpoint.describe()}")
    what = endpoint.describe()
    findings: list[Finding] = []
    opt_out_rule = {"US": "US-07", "AU": "AU-01", "GB": "UK-04"}.get(country, "OPT-OUT")
    if endpoint.do_not_contact:
        findings.append(_block(opt_out_rule, f"The person asked us not to use {what}."))
    texted_or_dialled = channel is Channel.SMS or (channel is Channel.CALL and automated)
    if endpoint.consent is Consent.REVOKED and texted_or_dialled:
        since = f" on {endpoint.consent_on.isoformat()}" if endpoint.consent_on else ""
        findings.append(
            _block(
                "US-24" if country == "US" else opt_out_rule,
                f"Consent to texts and automated calls to {what} was revoked{since}.",
            )
        )
    if country != "US":
        return findings
    findings += _us_workplace(endpoint, channel, what)
    if channel is Channel.EMAIL:
        findings += _us_email(endpoint, on, what)
    if texted_or_dialled:
        findings += _us_consent(endpoint, channel, what)
    if channel is Channel.SMS:
        findings += _us_sms_freshness(endpoint, on, what)
    return findings


def _us_workplace(endpoint: Endpoint, channel: Channel, what: str) -> list[Finding]:
    if channel is Channel.EMAIL and endpoint.employer_provided:
        return [_block("US-02", f"{what.capitalize()} is provided by the person's employer; do not email it.")]
    if channel in (Channel.CALL, Channel.SMS) and endpoint.no_workplace_contact:
        return [_block("US-02", f"The person may not be contacted at work on {what}.")]
    return []


def _consumer_basis(endpoint: Endpoint) -> bool:
    return (
        endpoint.source is Source.DEBTOR
        or endpoint.consent is Consent.GRANTED
        or endpoint.last_consumer_use_on is not None
    )


def _us_email(endpoint: Endpoint, on: date, what: str) -> list[Finding]:
    if endpoint.caused_disclosure:
        return [
            _block("US-06", f"An email to {what} once reached someone other than the person; it is not used again.")
        ]
    if _consumer_basis(endpoint):
        return []
    if (
        endpoint.source is Source.PLACEMENT
        and endpoint.creditor_notice_on is not None
        and on >= endpoint.creditor_notice_on + timedelta(days=CREDITOR_OPT_OUT_WINDOW_DAYS)
        and not endpoint.employer_provided
    ):
        return []
    text = (
        f"No safe-harbour basis is recorded for {what}: the person has not used it with us or consented, "
        f"and no creditor notice with a {CREDITOR_OPT_OUT_WINDOW_DAYS}-day opt-out window is recorded as expired."
    )
    return [Finding(Severity.WARN, Reason("US-06", text))]


def _us_consent(endpoint: Endpoint, channel: Channel, what: str) -> list[Finding]:
    if endpoint.consent is Consent.REVOKED:
        return []  # already blocked as revoked
    if endpoint.consent is Consent.GRANTED or endpoint.source in (Source.PLACEMENT, Source.DEBTOR):
        return []
    if channel is Channel.CALL and endpoint.phone_type in ("home", "work"):
        return []  # the TCPA consent rule for autodialled calls covers wireless numbers (an unknown type may be one)
    kind = "A text" if channel is Channel.SMS else "An automated call"
    text = (
        f"{kind} to {what} needs the person's prior express consent; it came from "
        f"{endpoint.source.value.replace('_', ' ')} and no consent is recorded. Dial it by hand or record consent."
    )
    return [_block("US-23", text)]


def _us_sms_freshness(endpoint: Endpoint, on: date, what: str) -> list[Finding]:
    if endpoint.consent is Consent.REVOKED:
        return []
    if endpoint.consent is not Consent.GRANTED and endpoint.last_consumer_use_on is None:
        text = (
            f"Texts to {what} need the person to have texted us from it or consented to texts there; "
            "neither is recorded."
        )
        return [_block("US-06", text)]
    basis = [
        day
        for day in (
            endpoint.last_consumer_use_on,
            endpoint.consent_on if endpoint.consent is Consent.GRANTED else None,
            endpoint.reassigned_check_on,
        )
        if day is not None
    ]
    latest = max(basis) if basis else None
    if latest is not None and (on - latest).days <= SMS_FRESHNESS_DAYS:
        return []
    when = f"the last was on {latest.isoformat()}" if latest else "none is recorded"
    text = (
        f"Texts to {what} need the person's own text or consent, or a clean reassigned-numbers check, "
        f"within the last {SMS_FRESHNESS_DAYS} days; {when}."
    )
    return [_block("US-06", text)]
