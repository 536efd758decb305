"""Which zone decides a party's dates (docs/decisions/0005-business-dates.md).

- The office zone (RECOUP_TIME_ZONE, Django's TIME_ZONE): the firm's own "today", on staff pages
  and reports, and the zone of a creditor that has none of its own.
- A creditor's business zone (`Creditor.business_time_zone`): its ledger dates.
- A debtor's zone (`Debtor.time_zone`, from their address): their legal clocks; when it is not
  known, their creditor's business zone.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings

from recoup.core.business_dates import date_in
from recoup.parties.models import Creditor, Debtor


def office_zone() -> str:
    """The firm's own zone (RECOUP_TIME_ZONE; UTC when unset)."""
    return str(settings.TIME_ZONE)


def creditor_zone(creditor: Creditor) -> str:
    """The zone of the creditor's business day: its own, else the office's."""
    return creditor.business_time_zone or office_zone()


def debtor_zone(debtor: Debtor | None, creditor: Creditor) -> str:
    """The zone of the debtor's legal clocks: where they live, else their creditor's business zone."""
    return (debtor.time_zone if debtor is not None else "") or creditor_zone(creditor)


def office_date(now: datetime) -> date:
    """Today in the office zone."""
    return date_in(now, office_zone())


def business_date(creditor: Creditor, now: datetime) -> date:
    """Today in the creditor's business zone: the ledger date of anything it posts now."""
    return date_in(now, creditor_zone(creditor))
