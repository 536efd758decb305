"""Message content checks (CONTENT mode): opt-outs, mini-Miranda, voicemails, validation period, legal threats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.compliance import (
    OPT_OUT_KEYWORDS,
    Channel,
    ContentProblem,
    Itemization,
    MessageFacts,
    Severity,
    ValidationNotice,
    content_problems,
    is_revocation,
    render_notice,
)
from recoup.core.money import Money

FROM_COLLECTOR = "This communication is from a debt collector."
MINI_MIRANDA = "This is an attempt to collect a debt. Any information obtained will be used for that purpose."
UNSUBSCRIBE = "{{ unsubscribe_url }}"
REPLY_STOP = "Reply STOP to opt out."


def facts(**changes: Any) -> MessageFacts:
    """A later US collection letter from a third-party collector, with no period open and no time bar."""
    base = MessageFacts(
        channel=Channel.LETTER,
        country="US",
        third_party_collector=True,
        initial_communication=False,
        time_barred=False,
        validation_period_ends=None,
        sent_on=date(2026, 11, 2),
    )
    return replace(base, **changes)


def rules(text: str, message: MessageFacts) -> list[tuple[str, Severity]]:
    return [(problem.rule, problem.severity) for problem in content_problems(text, message)]


def only(text: str, message: MessageFacts, rule: str) -> list[ContentProblem]:
    return [problem for problem in content_problems(text, message) if problem.rule == rule]


# US-07: opt-outs in electronic messages.


@pytest.mark.parametrize(
    "opt_out",
    [
        "{{ unsubscribe_url }}",
        "{{unsubscribe_url}}",
        "Unsubscribe: https://mail.example.com/unsubscribe?u=42",
        "Manage mail at HTTP://example.com/Unsubscribe/42",
        '<a href="https://example.com/prefs?u=42">Unsubscribe</a>',
        '<a class="small" href="https://example.com/p/42">click here to unsubscribe</a>',
        "[Unsubscribe from these emails](https://example.com/p/42)",
    ],
)
def test_an_email_with_an_unsubscribe_token_or_link_passes(opt_out: str) -> None:
    assert only(f"{FROM_COLLECTOR}\n\n{opt_out}", facts(channel=Channel.EMAIL), "US-07") == []


@pytest.mark.parametrize(
    "text",
    [
        "Please call us.",
        "To unsubscribe, write to us.",  # the word without a link is not a simple opt-out
        "{{ unsubscribe }}",  # not the merge field
        '<a href="https://example.com/pay">Pay online</a>',
        "[Manage preferences](https://example.com/prefs)",
        "ftp://example.com/unsubscribe",
    ],
)
def test_a_us_email_without_an_opt_out_is_blocked(text: str) -> None:
    (problem,) = only(f"{FROM_COLLECTOR} {text}", facts(channel=Channel.EMAIL), "US-07")
    assert problem.severity == Severity.BLOCK
    assert "unsubscribe" in problem.text


@pytest.mark.parametrize("opt_out", ["Reply STOP to opt out.", "reply stop", "Text STOP to end.", "STOP to opt out"])
def test_a_text_with_a_stop_instruction_passes(opt_out: str) -> None:
    assert only(f"{FROM_COLLECTOR} {opt_out}", facts(channel=Channel.SMS), "US-07") == []


@pytest.mark.parametrize("text", ["Call us back.", "Do not stop reading.", "Reply STOPPING", "{{ unsubscribe_url }}"])
def test_a_us_text_without_a_stop_instruction_is_blocked(text: str) -> None:
    (problem,) = only(f"{FROM_COLLECTOR} {text}", facts(channel=Channel.SMS), "US-07")
    assert problem.severity == Severity.BLOCK
    assert "Reply STOP" in problem.text


def test_an_email_needs_a_link_not_a_stop_keyword() -> None:
    assert rules(f"{FROM_COLLECTOR} {REPLY_STOP}", facts(channel=Channel.EMAIL)) == [("US-07", Severity.BLOCK)]


@pytest.mark.parametrize(("country", "channel"), [("GB", Channel.EMAIL), ("AU", Channel.SMS), ("CA", Channel.SMS)])
def test_outside_the_us_a_missing_opt_out_is_a_firm_warning(country: str, channel: Channel) -> None:
    (problem,) = content_problems("Please call us about your account.", facts(country=country, channel=channel))
    assert (problem.rule, problem.severity) == ("FIRM-OPT-OUT", Severity.WARN)
    assert "firm policy" in problem.text


@pytest.mark.parametrize("channel", [Channel.LETTER, Channel.CALL, Channel.VISIT])
def test_letters_and_calls_need_no_opt_out(channel: Channel) -> None:
    assert only(FROM_COLLECTOR, facts(channel=channel), "US-07") == []


def test_the_opt_out_confirmation_needs_no_opt_out_and_no_mini_miranda() -> None:
    confirmation = facts(channel=Channel.SMS, purpose="opt_out_confirmation")
    assert content_problems("You will receive no more text messages from ABC Recovery.", confirmation) == ()


def test_an_opt_out_confirmation_that_mentions_the_debt_is_warned() -> None:
    confirmation = facts(channel=Channel.SMS, purpose="opt_out_confirmation")
    (problem,) = content_problems("No more texts. Your balance of $120.00 is still due.", confirmation)
    assert (problem.rule, problem.severity) == ("US-07", Severity.WARN)
    assert '"balance"' in problem.text
    assert '"$120.00"' in problem.text


def test_a_long_opt_out_confirmation_is_warned() -> None:
    confirmation = facts(channel=Channel.SMS, purpose="opt_out_confirmation")
    (problem,) = content_problems("You have opted out of texts. " + "Thank you for your time. " * 7, confirmation)
    assert (problem.rule, problem.severity) == ("US-07", Severity.WARN)
    assert "characters" in problem.text


def test_the_purpose_must_be_known() -> None:
    with pytest.raises(ValueError, match="unknown purpose"):
        facts(purpose="marketing")


# US-10: mini-Miranda.


def test_a_first_letter_needs_the_full_mini_miranda() -> None:
    first = facts(initial_communication=True)
    assert only(MINI_MIRANDA, first, "US-10") == []
    (problem,) = only(FROM_COLLECTOR, first, "US-10")
    assert problem.severity == Severity.BLOCK
    assert "attempting to collect a debt" in problem.text
    assert "used for that purpose" in problem.text


def test_a_first_letter_names_only_the_missing_half() -> None:
    (problem,) = only("This is an attempt to collect a debt.", facts(initial_communication=True), "US-10")
    assert "used for that purpose" in problem.text
    assert "attempting to collect" not in problem.text


@pytest.mark.parametrize(
    "text",
    [
        "We are attempting to collect a debt and any information we obtain will be used for that purpose.",
        "THIS IS AN ATTEMPT TO COLLECT A DEBT. ANY INFORMATION OBTAINED WILL BE USED FOR THAT PURPOSE.",
        "This is an attempt to collect a debt.\nAny information\nobtained will be used for that purpose.",
        "ABC is a debt collector. We are trying to collect a debt that you owe to XYZ. "
        "We will use any information you give us to help collect the debt.",
    ],
)
def test_mini_miranda_wording_variants_pass(text: str) -> None:
    assert only(text, facts(initial_communication=True), "US-10") == []


def test_the_model_validation_notice_passes_every_check() -> None:
    usd = Money.of("250.00", "USD")
    zero = Money.of("0", "USD")
    notice = ValidationNotice(
        collector_name="ABC Recovery",
        collector_address="1 Main St|Springfield, IL 62701",
        consumer_name="Jo Smith",
        consumer_address="2 Elm Rd|Springfield, IL 62702",
        creditor_on_itemization_date="Big Bank",
        account_number="****1234",
        current_creditor="Big Bank",
        itemization=Itemization(date(2026, 1, 2), usd, zero, zero, zero, zero, usd),
        sent_on=date(2026, 11, 2),
    )
    message = facts(initial_communication=True, validation_period_ends=notice.validation_end)
    assert content_problems(render_notice(notice), message) == ()


@pytest.mark.parametrize(
    "text",
    [
        "This communication is from a debt collector.",
        "this message is from a licensed debt collector",
        "ABC Recovery is a debt collector.",
        "This is an attempt to collect a debt.",
    ],
)
def test_a_later_message_saying_it_is_from_a_debt_collector_passes(text: str) -> None:
    for channel in (Channel.LETTER, Channel.EMAIL, Channel.SMS):
        assert only(text, facts(channel=channel), "US-10") == []


@pytest.mark.parametrize("channel", [Channel.LETTER, Channel.EMAIL, Channel.SMS])
def test_a_later_message_without_the_disclosure_is_blocked(channel: Channel) -> None:
    (problem,) = only(
        "Please call us about your account. Debt collection is our trade.", facts(channel=channel), "US-10"
    )
    assert problem.severity == Severity.BLOCK
    assert "from a debt collector" in problem.text


@pytest.mark.parametrize(
    "message",
    [
        facts(third_party_collector=False),
        facts(country="GB"),
        facts(channel=Channel.CALL),
        facts(purpose="limited_content_voicemail", channel=Channel.CALL),
    ],
)
def test_no_mini_miranda_for_creditors_other_countries_or_calls(message: MessageFacts) -> None:
    assert only("Please call us.", message, "US-10") == []


# US-09: limited-content voicemail.

VOICEMAIL = facts(channel=Channel.CALL, purpose="limited_content_voicemail")


@pytest.mark.parametrize(
    "script",
    [
        "Hi, this is Ann Lee from ABC Services. Please call me back at (555) 123-4567.",
        "Hello, Ann from ABC calling for Jo. Please return my call on +1 555 123 4567, any time after 9.",
        "Hi, this is {{ agent_name }} from {{ business_name }}. Call me back on {{ callback_phone }}.",
    ],
)
def test_a_limited_content_voicemail_passes(script: str) -> None:
    assert content_problems(script, VOICEMAIL) == ()


@pytest.mark.parametrize(
    ("script", "phrase"),
    [
        ("Ann from ABC about your debt. Call 555-123-4567.", '"debt"'),
        ("Ann from ABC. Your balance is overdue. Call 555-123-4567.", '"balance"'),
        ("Ann from ABC. We need $12.34 from you. Call 555-123-4567.", '"$12.34"'),
        ("Ann from ABC. Please make a payment. Call 555-123-4567.", '"payment"'),
        ("Ann from ABC Collections. Call 555-123-4567.", '"Collections"'),
    ],
)
def test_a_voicemail_that_tells_of_the_debt_is_blocked(script: str, phrase: str) -> None:
    (problem,) = content_problems(script, VOICEMAIL)
    assert (problem.rule, problem.severity) == ("US-09", Severity.BLOCK)
    assert phrase in problem.text


def test_a_voicemail_without_a_phone_number_is_warned() -> None:
    (problem,) = content_problems("Hi, this is Ann from ABC Services. Please call me back.", VOICEMAIL)
    assert (problem.rule, problem.severity) == ("US-09", Severity.WARN)
    assert "phone number" in problem.text


def test_a_voicemail_does_not_read_debt_words_inside_other_words() -> None:
    script = "Hi, this is Ann from Payneham Recollect Services about the paysheet. Call 555-123-4567."
    assert content_problems(script, VOICEMAIL) == ()


# US-14: the open validation period.

OPEN = facts(validation_period_ends=date(2026, 12, 9), sent_on=date(2026, 11, 2))


@pytest.mark.parametrize(
    ("deadline", "quoted"),
    [
        ("2026-12-01", "2026-12-01"),
        ("December 1, 2026", "December 1, 2026"),
        ("1 December 2026", "1 December 2026"),
        ("12/01/2026", "12/01/2026"),
        ("Dec. 1, 2026", "Dec. 1, 2026"),
        ("the 1st of December", "1st of December"),  # no year: the next 1 December after the send date
    ],
)
def test_a_payment_deadline_before_the_validation_end_is_blocked(deadline: str, quoted: str) -> None:
    (problem,) = only(f"{FROM_COLLECTOR} Please pay $200 by {deadline}.", OPEN, "US-14")
    assert problem.severity == Severity.BLOCK
    assert "payment by 1 December 2026" in problem.text
    assert "ends on 9 December 2026" in problem.text
    assert f'"{quoted}" (line 1' in problem.text


@pytest.mark.parametrize("deadline", ["2026-12-09", "December 9, 2026", "2026-12-31", "1 January 2027"])
def test_a_deadline_on_or_after_the_validation_end_passes(deadline: str) -> None:
    assert only(f"{FROM_COLLECTOR} Please pay by {deadline}.", OPEN, "US-14") == []


@pytest.mark.parametrize(
    "text",
    [
        "As of January 2, 2026, you owed $250.",  # the itemization date, not a deadline
        "We wrote to you on 2026-11-20 about the balance.",
        "Our office is closed by 2026-11-26 for Thanksgiving.",  # no payment in the sentence
        "Payment due 2026-02-30.",  # not a date
        "Your last payment was due by 2026-10-01.",  # before the send date: past, not a deadline
    ],
)
def test_dates_that_are_not_payment_deadlines_pass(text: str) -> None:
    assert only(f"{FROM_COLLECTOR} {text}", OPEN, "US-14") == []


def test_a_deadline_is_only_checked_while_the_period_is_open() -> None:
    text = f"{FROM_COLLECTOR} Payment is due by 2026-12-01."
    assert only(text, replace(OPEN, sent_on=date(2026, 12, 10)), "US-14") == []
    assert only(text, replace(OPEN, validation_period_ends=None), "US-14") == []
    assert [p.severity for p in only(text, replace(OPEN, sent_on=None), "US-14")] == [Severity.BLOCK]


def test_a_date_without_a_year_in_an_unscheduled_template_is_read_near_the_validation_end() -> None:
    template = replace(OPEN, sent_on=None)
    (problem,) = only(f"{FROM_COLLECTOR} Please pay by December 1.", template, "US-14")
    assert "payment by 1 December 2026" in problem.text
    assert only(f"{FROM_COLLECTOR} Please pay by December 20.", template, "US-14") == []


@pytest.mark.parametrize("pressure", ["immediately", "Final warning", "within 24 hours", "today or", "or else"])
def test_pressure_words_are_warned_while_the_period_is_open(pressure: str) -> None:
    text = f"{FROM_COLLECTOR} Call us {pressure} about your account."
    (problem,) = only(text, OPEN, "US-14")
    assert problem.severity == Severity.WARN
    assert f'"{pressure}"' in problem.text
    assert only(text, facts(), "US-14") == []


# US-16, AU-05, UK-06: legal threats on a time-barred debt.


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("If you do not pay we will sue you.", "sue"),
        ("You may be SUED.", "SUED"),
        ("We are considering a lawsuit.", "lawsuit"),
        ("We will take legal action.", "legal action"),
        ("We will take you to court.", "court"),
        ("A judgment may be entered against you.", "judgment"),
        ("We may garnish your wages.", "garnish"),
        ("Our attorney will contact you.", "attorney will"),
    ],
)
def test_a_legal_threat_on_a_time_barred_us_debt_is_blocked(text: str, phrase: str) -> None:
    (problem,) = content_problems(f"{FROM_COLLECTOR} {text}", facts(time_barred=True))
    assert (problem.rule, problem.severity) == ("US-16", Severity.BLOCK)
    assert f'"{phrase}"' in problem.text
    assert "line 1" in problem.text


@pytest.mark.parametrize(("country", "rule"), [("AU", "AU-05"), ("GB", "UK-06"), ("NZ", "LIMITATION")])
def test_each_country_cites_its_limitation_rule(country: str, rule: str) -> None:
    threats = only("Our solicitor will start a county court claim.", facts(country=country, time_barred=True), rule)
    assert [p.severity for p in threats] == [Severity.BLOCK]
    assert '"solicitor"' in threats[0].text
    assert '"county court claim"' in threats[0].text


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for your courtesy.",
        "Your new suede shoes are not our concern.",
        "We pursue every issue fairly and the issued statement is attached.",
        "Please ask for Sue on 555-123-4567.",
        "Kind regards,\nSue",
        "Because of the age of your debt, we will not sue you for it.",
        "The law limits how long you can be sued on a debt.",
        "We cannot take you to court.",
        "We will never take legal action against you.",
        "Your state attorney general can help.",
    ],
)
def test_words_that_are_not_threats_pass(text: str) -> None:
    assert only(f"{FROM_COLLECTOR} {text}", facts(time_barred=True), "US-16") == []


def test_a_negation_before_a_different_verb_does_not_excuse_a_threat() -> None:
    (problem,) = only("If you do not pay, we will sue.", facts(time_barred=True), "US-16")
    assert '"sue"' in problem.text


def test_legal_words_are_allowed_when_the_debt_is_not_time_barred() -> None:
    assert only(f"{FROM_COLLECTOR} We may take legal action.", facts(), "US-16") == []


def test_every_threat_is_quoted_with_its_line() -> None:
    (problem,) = only("Hello.\nWe will sue.\nSee you in court.", facts(time_barred=True), "US-16")
    assert '"sue" (line 2' in problem.text
    assert '"court" (line 3' in problem.text


# UK-10: misrepresenting the legal position.

UK = facts(country="GB")


@pytest.mark.parametrize(
    "text", ["Court action has started.", "Court action has been taken.", "Proceedings have been issued against you."]
)
def test_uk_claims_of_court_action_are_blocked(text: str) -> None:
    (problem,) = only(text, UK, "UK-10")
    assert problem.severity == Severity.BLOCK
    assert " ".join(text.split()[:3]) in problem.text


@pytest.mark.parametrize("text", ["Bailiffs may visit your home.", "We will instruct an enforcement agent."])
def test_uk_talk_of_bailiffs_is_warned(text: str) -> None:
    (problem,) = only(text, UK, "UK-10")
    assert problem.severity == Severity.WARN


@pytest.mark.parametrize("text", ["No court action has been taken.", "We will not send bailiffs."])
def test_uk_denials_pass(text: str) -> None:
    assert only(text, UK, "UK-10") == []


def test_uk_phrases_are_not_checked_elsewhere() -> None:
    assert only("Court action has started. Bailiffs may visit.", facts(country="AU"), "UK-10") == []


# UK-11: settlements for less than the balance.


@pytest.mark.parametrize(
    "text",
    [
        "We can accept a reduced amount of £300.",
        "We offer a settlement of £300.",
        "Settle today with a 40% discount.",
    ],
)
def test_a_uk_settlement_without_the_clause_is_warned(text: str) -> None:
    (problem,) = only(text, UK, "UK-11")
    assert problem.severity == Severity.WARN
    assert "still exists" in problem.text
    assert "sold" in problem.text


@pytest.mark.parametrize(
    "text",
    [
        "We offer a settlement of £300. The rest of the debt still exists and may be sold to another company.",
        "We offer a reduced amount of £300 in full and final settlement of the account.",
    ],
)
def test_a_uk_settlement_with_the_clause_or_full_and_final_passes(text: str) -> None:
    assert only(text, UK, "UK-11") == []


def test_a_uk_settlement_missing_half_the_clause_names_that_half() -> None:
    (problem,) = only("We offer a settlement of £300. The remaining balance will remain outstanding.", UK, "UK-11")
    assert "may be sold" in problem.text
    assert "still exists" not in problem.text


def test_settlements_are_not_checked_outside_the_uk() -> None:
    assert only("We offer a settlement of $300.", facts(), "UK-11") == []


# Ordering and properties.


def test_blocks_come_before_warnings() -> None:
    text = "Pay immediately or we will sue."
    severities = [p.severity for p in content_problems(text, replace(OPEN, time_barred=True, channel=Channel.SMS))]
    assert severities == sorted(severities, key=lambda severity: severity != Severity.BLOCK)
    assert severities[-1] == Severity.WARN
    assert Severity.BLOCK in severities


@given(st.text(max_size=300), st.sampled_from(list(Channel)), st.sampled_from(["US", "GB", "AU"]), st.booleans())
def test_any_text_gives_problems_with_rules_and_words(text: str, channel: Channel, country: str, barred: bool) -> None:
    for problem in content_problems(text, facts(channel=channel, country=country, time_barred=barred)):
        assert problem.rule
        assert problem.text.strip()


@given(
    st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=8),
    # "courts" is a legal word itself, in any spelling that folds to it (such as the long s, U+017F).
    st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=8).filter(
        lambda tail: tail.casefold() != "s"
    ),
)
def test_legal_words_inside_longer_words_never_match(head: str, tail: str) -> None:
    text = f"{FROM_COLLECTOR} The {head}sue and court{tail} were seen."
    assert only(text, facts(time_barred=True), "US-16") == []


@given(st.text(max_size=200))
def test_adding_the_unsubscribe_token_always_satisfies_us_07(text: str) -> None:
    assert only(f"{text} {UNSUBSCRIBE}", facts(channel=Channel.EMAIL), "US-07") == []


# US-24: revocation keywords in inbound texts.


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "STOP!!!",
        "'stop'",
        "Stop please",
        "STOP ALL",
        "Stop calling me at work",
        "quit",
        "END",
        "Revoke",
        "opt out",
        "Opt-Out",
        "OPT OUT now",
        "cancel",
        "Unsubscribe",
    ],
)
def test_revocations(text: str) -> None:
    assert is_revocation(text)


@pytest.mark.parametrize(
    "text",
    ["I will not stop paying", "the end of month", "stopping by later", "cancelled", "optout", "", "   ", "ok"],
)
def test_not_revocations(text: str) -> None:
    assert not is_revocation(text)


def test_the_keyword_list_is_the_fcc_list() -> None:
    assert OPT_OUT_KEYWORDS == ("stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe")


@given(
    st.sampled_from(OPT_OUT_KEYWORDS),
    st.sampled_from([str.upper, str.lower, str.title]),
    st.sampled_from(["", ".", "!", "!!", "?"]),
    st.sampled_from(["", " please", " all", " now thanks"]),
)
def test_any_keyword_in_any_case_with_punctuation_revokes(
    keyword: str, case: Callable[[str], str], mark: str, tail: str
) -> None:
    assert is_revocation(f"  {case(keyword)}{mark}{tail} ")


@given(st.sampled_from(OPT_OUT_KEYWORDS), st.sampled_from(["I will not ", "please don't ", "the ", "we "]))
def test_a_keyword_later_in_a_sentence_does_not_revoke(keyword: str, opening: str) -> None:
    assert not is_revocation(f"{opening}{keyword}")


class TestNoPaymentRequest:
    """NO-PAY-REQUEST: a statement, required notice or cease notice may not ask for payment."""

    UK = {"country": "GB", "third_party_collector": False}

    @pytest.mark.parametrize(
        "words",
        [
            "Please pay the balance by 31 March.",
            "You must pay £40 before the next statement.",
            "Make a payment online at any time.",
            "Payment is due on 1 April.",
            "Call us to pay.",
            "Pay online: {{ payment_url }}",
            "Settle your balance today.",
        ],
    )
    @pytest.mark.parametrize("purpose", ["statement", "required_notice", "cease_notice"])
    def test_payment_request_wording_blocks_a_message_of_these_purposes(self, words: str, purpose: str) -> None:
        problems = content_problems(f"Your statement.\n{words}", facts(purpose=purpose, **self.UK))
        blocks = [p for p in problems if p.severity is Severity.BLOCK]
        assert [p.rule for p in blocks] == ["NO-PAY-REQUEST"]
        assert "may not ask for payment" in blocks[0].text

    def test_saying_that_nothing_need_be_paid_is_not_a_request(self) -> None:
        text = "You are in a breathing space: you do not need to pay anything now. The balance was £1,200.00."
        assert content_problems(text, facts(purpose="statement", **self.UK)) == ()

    def test_a_collection_message_may_ask_for_payment(self) -> None:
        assert content_problems("Please pay the balance by 31 March.", facts(purpose="collection", **self.UK)) == ()
