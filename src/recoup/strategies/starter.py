"""The starter strategy a new installation (and the demo) begins with; managers change it from there.

It segments by what an account needs (paying under an arrangement, held, then by days past due and
balance), runs a champion/challenger test on early accounts (a gentle email-first path against a
text-first one), and paces contact so that no path asks for more than one action a day.
"""

from __future__ import annotations

from datetime import datetime

from recoup.strategies.models import StrategyVersion
from recoup.strategies.versions import publish, save_draft

STARTER: dict[str, object] = {
    "seed": 20261205,
    "segments": [
        {
            "name": "arrangement",
            "label": "Paying under an arrangement",
            "when": {"arrangements": ["promise", "plan", "settlement"]},
            "paths": {"keep-to-plan": 100},
        },
        {"name": "held", "label": "On hold", "when": {"held": True}, "paths": {"no-contact": 100}},
        {
            "name": "early",
            "label": "Early: up to 30 days past due",
            "when": {"dpd_max": 30},
            "paths": {"early-email-first": 50, "early-text-first": 50},
        },
        {
            "name": "middle",
            "label": "31 to 90 days past due",
            "when": {"dpd_min": 31, "dpd_max": 90},
            "paths": {"middle-standard": 100},
        },
        {
            "name": "late-large",
            "label": "Over 90 days, 2,500 or more owed",
            "when": {"dpd_min": 91, "balance_min": "2500"},
            "paths": {"late-large": 100},
        },
        {"name": "late", "label": "Every other account", "paths": {"late-standard": 100}},
    ],
    "paths": {
        "keep-to-plan": {
            "label": "Leave to the arrangement's reminders; call when a payment is missed",
            "steps": [{"event": "arrangement_broken", "action": "call", "priority": 7}],
        },
        "no-contact": {"label": "No collection contact while held", "steps": []},
        "early-email-first": {
            "label": "Early, email first (champion)",
            "steps": [
                {"day": 1, "action": "email", "template": "payment-reminder"},
                {"day": 7, "action": "call", "priority": 3},
                {"day": 14, "action": "sms", "template": "payment-reminder"},
                {"day": 21, "action": "call", "priority": 5},
            ],
        },
        "early-text-first": {
            "label": "Early, text first (challenger)",
            "steps": [
                {"day": 1, "action": "sms", "template": "payment-reminder"},
                {"day": 5, "action": "email", "template": "payment-reminder"},
                {"day": 12, "action": "call", "priority": 4},
                {"day": 21, "action": "call", "priority": 5},
            ],
        },
        "middle-standard": {
            "label": "31-90 days: call, write, call",
            "steps": [
                {"day": 0, "action": "call", "priority": 5},
                {"day": 3, "action": "email", "template": "payment-reminder"},
                {"day": 10, "action": "letter", "template": "final-notice"},
                {"day": 20, "action": "call", "priority": 6},
            ],
        },
        "late-large": {
            "label": "Over 90 days, large balance: call first, then legal review",
            "steps": [
                {"day": 0, "action": "call", "priority": 8},
                {"day": 5, "action": "letter", "template": "final-notice"},
                {"day": 14, "action": "call", "priority": 8},
                {"day": 30, "action": "legal_review", "note": "large balance, no arrangement after 30 days"},
            ],
        },
        "late-standard": {
            "label": "Over 90 days: letter, call, review",
            "steps": [
                {"day": 0, "action": "letter", "template": "final-notice"},
                {"day": 14, "action": "call", "priority": 4},
                {"day": 60, "action": "legal_review", "note": "no arrangement after 60 days"},
            ],
        },
    },
}


def create_starter_strategy(*, now: datetime) -> StrategyVersion | None:
    """Save and publish the starter strategy if there is no strategy yet (needs the starter templates)."""
    if StrategyVersion.objects.exists():
        return None
    draft = save_draft(definition=STARTER, note="The starter strategy.", now=now, actor=None)
    return publish(version=draft, now=now, actor=None)
