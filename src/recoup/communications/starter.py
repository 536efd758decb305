"""The starter templates a new installation (and the demo) begins with; managers edit them from there."""

from __future__ import annotations

from datetime import datetime

from recoup.communications.models import Template
from recoup.communications.services import save_template

STARTERS = [
    (
        "email",
        "payment-reminder",
        "Your {{ creditor_name }} account {{ account_reference }}",
        "Dear {{ debtor_first_name }},\n\n"
        "Our records show {{ balance }} outstanding on your {{ creditor_name }} account "
        "{{ account_reference }}. If you can pay it, or part of it, please reply to this email. If you are "
        "having difficulty, tell us: we can agree a plan you can afford.\n\n"
        "The {{ creditor_name }} collections team\n\n"
        "This communication is from a debt collector.\n\n"
        "To stop emails from us: {{ unsubscribe_url }}",
    ),
    (
        "email",
        "plan-reminder",
        "Your next payment of {{ next_payment }}",
        "Dear {{ debtor_first_name }},\n\n"
        "A reminder that your next payment under the plan for account {{ account_reference }} is "
        "{{ next_payment }}. Thank you for keeping to it.\n\n"
        "The {{ creditor_name }} collections team\n\n"
        "This communication is from a debt collector.\n\n"
        "To stop emails from us: {{ unsubscribe_url }}",
    ),
    (
        "sms",
        "payment-reminder",
        "",
        "{{ creditor_name }}: {{ balance }} is overdue on account {{ account_reference }}. "
        "Reply to pay or agree a plan. This is from a debt collector. Reply STOP to opt out.",
    ),
    (
        "letter",
        "final-notice",
        "About your {{ creditor_name }} account {{ account_reference }}",
        "Dear {{ debtor_first_name }},\n\n"
        "We have written to you before about {{ balance }} outstanding on your {{ creditor_name }} account "
        "{{ account_reference }} and have not heard from you. Please contact us to pay, "
        "or to agree a plan you can afford. If you are in financial difficulty, tell us: free, independent "
        "debt advice is also available.\n\n"
        "The {{ creditor_name }} collections team\n\n"
        "This communication is from a debt collector.",
    ),
]


def create_starter_templates(*, now: datetime) -> int:
    """Save each starter template (email, text, letter) that does not exist yet; returns how many were saved."""
    saved = 0
    for channel, code, subject, body in STARTERS:
        if Template.objects.filter(code=code, channel=channel, creditor__isnull=True).exists():
            continue
        save_template(code=code, channel=channel, subject=subject, body=body, now=now, actor=None)
        saved += 1
    return saved
