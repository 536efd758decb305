"""Time-barred disclosures (US-16): the table, the firm's wording, the content rule that requires the
disclosure in a collection message on a time-barred debt, and its place on the front of a message."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from recoup.core.compliance import (
    DISCLOSURES,
    Channel,
    InvalidDisclosure,
    Itemization,
    MessageFacts,
    Severity,
    ValidationNotice,
    content_problems,
    has_disclosure,
    may_be_reported,
    render_notice,
    required_wording,
    time_barred_disclosure,
    with_disclosure,
)
from recoup.core.compliance.disclosures import NEW_YORK_TEXT, parse_overrides
from recoup.core.compliance.limitation import PERIODS
from recoup.core.money import Money

FROM_COLLECTOR = "This communication is from a debt collector."
BODY = f"Dear Ana,\n\nYour account has 480.00 USD outstanding. Call us to agree a plan.\n\n{FROM_COLLECTOR}"
UK_TEXT = (
    "This debt is statute barred: we cannot take you to court for it. You are not legally obliged to pay "
    "it, and you may still choose to."
)


def ny(**changes: Any) -> MessageFacts:
    """A collection letter from a third-party collector to a New York debtor on a time-barred debt."""
    base = MessageFacts(
        channel=Channel.LETTER,
        country="US",
        third_party_collector=True,
        initial_communication=False,
        time_barred=True,
        validation_period_ends=None,
        sent_on=date(2026, 12, 1),
        region="NY",
    )
    return replace(base, **changes)


def disclosure_problems(text: str, facts: MessageFacts) -> list[str]:
    return [
        problem.text
        for problem in content_problems(text, facts)
        if problem.severity is Severity.BLOCK and "requires a disclosure" in problem.text
    ]


def blocks(text: str, facts: MessageFacts) -> list[tuple[str, str]]:
    return [(p.rule, p.text) for p in content_problems(text, facts) if p.severity is Severity.BLOCK]


class TestTheTable:
    def test_new_york_requires_its_disclosure_from_collectors_with_the_regulation_cited(self) -> None:
        entry = DISCLOSURES[("US", "NY")]
        assert (entry.rule, entry.place, entry.collectors_only) == ("US-16", "New York", True)
        assert "23 NYCRR 1.3" in entry.citation
        assert not entry.verified  # taken from secondary sources: docs/compliance.md says verify
        assert entry.text.startswith("We are required by regulation of the New York State Department")
        assert "will NOT sue you" in entry.text  # CPLR 214-i: nothing revives a New York consumer-credit debt

    def test_every_entry_is_where_recoup_knows_the_period_and_the_debt_survives_it(self) -> None:
        for (country, region), entry in DISCLOSURES.items():
            period = PERIODS.get((country, region)) or PERIODS[(country, "")]
            assert not period[2], f"{country}-{region}: a debt there is extinguished, not time-barred"
            assert entry.text.strip()
            assert entry.citation.strip()
            assert "{{" not in entry.text

    def test_england_and_australia_ship_no_wording_because_their_law_sets_none(self) -> None:
        assert required_wording(ny(country="GB", region="ENG")) == ""
        assert required_wording(ny(country="AU", region="VIC")) == ""


class TestWhichMessagesNeedIt:
    def test_a_collection_letter_email_or_text_on_a_time_barred_new_york_debt(self) -> None:
        for channel in (Channel.LETTER, Channel.EMAIL, Channel.SMS):
            assert required_wording(ny(channel=channel)) == NEW_YORK_TEXT

    @pytest.mark.parametrize(
        "changes",
        [
            {"time_barred": False},  # still within the limitation period
            {"third_party_collector": False},  # 23 NYCRR Part 1 binds collectors and debt buyers
            {"region": "NJ"},  # no disclosure known there
            {"channel": Channel.CALL},
            {"purpose": "statement"},  # may not ask for payment at all (NO-PAY-REQUEST)
            {"purpose": "opt_out_confirmation"},
        ],
    )
    def test_not_other_messages(self, changes: dict[str, Any]) -> None:
        facts = ny(**changes)
        assert time_barred_disclosure(facts) is None
        assert disclosure_problems(BODY, facts) == []


class TestTheContentRule:
    def test_a_message_without_it_is_blocked_naming_the_rule_the_law_and_what_is_missing(self) -> None:
        found = blocks(BODY, ny())
        assert [rule for rule, _ in found] == ["US-16"]
        text = found[0][1]
        assert "New York requires a disclosure in every collection letter" in text
        assert "23 NYCRR 1.3" in text
        assert '"We are required by regulation of the New York State Department of Financial Services' in text

    def test_the_disclosure_rewrapped_recased_or_with_curly_quotes_counts(self) -> None:
        wrapped = NEW_YORK_TEXT.replace(" ", "\n", 7).upper().replace("'", "\u2019")
        assert blocks(f"{wrapped}\n\n{BODY}", ny()) == []

    def test_its_talk_of_suits_and_courts_is_not_a_legal_threat_but_a_threat_beside_it_is(self) -> None:
        assert blocks(with_disclosure(BODY, NEW_YORK_TEXT), ny()) == []
        threat = with_disclosure(BODY + "\n\nPay now or we will take you to court.", NEW_YORK_TEXT)
        found = blocks(threat, ny())
        assert [rule for rule, _ in found] == ["US-16"]
        assert "must not threaten legal action" in found[0][1]
        assert '"court"' in found[0][1]

    def test_part_of_the_disclosure_is_not_the_disclosure(self) -> None:
        half = NEW_YORK_TEXT[: len(NEW_YORK_TEXT) // 2]
        assert [rule for rule, _ in blocks(f"{half}\n\n{BODY}", ny())][:1] == ["US-16"]
        assert disclosure_problems(f"{half}\n\n{BODY}", ny())


class TestInsertion:
    def test_it_goes_first_and_never_twice(self) -> None:
        once = with_disclosure(BODY, NEW_YORK_TEXT)
        assert once.startswith(NEW_YORK_TEXT + "\n\n")
        assert once.endswith(BODY)
        assert with_disclosure(once, NEW_YORK_TEXT) == once
        rewrapped = NEW_YORK_TEXT.replace(". ", ".\n") + "\n\n" + BODY
        assert with_disclosure(rewrapped, NEW_YORK_TEXT) == rewrapped
        assert has_disclosure(rewrapped, NEW_YORK_TEXT)

    def test_nothing_is_added_when_nothing_is_needed(self) -> None:
        assert with_disclosure(BODY, "") == BODY

    def test_it_stands_on_the_front_of_the_validation_notice(self) -> None:
        usd, zero = Money.of("250.00", "USD"), Money.of("0", "USD")
        notice = ValidationNotice(
            collector_name="ABC Recovery",
            collector_address="1 Main St|Albany, NY 12207",
            consumer_name="Jo Smith",
            consumer_address="2 Elm Rd|Troy, NY 12180",
            creditor_on_itemization_date="Big Bank",
            account_number="****1234",
            current_creditor="Big Bank",
            itemization=Itemization(date(2021, 1, 2), usd, zero, zero, zero, zero, usd),
            sent_on=date(2026, 12, 1),
        )
        plain = render_notice(notice)
        assert NEW_YORK_TEXT not in plain
        text = render_notice(notice, time_barred_disclosure=NEW_YORK_TEXT)
        assert text.index("Troy, NY 12180") < text.index(NEW_YORK_TEXT) < text.index("ABC Recovery is a debt collector")
        assert text.count(NEW_YORK_TEXT) == 1
        facts = ny(initial_communication=True, validation_period_ends=notice.validation_end)
        assert blocks(text, facts) == []
        assert [rule for rule, _ in blocks(plain, facts)] == ["US-16"]


# Any message on a time-barred New York debt either carries the disclosure or is blocked; and once
# Recoup has put it on the front, the disclosure rule never blocks it.
WORDS = st.sampled_from(
    [
        "Dear",
        "Ana",
        "pay",
        "balance",
        "court",
        "sue",
        "we",
        "will",
        "not",
        "statute",
        "of",
        "limitations",
        "\n\n",
        "New",
        "York",
        NEW_YORK_TEXT[:120],
        NEW_YORK_TEXT[120:],
        NEW_YORK_TEXT,
        NEW_YORK_TEXT.upper(),
        FROM_COLLECTOR,
    ]
)


@given(st.lists(WORDS, max_size=25).map(" ".join), st.sampled_from([Channel.LETTER, Channel.EMAIL, Channel.SMS]))
@example(NEW_YORK_TEXT[:120] + " " + NEW_YORK_TEXT[120:], Channel.LETTER)
def test_a_message_on_a_time_barred_new_york_debt_carries_the_disclosure_or_is_blocked(
    text: str, channel: Channel
) -> None:
    facts = ny(channel=channel)
    carries = has_disclosure(text, NEW_YORK_TEXT)
    assert carries != bool(disclosure_problems(text, facts))
    inserted = with_disclosure(text, required_wording(facts))
    assert has_disclosure(inserted, NEW_YORK_TEXT)
    assert disclosure_problems(inserted, facts) == []
    assert inserted.count(NEW_YORK_TEXT) <= max(text.count(NEW_YORK_TEXT), 1)


class TestTheFirmsWording:
    def test_a_firm_rewords_new_york_and_keeps_its_citation_and_scope(self) -> None:
        table = parse_overrides(json.dumps({"US-NY": {"text": "  Our counsel's approved New York wording.  "}}))
        entry = table[("US", "NY")]
        assert (entry.text, entry.origin, entry.rule) == ("Our counsel's approved New York wording.", "firm", "US-16")
        assert entry.citation == DISCLOSURES[("US", "NY")].citation
        assert entry.collectors_only
        assert entry.by_law  # reworded, still the law's
        facts = ny(disclosures=table)
        assert required_wording(facts) == "Our counsel's approved New York wording."
        assert [rule for rule, _ in blocks(BODY, facts)] == ["US-16"]
        assert blocks(with_disclosure(BODY, required_wording(facts)), facts) == []
        assert DISCLOSURES[("US", "NY")].text == NEW_YORK_TEXT  # the shipped table is untouched

    def test_the_old_wording_is_still_not_read_as_a_threat_after_a_firm_rewords_it(self) -> None:
        table = parse_overrides(json.dumps({"US-NY": {"text": "Our counsel's approved New York wording."}}))
        found = blocks(with_disclosure(BODY, NEW_YORK_TEXT), ny(disclosures=table))
        assert [text for _, text in found if "threaten" in text] == []

    def test_a_firm_adds_a_uk_disclosure_which_is_then_required_under_uk_06(self) -> None:
        table = parse_overrides(json.dumps({"GB": {"text": UK_TEXT, "citation": "firm policy (CONC 7.15)"}}))
        england = ny(country="GB", region="ENG", third_party_collector=False, disclosures=table)
        found = blocks(BODY, england)
        assert [rule for rule, _ in found] == ["UK-06"]
        assert "the firm's policy for England, Wales and Northern Ireland requires a disclosure" in found[0][1]
        assert "firm policy (CONC 7.15)" in found[0][1]
        # The wording says "court" to say there will be none: not a threat.
        assert blocks(with_disclosure(BODY, UK_TEXT), england) == []

    def test_a_wording_for_debts_that_may_still_be_reported(self) -> None:
        table = parse_overrides(
            json.dumps({"US-NY": {"text": "Not reportable wording.", "reportable_text": "Reportable wording."}})
        )
        assert required_wording(ny(disclosures=table, credit_reportable=True)) == "Reportable wording."
        assert required_wording(ny(disclosures=table, credit_reportable=False)) == "Not reportable wording."
        assert required_wording(ny(credit_reportable=False)) == NEW_YORK_TEXT  # New York has one wording

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("{", "not valid JSON"),
            ("[]", "must be a JSON object of jurisdictions"),
            ('{"New York": {"text": "x"}}', "name a jurisdiction as a country code"),
            (
                '{"US-CA": {"text": "x", "citation": "Civ. Code 1788.14(d)"}}',
                "US-CA: Recoup knows no limitation period",
            ),
            ('{"GB-SCT": {"text": "x", "citation": "c"}}', "GB-SCT: a debt there is extinguished"),
            ('{"AU-NSW": {"text": "x", "citation": "c"}}', "AU-NSW: a debt there is extinguished"),
            ('{"US-NY": null}', "US-NY: a disclosure the law requires cannot be removed"),
            ('{"US-NY": "words"}', "US-NY: must be an object"),
            ('{"US-NY": {"text": "   "}}', "US-NY.text: must not be empty"),
            ('{"US-NY": {"text": 5}}', "US-NY.text: must be text"),
            ('{"US-NY": {"text": "Dear {{ debtor_name }}"}}', "US-NY.text: may not contain merge fields"),
            ('{"US-NY": {"text": "x", "wording": "y"}}', "US-NY: unknown field 'wording'"),
            ('{"US-NY": {"text": "x", "collectors_only": "yes"}}', "US-NY.collectors_only: must be true or false"),
            ('{"GB": {"text": "x"}}', "GB.citation: is missing; name the law or firm policy"),
            ('{"US-NY": {}}', "US-NY.text: is missing"),
            (json.dumps({"US-NY": {"text": "x" * 3001}}), "US-NY.text: is 3001 characters long; at most 3000"),
        ],
    )
    def test_bad_settings_are_refused_naming_the_entry_and_the_reason(self, raw: str, message: str) -> None:
        with pytest.raises(InvalidDisclosure, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_overrides(raw)


class TestCreditReporting:
    def test_a_us_debt_may_be_reported_for_seven_years_from_180_days_after_delinquency(self) -> None:
        began = date(2019, 1, 10)  # reportable until 2026-07-09 (2019-07-09 plus 7 years)
        assert may_be_reported(country="US", first_delinquency=began, on=date(2026, 7, 8))
        assert not may_be_reported(country="US", first_delinquency=began, on=date(2026, 7, 9))

    def test_unknown_start_or_law_is_the_wording_that_promises_nothing(self) -> None:
        assert may_be_reported(country="US", first_delinquency=None, on=date(2040, 1, 1))
        assert may_be_reported(country="GB", first_delinquency=date(2000, 1, 1), on=date(2026, 1, 1))
