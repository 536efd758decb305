"""The time-barred disclosure (US-16) for an account: what the message content rules need to know about
the debt's limitation period and the debtor's jurisdiction, read once from the account, its primary
debtor and the firm's table (settings.TIME_BARRED_DISCLOSURES, from RECOUP_TIME_BARRED_DISCLOSURES).

Every place that renders a message about an account (communications' templates and the validation
notice, the arrangement letters) builds its `MessageFacts` with `account_message_facts` and puts the words
`required_wording(facts)` names at the top of what it renders; the content rule then checks they are
there, so a template written without them still goes out with them, and one that has them gets them
once.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from recoup.accounts.models import Account
from recoup.compliance.services import limitation_for
from recoup.core.compliance.content import MessageFacts
from recoup.core.compliance.disclosures import Table, may_be_reported
from recoup.core.compliance.model import Channel, Purpose
from recoup.parties.models import Creditor, Debtor


def disclosure_table() -> Table:
    """The firm's time-barred disclosures by (country, region)."""
    table: Table = settings.TIME_BARRED_DISCLOSURES
    return table


def account_message_facts(
    *,
    account: Account,
    debtor: Debtor | None,
    channel: Channel,
    on: date,
    purpose: str = Purpose.COLLECTION,
    initial_communication: bool = False,
    validation_period_ends: date | None = None,
) -> MessageFacts:
    """What the content rules need to judge a message about `account` to `debtor` sent on `on` (the
    debtor's date): where they are, whether the creditor is a third-party collector, whether the debt
    is time-barred then (`limitation_for`), whether it may still be reported to a credit bureau, and the
    firm's time-barred disclosures."""
    country = debtor.country if debtor is not None else account.creditor.country
    return MessageFacts(
        channel=channel,
        country=country,
        third_party_collector=account.creditor.collector_type == Creditor.CollectorType.THIRD_PARTY,
        initial_communication=initial_communication,
        time_barred=limitation_for(account).time_barred(on),
        validation_period_ends=validation_period_ends,
        sent_on=on,
        purpose=purpose,
        region=debtor.region if debtor is not None else "",
        credit_reportable=may_be_reported(country=country, first_delinquency=account.first_delinquency_date, on=on),
        disclosures=disclosure_table(),
    )
