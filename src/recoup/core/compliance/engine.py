"""`decide`: run every rule pack over a proposed contact and combine what they found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from recoup.core.compliance.model import (
    Allowance,
    ContactRequest,
    Decision,
    Finding,
    PastContact,
    Reason,
    RulePack,
    Severity,
)

# Each step of the next-allowed search moves to the latest time one blocking rule names, so it only
# loops when rules keep pushing each other forward (hours, then a holiday, then a cap); this bounds it.
MAX_SEARCH_STEPS = 200


def _findings(request: ContactRequest, history: Sequence[PastContact], packs: Sequence[RulePack]) -> list[Finding]:
    return [finding for pack in packs for finding in pack.check(request, history)]


def _unique(reasons: Sequence[Reason]) -> tuple[Reason, ...]:
    return tuple(dict.fromkeys(reasons))


def decide(request: ContactRequest, history: Sequence[PastContact], packs: Sequence[RulePack]) -> Decision:
    """Whether the proposed contact may go ahead under every pack, why not, and when it could.

    Only past contacts at or before `request.at` are considered: the ledger records what happened, and a
    contact logged later cannot make an earlier one unlawful. With no packs there is no rule to break.
    The next allowed time is found by moving to the latest time any blocking rule names and checking
    every pack again there, until all allow it or one says time cannot cure it.
    """
    past = [contact for contact in history if contact.at <= request.at]
    findings = _findings(request, past, packs)
    blocks = [f for f in findings if f.severity is Severity.BLOCK]
    warnings = _unique([f.reason for f in findings if f.severity is Severity.WARN])
    if not blocks:
        return Decision(allowed=True, reasons=(), warnings=warnings, next_allowed=request.at)
    return Decision(
        allowed=False,
        reasons=_unique([f.reason for f in blocks]),
        warnings=warnings,
        next_allowed=_next_allowed(request, past, packs, blocks),
    )


def _next_allowed(
    request: ContactRequest, past: Sequence[PastContact], packs: Sequence[RulePack], blocks: Sequence[Finding]
) -> datetime | None:
    at = request.at
    for _ in range(MAX_SEARCH_STEPS):
        untils = [f.until for f in blocks]
        if any(until is None for until in untils):
            return None
        candidate = max(until for until in untils if until is not None)
        # Guard against a rule naming a time that is not later, which would loop forever.
        at = max(candidate, at + timedelta(minutes=1))
        blocks = [f for f in _findings(replace(request, at=at), past, packs) if f.severity is Severity.BLOCK]
        if not blocks:
            return at.astimezone(request.at.tzinfo)
    return None


def allowances(
    request: ContactRequest, history: Sequence[PastContact], packs: Sequence[RulePack]
) -> tuple[Allowance, ...]:
    """How much of each frequency limit that applies to this request is used (for "attempts left")."""
    past = [contact for contact in history if contact.at <= request.at]
    found: list[Allowance] = []
    for pack in packs:
        # Packs with frequency limits say how much of each is used; others have nothing to count.
        count = getattr(pack, "allowances", None)
        if count is not None:
            found.extend(count(request, past))
    return tuple(found)
