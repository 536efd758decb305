"""An account's dates: its ledger date (the creditor's business day) and its legal date (the
debtor's day), for an instant (docs/decisions/0005-business-dates.md)."""

from __future__ import annotations

from datetime import date, datetime

from recoup.accounts.models import Account
from recoup.accounts.selectors import primary_debtor
from recoup.core.business_dates import date_in
from recoup.parties.dates import creditor_zone, debtor_zone
from recoup.parties.models import Debtor


def ledger_date(account: Account, now: datetime) -> date:
    """The date the account's creditor is on at `now`: what a charge or payment posted now is dated."""
    return date_in(now, creditor_zone(account.creditor))


def legal_zone(account: Account, debtor: Debtor | None = None) -> str:
    """The zone of the account's legal clocks: its primary debtor's (looked up unless `debtor` is
    given), else its creditor's business zone."""
    return debtor_zone(debtor or primary_debtor(account), account.creditor)


def legal_date(account: Account, now: datetime, debtor: Debtor | None = None) -> date:
    """The date the debtor is on at `now`: the day their legal clocks (validation period, limitation,
    holds) count from and are checked on."""
    return date_in(now, legal_zone(account, debtor))
