"""Whether a phone number or email address may be used, from its provenance (US-02, US-06, US-07, US-23, US-24)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.compliance.endpoints import (
    CREDITOR_OPT_OUT_WINDOW_DAYS,
    SMS_FRESHNESS_DAYS,
    Consent,
    Endpoint,
    Source,
    endpoint_findings,
)
from recoup.core.compliance.model import Channel, Finding, Severity

ON = date(2026, 6, 10)
NUMBER = "+12025550143"
ADDRESS = "pat@example.com"


def phone(**changes: Any) -> Endpoint:
    """A mobile number the person gave us, with consent to texts given nine days ago: clean for everything."""
    base = Endpoint(
        kind="phone",
        value=NUMBER,
        source=Source.DEBTOR,
        obtained_on=date(2026, 1, 5),
        phone_type="mobile",
        consent=Consent.GRANTED,
        consent_on=date(2026, 6, 1),
    )
    return replace(base, **changes)


def email(**changes: Any) -> Endpoint:
    """An address the person gave us: clean for email."""
    base = Endpoint(kind="email", value=ADDRESS, source=Source.DEBTOR, obtained_on=date(2026, 1, 5))
    return replace(base, **changes)


def rules(findings: list[Finding]) -> list[tuple[str, Severity]]:
    return [(f.reason.rule, f.severity) for f in findings]


def us(endpoint: Endpoint, channel: Channel, on: date = ON, *, automated: bool = False) -> list[Finding]:
    return endpoint_findings(endpoint, channel, on, country="US", automated=automated)


BLOCK = Severity.BLOCK
WARN = Severity.WARN


class TestChannelAndEndpointKind:
    @pytest.mark.parametrize(
        ("endpoint", "channel"),
        [
            (email(), Channel.CALL),
            (email(), Channel.SMS),
            (phone(), Channel.EMAIL),
            (phone(), Channel.LETTER),
            (email(), Channel.LETTER),
            (phone(), Channel.VISIT),
            (email(), Channel.VISIT),
        ],
    )
    @pytest.mark.parametrize("country", ["US", "AU", "GB"])
    def test_a_channel_that_does_not_use_the_endpoint_kind_is_an_error(
        self, endpoint: Endpoint, channel: Channel, country: str
    ) -> None:
        with pytest.raises(ValueError, match=f"a {channel.value} cannot go to a"):
            endpoint_findings(endpoint, channel, ON, country=country)

    def test_the_error_names_the_endpoint(self) -> None:
        with pytest.raises(ValueError, match=r"^contact_point: a email cannot go to a phone number \+12025550143$"):
            us(phone(), Channel.EMAIL)

    @pytest.mark.parametrize(
        ("endpoint", "channel"), [(phone(), Channel.CALL), (phone(), Channel.SMS), (email(), Channel.EMAIL)]
    )
    def test_clean_endpoints_have_no_findings(self, endpoint: Endpoint, channel: Channel) -> None:
        assert us(endpoint, channel) == []
        assert us(endpoint, channel, automated=True) == []

    def test_describe(self) -> None:
        assert phone().describe() == "phone number +12025550143"
        assert email().describe() == "email address pat@example.com"


class TestOptOutAndRevocation:
    @pytest.mark.parametrize(
        ("endpoint", "channel"), [(phone(), Channel.CALL), (phone(), Channel.SMS), (email(), Channel.EMAIL)]
    )
    def test_an_endpoint_the_person_asked_us_not_to_use_is_blocked_under_us_07(
        self, endpoint: Endpoint, channel: Channel
    ) -> None:
        findings = us(replace(endpoint, do_not_contact=True), channel)
        assert rules(findings) == [("US-07", BLOCK)]
        assert findings[0].reason.text == f"The person asked us not to use {endpoint.describe()}."
        assert findings[0].until is None

    def test_revoked_consent_blocks_a_text_under_us_24_and_nothing_else(self) -> None:
        findings = us(phone(consent=Consent.REVOKED, consent_on=date(2026, 5, 1)), Channel.SMS)
        assert rules(findings) == [("US-24", BLOCK)]
        assert findings[0].reason.text == (
            "Consent to texts and automated calls to phone number +12025550143 was revoked on 2026-05-01."
        )
        assert findings[0].until is None

    def test_revocation_without_a_date_says_so_without_one(self) -> None:
        findings = us(phone(consent=Consent.REVOKED, consent_on=None), Channel.SMS)
        assert findings[0].reason.text == (
            "Consent to texts and automated calls to phone number +12025550143 was revoked."
        )

    def test_revoked_consent_blocks_an_automated_call(self) -> None:
        findings = us(phone(consent=Consent.REVOKED, consent_on=date(2026, 5, 1)), Channel.CALL, automated=True)
        assert rules(findings) == [("US-24", BLOCK)]

    def test_revoked_consent_does_not_block_a_manual_call(self) -> None:
        assert us(phone(consent=Consent.REVOKED, consent_on=date(2026, 5, 1)), Channel.CALL) == []

    def test_revoked_consent_on_a_skip_traced_number_does_not_block_a_manual_call(self) -> None:
        endpoint = phone(source=Source.SKIP_TRACE, consent=Consent.REVOKED, consent_on=date(2026, 5, 1))
        assert us(endpoint, Channel.CALL) == []

    def test_revoked_consent_does_not_concern_email(self) -> None:
        assert us(email(consent=Consent.REVOKED, consent_on=date(2026, 5, 1)), Channel.EMAIL) == []

    def test_opt_out_and_revocation_are_both_reported(self) -> None:
        endpoint = phone(do_not_contact=True, consent=Consent.REVOKED, consent_on=date(2026, 5, 1))
        assert rules(us(endpoint, Channel.SMS)) == [("US-07", BLOCK), ("US-24", BLOCK)]
        assert rules(us(endpoint, Channel.CALL)) == [("US-07", BLOCK)]


class TestOtherCountries:
    @pytest.mark.parametrize(("country", "rule"), [("AU", "AU-01"), ("GB", "UK-04"), ("NZ", "OPT-OUT")])
    def test_opt_out_and_revocation_cite_the_local_rule(self, country: str, rule: str) -> None:
        endpoint = phone(do_not_contact=True, consent=Consent.REVOKED, consent_on=date(2026, 5, 1))
        findings = endpoint_findings(endpoint, Channel.SMS, ON, country=country)
        assert rules(findings) == [(rule, BLOCK), (rule, BLOCK)]
        assert findings[1].reason.text.endswith("was revoked on 2026-05-01.")

    @pytest.mark.parametrize("country", ["AU", "GB", "NZ"])
    def test_revoked_consent_outside_the_us_blocks_automated_calls_but_not_manual_ones(self, country: str) -> None:
        endpoint = phone(consent=Consent.REVOKED, consent_on=date(2026, 5, 1))
        assert len(endpoint_findings(endpoint, Channel.CALL, ON, country=country, automated=True)) == 1
        assert endpoint_findings(endpoint, Channel.CALL, ON, country=country) == []

    @pytest.mark.parametrize("country", ["AU", "GB", "NZ"])
    def test_us_provenance_rules_do_not_apply(self, country: str) -> None:
        skip_traced = phone(
            source=Source.SKIP_TRACE, consent=Consent.UNKNOWN, consent_on=None, no_workplace_contact=True
        )
        assert endpoint_findings(skip_traced, Channel.SMS, ON, country=country) == []
        assert endpoint_findings(skip_traced, Channel.CALL, ON, country=country, automated=True) == []
        risky_email = email(source=Source.SKIP_TRACE, employer_provided=True, caused_disclosure=True)
        assert endpoint_findings(risky_email, Channel.EMAIL, ON, country=country) == []

    def test_the_us_rule_ids_are_only_used_for_the_us(self) -> None:
        endpoint = phone(do_not_contact=True)
        assert rules(endpoint_findings(endpoint, Channel.CALL, ON, country="US")) == [("US-07", BLOCK)]
        assert rules(endpoint_findings(endpoint, Channel.CALL, ON, country="AU")) == [("AU-01", BLOCK)]


class TestWorkplace:
    def test_an_employer_email_address_is_blocked_under_us_02(self) -> None:
        findings = us(email(employer_provided=True), Channel.EMAIL)
        assert rules(findings) == [("US-02", BLOCK)]
        assert findings[0].reason.text == (
            "Email address pat@example.com is provided by the person's employer; do not email it."
        )
        assert findings[0].until is None

    def test_an_employer_address_from_the_creditor_gets_no_creditor_safe_harbour(self) -> None:
        endpoint = email(source=Source.PLACEMENT, employer_provided=True, creditor_notice_on=date(2026, 1, 1))
        assert rules(us(endpoint, Channel.EMAIL)) == [("US-02", BLOCK), ("US-06", WARN)]

    @pytest.mark.parametrize(
        ("channel", "automated"), [(Channel.CALL, False), (Channel.CALL, True), (Channel.SMS, False)]
    )
    def test_a_work_number_the_person_may_not_be_called_on_is_blocked(self, channel: Channel, automated: bool) -> None:
        findings = us(phone(phone_type="work", no_workplace_contact=True), channel, automated=automated)
        assert rules(findings) == [("US-02", BLOCK)]
        assert findings[0].reason.text == "The person may not be contacted at work on phone number +12025550143."

    def test_the_workplace_flag_on_an_email_address_does_not_block_email(self) -> None:
        assert us(email(no_workplace_contact=True), Channel.EMAIL) == []

    def test_the_employer_flag_on_a_phone_does_not_block_calls(self) -> None:
        assert us(phone(employer_provided=True), Channel.CALL) == []


class TestEmailSafeHarbour:
    def test_an_address_that_caused_a_disclosure_is_blocked_even_with_consent(self) -> None:
        findings = us(email(consent=Consent.GRANTED, caused_disclosure=True), Channel.EMAIL)
        assert rules(findings) == [("US-06", BLOCK)]
        assert findings[0].reason.text == (
            "An email to email address pat@example.com once reached someone other than the person; "
            "it is not used again."
        )

    @pytest.mark.parametrize(
        "endpoint",
        [
            email(source=Source.DEBTOR),
            email(source=Source.PLACEMENT, consent=Consent.GRANTED),
            email(source=Source.SKIP_TRACE, last_consumer_use_on=date(2025, 1, 2)),
        ],
        ids=["given-by-the-person", "consented", "used-by-the-person"],
    )
    def test_a_consumer_basis_is_a_safe_harbour(self, endpoint: Endpoint) -> None:
        assert us(endpoint, Channel.EMAIL) == []

    @pytest.mark.parametrize("source", [Source.PLACEMENT, Source.SKIP_TRACE, Source.OFFICER])
    def test_without_a_basis_the_email_is_allowed_with_a_warning(self, source: Source) -> None:
        findings = us(email(source=source), Channel.EMAIL)
        assert rules(findings) == [("US-06", WARN)]
        assert findings[0].until is None
        assert findings[0].reason.text == (
            "No safe-harbour basis is recorded for email address pat@example.com: the person has not used it "
            "with us or consented, and no creditor notice with a 35-day opt-out window is recorded as expired."
        )

    @pytest.mark.parametrize(("days_after_notice", "warned"), [(0, True), (34, True), (35, False), (36, False)])
    def test_the_creditor_opt_out_window_is_35_days(self, days_after_notice: int, warned: bool) -> None:
        notice = date(2026, 5, 6)
        on = notice + timedelta(days=days_after_notice)
        findings = us(email(source=Source.PLACEMENT, creditor_notice_on=notice), Channel.EMAIL, on)
        assert rules(findings) == ([("US-06", WARN)] if warned else [])

    def test_the_window_boundary_in_real_dates(self) -> None:
        endpoint = email(source=Source.PLACEMENT, creditor_notice_on=date(2026, 1, 30))
        assert rules(us(endpoint, Channel.EMAIL, date(2026, 3, 5))) == [("US-06", WARN)]
        assert us(endpoint, Channel.EMAIL, date(2026, 3, 6)) == []

    def test_a_creditor_notice_only_helps_an_address_the_creditor_gave_us(self) -> None:
        endpoint = email(source=Source.SKIP_TRACE, creditor_notice_on=date(2026, 1, 1))
        assert rules(us(endpoint, Channel.EMAIL)) == [("US-06", WARN)]

    def test_email_has_no_sms_freshness_or_tcpa_rule(self) -> None:
        endpoint = email(source=Source.SKIP_TRACE, last_consumer_use_on=date(2020, 1, 1))
        assert us(endpoint, Channel.EMAIL, automated=True) == []


class TestSmsFreshness:
    @pytest.mark.parametrize(("days_ago", "blocked"), [(0, False), (59, False), (60, False), (61, True), (400, True)])
    def test_the_persons_last_text_must_be_at_most_60_days_old(self, days_ago: int, blocked: bool) -> None:
        last = ON - timedelta(days=days_ago)
        endpoint = phone(consent=Consent.UNKNOWN, consent_on=None, last_consumer_use_on=last)
        assert rules(us(endpoint, Channel.SMS)) == ([("US-06", BLOCK)] if blocked else [])

    @pytest.mark.parametrize(("days_ago", "blocked"), [(60, False), (61, True)])
    def test_consent_must_be_at_most_60_days_old(self, days_ago: int, blocked: bool) -> None:
        endpoint = phone(consent_on=ON - timedelta(days=days_ago))
        assert rules(us(endpoint, Channel.SMS)) == ([("US-06", BLOCK)] if blocked else [])

    def test_day_60_and_61_in_real_dates(self) -> None:
        endpoint = phone(consent=Consent.UNKNOWN, consent_on=None, last_consumer_use_on=date(2026, 4, 11))
        assert us(endpoint, Channel.SMS, date(2026, 6, 10)) == []
        findings = us(endpoint, Channel.SMS, date(2026, 6, 11))
        assert rules(findings) == [("US-06", BLOCK)]
        assert findings[0].until is None
        assert findings[0].reason.text == (
            "Texts to phone number +12025550143 need the person's own text or consent, or a clean "
            "reassigned-numbers check, within the last 60 days; the last was on 2026-04-11."
        )

    def test_a_clean_reassigned_numbers_check_refreshes_an_old_consent(self) -> None:
        endpoint = phone(consent_on=date(2025, 1, 2), reassigned_check_on=ON - timedelta(days=SMS_FRESHNESS_DAYS))
        assert us(endpoint, Channel.SMS) == []
        stale = replace(endpoint, reassigned_check_on=ON - timedelta(days=SMS_FRESHNESS_DAYS + 1))
        assert rules(us(stale, Channel.SMS)) == [("US-06", BLOCK)]

    def test_the_latest_of_text_consent_and_check_counts(self) -> None:
        endpoint = phone(
            consent_on=date(2025, 3, 1), last_consumer_use_on=date(2026, 5, 30), reassigned_check_on=date(2025, 9, 1)
        )
        assert us(endpoint, Channel.SMS) == []
        text = rules(us(endpoint, Channel.SMS, date(2026, 7, 30)))
        assert text == [("US-06", BLOCK)]
        assert us(endpoint, Channel.SMS, date(2026, 7, 30))[0].reason.text.endswith("the last was on 2026-05-30.")

    def test_a_consent_date_only_counts_while_consent_is_granted(self) -> None:
        endpoint = phone(consent=Consent.UNKNOWN, consent_on=ON)
        findings = us(endpoint, Channel.SMS)
        assert rules(findings) == [("US-06", BLOCK)]
        assert findings[0].reason.text.endswith("or consented to texts there; neither is recorded.")

    def test_no_record_at_all_is_blocked(self) -> None:
        findings = us(phone(consent_on=None), Channel.SMS)
        assert rules(findings) == [("US-06", BLOCK)]
        assert findings[0].reason.text.endswith("none is recorded.")

    def test_freshness_does_not_apply_to_calls(self) -> None:
        endpoint = phone(consent_on=date(2020, 1, 1))
        assert us(endpoint, Channel.CALL) == []
        assert us(endpoint, Channel.CALL, automated=True) == []

    def test_a_reassigned_check_without_any_consumer_text_or_consent_is_not_enough(self) -> None:
        endpoint = phone(source=Source.PLACEMENT, consent=Consent.UNKNOWN, consent_on=None, reassigned_check_on=ON)
        assert rules(us(endpoint, Channel.SMS)) == [("US-06", BLOCK)]


class TestTcpaConsent:
    def test_an_automated_call_to_a_skip_traced_mobile_is_blocked(self) -> None:
        endpoint = phone(source=Source.SKIP_TRACE, consent=Consent.UNKNOWN, consent_on=None)
        findings = us(endpoint, Channel.CALL, automated=True)
        assert rules(findings) == [("US-23", BLOCK)]
        assert findings[0].until is None
        assert findings[0].reason.text.endswith(
            "automated call to phone number +12025550143 needs the person's prior express consent; it came "
            "from skip trace and no consent is recorded. Dial it by hand or record consent."
        )

    def test_a_manual_call_to_a_skip_traced_mobile_is_allowed(self) -> None:
        endpoint = phone(source=Source.SKIP_TRACE, consent=Consent.UNKNOWN, consent_on=None)
        assert us(endpoint, Channel.CALL) == []

    @pytest.mark.parametrize("phone_type", ["home", "work"])
    def test_an_automated_call_to_a_skip_traced_landline_is_not_a_tcpa_matter(self, phone_type: str) -> None:
        endpoint = phone(source=Source.SKIP_TRACE, phone_type=phone_type, consent=Consent.UNKNOWN, consent_on=None)
        assert us(endpoint, Channel.CALL, automated=True) == []

    def test_a_text_to_a_skip_traced_number_needs_consent_and_freshness(self) -> None:
        endpoint = phone(source=Source.SKIP_TRACE, consent=Consent.UNKNOWN, consent_on=None)
        findings = us(endpoint, Channel.SMS)
        assert rules(findings) == [("US-23", BLOCK), ("US-06", BLOCK)]
        assert findings[0].reason.text.startswith("A text to phone number +12025550143 needs")

    def test_an_officer_entered_number_is_treated_like_a_skip_traced_one(self) -> None:
        endpoint = phone(source=Source.OFFICER, consent=Consent.UNKNOWN, consent_on=None)
        findings = us(endpoint, Channel.CALL, automated=True)
        assert rules(findings) == [("US-23", BLOCK)]
        assert "it came from officer and" in findings[0].reason.text

    @pytest.mark.parametrize("source", [Source.PLACEMENT, Source.DEBTOR])
    def test_a_number_given_with_the_debt_counts_as_consent(self, source: Source) -> None:
        endpoint = phone(source=source, consent=Consent.UNKNOWN, consent_on=None)
        assert us(endpoint, Channel.CALL, automated=True) == []

    def test_recorded_consent_lifts_the_skip_trace_block(self) -> None:
        endpoint = phone(source=Source.SKIP_TRACE, consent=Consent.GRANTED, consent_on=date(2026, 6, 1))
        assert us(endpoint, Channel.CALL, automated=True) == []
        assert us(endpoint, Channel.SMS) == []

    def test_an_automated_call_to_a_skip_traced_number_of_unknown_type_is_blocked(self) -> None:
        endpoint = phone(source=Source.SKIP_TRACE, phone_type="", consent=Consent.UNKNOWN, consent_on=None)
        assert rules(us(endpoint, Channel.CALL, automated=True)) == [("US-23", BLOCK)]


# Properties over random provenance records.

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
OPTIONAL_DAYS = st.none() | DAYS


@st.composite
def endpoints(draw: st.DrawFn, kind: str | None = None) -> Endpoint:
    return Endpoint(
        kind=kind or draw(st.sampled_from(["phone", "email"])),
        value=NUMBER,
        source=draw(st.sampled_from(list(Source))),
        obtained_on=draw(DAYS),
        phone_type=draw(st.sampled_from(["", "mobile", "home", "work"])),
        consent=draw(st.sampled_from(list(Consent))),
        consent_on=draw(OPTIONAL_DAYS),
        last_consumer_use_on=draw(OPTIONAL_DAYS),
        reassigned_check_on=draw(OPTIONAL_DAYS),
        creditor_notice_on=draw(OPTIONAL_DAYS),
        employer_provided=draw(st.booleans()),
        no_workplace_contact=draw(st.booleans()),
        caused_disclosure=draw(st.booleans()),
        do_not_contact=draw(st.booleans()),
    )


def channel_for(endpoint: Endpoint, data: st.DataObject) -> Channel:
    if endpoint.kind == "email":
        return Channel.EMAIL
    return data.draw(st.sampled_from([Channel.CALL, Channel.SMS]))


class TestProperties:
    @given(
        endpoint=endpoints(), data=st.data(), on=DAYS, automated=st.booleans(), country=st.sampled_from(["AU", "GB"])
    )
    def test_other_countries_only_get_opt_out_and_revocation(
        self, endpoint: Endpoint, data: st.DataObject, on: date, automated: bool, country: str
    ) -> None:
        channel = channel_for(endpoint, data)
        findings = endpoint_findings(endpoint, channel, on, country=country, automated=automated)
        revoked = endpoint.consent is Consent.REVOKED and (
            channel is Channel.SMS or (channel is Channel.CALL and automated)
        )
        expected = int(endpoint.do_not_contact) + int(revoked)
        rule = {"AU": "AU-01", "GB": "UK-04"}[country]
        assert rules(findings) == [(rule, BLOCK)] * expected

    @given(endpoint=endpoints(kind="phone"), on=DAYS)
    def test_a_manual_call_only_meets_the_opt_out_and_workplace_rules(self, endpoint: Endpoint, on: date) -> None:
        expected = [("US-07", BLOCK)] * endpoint.do_not_contact + [("US-02", BLOCK)] * endpoint.no_workplace_contact
        assert rules(us(endpoint, Channel.CALL, on)) == expected

    @given(endpoint=endpoints(), data=st.data(), on=DAYS, automated=st.booleans())
    def test_every_finding_is_a_block_with_no_cure_by_time_except_the_email_warning(
        self, endpoint: Endpoint, data: st.DataObject, on: date, automated: bool
    ) -> None:
        channel = channel_for(endpoint, data)
        findings = us(endpoint, channel, on, automated=automated)
        assert all(f.until is None for f in findings)
        warnings = [f for f in findings if f.severity is WARN]
        assert [f.reason.rule for f in warnings] in ([], ["US-06"])
        if warnings:
            assert channel is Channel.EMAIL
        assert len({f.reason.rule for f in findings}) == len(findings)

    @given(endpoint=endpoints(kind="phone"), on=DAYS, later=st.integers(min_value=1, max_value=800))
    def test_a_text_blocked_today_stays_blocked_later(self, endpoint: Endpoint, on: date, later: int) -> None:
        today = rules(us(endpoint, Channel.SMS, on))
        afterwards = rules(us(endpoint, Channel.SMS, on + timedelta(days=later)))
        assert set(today) <= set(afterwards)
        assert len(afterwards) - len(today) in (0, 1)

    @given(endpoint=endpoints(kind="phone"), on=DAYS)
    def test_an_allowed_text_has_a_basis_at_most_60_days_old(self, endpoint: Endpoint, on: date) -> None:
        if us(endpoint, Channel.SMS, on) == []:
            days = [endpoint.last_consumer_use_on, endpoint.reassigned_check_on]
            if endpoint.consent is Consent.GRANTED:
                days.append(endpoint.consent_on)
            recorded = [d for d in days if d is not None]
            assert recorded
            assert (on - max(recorded)).days <= SMS_FRESHNESS_DAYS
            assert endpoint.consent is not Consent.REVOKED
            assert not endpoint.do_not_contact

    @given(notice=DAYS, offset=st.integers(min_value=-30, max_value=400))
    def test_a_creditor_address_is_warned_exactly_inside_the_window(self, notice: date, offset: int) -> None:
        on = notice + timedelta(days=offset)
        findings = us(email(source=Source.PLACEMENT, creditor_notice_on=notice), Channel.EMAIL, on)
        assert rules(findings) == ([("US-06", WARN)] if offset < CREDITOR_OPT_OUT_WINDOW_DAYS else [])
