"""Accounts with open items to post against."""

from __future__ import annotations

import pytest

from factories import AccountFactory, CreditorFactory
from ledger_helpers import owing
from recoup.accounts.models import Account


@pytest.fixture
def account(db: None) -> Account:
    return owing(AccountFactory(creditor=CreditorFactory()), principal="1000.00", interest="50.00", fees="25.00")
