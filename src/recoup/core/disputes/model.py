"""What a dispute or complaint is, the states it moves through, and which moves are allowed.

A **dispute** is about the debt (not mine, wrong amount, already paid, ...); a **complaint** is about
conduct (how we collected). Both share the workflow; only a dispute can stop collection.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    DISPUTE = "dispute"
    COMPLAINT = "complaint"


class Channel(StrEnum):
    """How it reached us. Letter, email, portal, in person and a representative's or a regulator's
    referral are written; a phone call is oral (US-15: only a written dispute stops collection)."""

    LETTER = "letter"
    EMAIL = "email"
    PORTAL = "portal"
    PHONE = "phone"
    IN_PERSON = "in_person"
    REPRESENTATIVE = "representative"
    REGULATOR = "regulator"


WRITTEN_CHANNELS = frozenset(
    {Channel.LETTER, Channel.EMAIL, Channel.PORTAL, Channel.IN_PERSON, Channel.REPRESENTATIVE, Channel.REGULATOR}
)
"""Channels that put the dispute in writing. In person counts as written because Recoup records an
in-person dispute only when it is handed over on paper (Reg F's "hand delivery"); an in-person oral
dispute is recorded as a phone (oral) one."""


class Reason(StrEnum):
    """Why the debt is disputed (Kind.DISPUTE)."""

    NOT_MY_DEBT = "not_my_debt"
    IDENTITY_THEFT = "identity_theft"
    WRONG_AMOUNT = "wrong_amount"
    ALREADY_PAID = "already_paid"
    PAID_ORIGINAL_CREDITOR = "paid_original_creditor"
    BANKRUPTCY_DISCHARGED = "bankruptcy_discharged"
    TIME_BARRED = "time_barred"
    POOR_SERVICE = "poor_service"
    OTHER = "other"


class ComplaintCategory(StrEnum):
    """What a complaint (Kind.COMPLAINT) is about, in categories a manager can map to the regulatory
    returns: the FCA complaints return's debt-collection products and causes, the CFPB portal's
    "debt collection" issues. `other` needs the free text."""

    COMMUNICATION_TACTICS = "communication_tactics"  # CFPB: communication tactics (frequency, hours)
    FALSE_STATEMENTS = "false_statements"  # CFPB: false statements or representation
    THREATENED_ACTION = "threatened_action"  # CFPB: took or threatened negative or legal action
    NOTIFICATION = "notification"  # CFPB: written notification about debt
    PRIVACY = "privacy"  # disclosure to a third party
    ARRANGEMENT_HANDLING = "arrangement_handling"  # FCA: arrears handling, plans refused
    VULNERABILITY = "vulnerability"  # FCA: treatment of a customer in vulnerable circumstances
    FEES_CHARGES = "fees_charges"
    STAFF_CONDUCT = "staff_conduct"
    OTHER = "other"


# Reasons that go to liability or the amount: the ones UK-05 ("valid or possibly valid grounds: not
# the borrower, the debt does not exist, wrong amount") and AU-04 ("not the debtor, never incurred,
# paid or settled") say suspend collection.
LIABILITY_REASONS = frozenset(
    {
        Reason.NOT_MY_DEBT,
        Reason.IDENTITY_THEFT,
        Reason.WRONG_AMOUNT,
        Reason.ALREADY_PAID,
        Reason.PAID_ORIGINAL_CREDITOR,
        Reason.BANKRUPTCY_DISCHARGED,
        Reason.TIME_BARRED,
    }
)


class State(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    AWAITING_CREDITOR = "awaiting_creditor"  # waiting for the creditor's documents
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"
    REFERRED = "referred"  # onward: an ombudsman, a regulator, a court
    CLOSED = "closed"


class Outcome(StrEnum):
    """How an answered dispute or complaint came out."""

    VERIFIED = "verified"  # the debt stands as recorded; verification sent
    CORRECTED = "corrected"  # the record was wrong and is put right; the rest stands
    UPHELD = "upheld"  # the person was right
    PARTLY_UPHELD = "partly_upheld"
    DUPLICATIVE = "duplicative"  # US-15: the same dispute again, with nothing new (1006.38(d)(2)(ii))
    NOT_UPHELD = "not_upheld"  # a complaint about conduct that was not upheld


OPEN_STATES = frozenset(
    {State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING, State.AWAITING_CREDITOR, State.REFERRED}
)
"""States in which the dispute is still open: its clocks run and legal referral is refused."""

TRANSITIONS: dict[State, frozenset[State]] = {
    State.RECEIVED: frozenset(
        {State.ACKNOWLEDGED, State.INVESTIGATING, State.AWAITING_CREDITOR, State.ANSWERED, State.WITHDRAWN}
        | {State.REFERRED}
    ),
    State.ACKNOWLEDGED: frozenset(
        {State.INVESTIGATING, State.AWAITING_CREDITOR, State.ANSWERED, State.WITHDRAWN, State.REFERRED}
    ),
    State.INVESTIGATING: frozenset({State.AWAITING_CREDITOR, State.ANSWERED, State.WITHDRAWN, State.REFERRED}),
    State.AWAITING_CREDITOR: frozenset({State.INVESTIGATING, State.ANSWERED, State.WITHDRAWN, State.REFERRED}),
    State.ANSWERED: frozenset({State.REFERRED, State.CLOSED}),
    State.WITHDRAWN: frozenset({State.CLOSED}),
    State.REFERRED: frozenset({State.ANSWERED, State.CLOSED}),
    State.CLOSED: frozenset(),
}
"""Where each state may go. Closed is final: a new complaint about the same thing is a new record."""

OUTCOMES: dict[Kind, frozenset[Outcome]] = {
    Kind.DISPUTE: frozenset(
        {Outcome.VERIFIED, Outcome.CORRECTED, Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.DUPLICATIVE}
    ),
    Kind.COMPLAINT: frozenset({Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD}),
}


def transition_problem(kind: Kind, current: State, to: State, outcome: Outcome | None) -> str:
    """Why `current` -> `to` (with `outcome`) is not allowed, naming the field; "" when it is."""
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing: it is closed"
        return f"to: a {kind.value} that is {current.value} cannot go to {to.value} (it may go to {allowed})"
    if to is State.ANSWERED and outcome is None:
        choices = ", ".join(sorted(OUTCOMES[kind]))
        return f"outcome: an answered {kind.value} needs its outcome ({choices})"
    if outcome is not None and to is not State.ANSWERED:
        return f"outcome: only an answer has an outcome, not a move to {to.value}"
    if outcome is not None and outcome not in OUTCOMES[kind]:
        choices = ", ".join(sorted(OUTCOMES[kind]))
        return f"outcome: '{outcome.value}' is not an outcome of a {kind.value} ({choices})"
    return ""
