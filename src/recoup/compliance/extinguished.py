"""Money paid after a debt was extinguished (UK-06 Scotland, AU-05 NSW): finding it, and returning it.

Once a debt is extinguished there is nothing to collect, so a payment dated on or after the day of
extinction paid nothing that was owed. Recoup does not refuse such money when it arrives (a bank file
cannot be sent back line by line, and refusing it would lose the record of it); it finds it, here,
for the account page and for `recoup compliance paid-after-extinction`, and a person returns it with
`return_payment`, a payment reversal whose reason names the rule and the day. Whether the law
requires the return is for the firm's compliance officer (docs/compliance.md, "Extinguished debts").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from recoup.accounts.dates import legal_date
from recoup.accounts.models import Account, LedgerTransaction, Payment
from recoup.accounts.postings import UnableToReversePayment, reverse_payment
from recoup.compliance.services import Actor, limitation_for
from recoup.core.compliance.limitation import Limitation, extinguished_candidates_sql
from recoup.core.money import Money


@dataclass(frozen=True)
class PaidAfterExtinction:
    """An account whose debt is extinguished, with the payments made on or after that day and not returned."""

    account: Account
    extinguished_on: date
    rule: str
    payments: tuple[Payment, ...]

    @property
    def total(self) -> Money:
        currency = self.account.currency
        return Money.from_minor(sum(p.amount_minor for p in self.payments), currency)


def return_reason(period: Limitation) -> str:
    """The reversal reason a returned payment carries (at most 200 characters, Payment.reversal_reason)."""
    assert period.extinguished_on is not None
    return f"returned: paid after the debt was extinguished on {period.extinguished_on.isoformat()} ({period.rule})"


def paid_after_extinction(account: Account, *, on: date, period: Limitation | None = None) -> tuple[Payment, ...]:
    """The account's payments dated on or after the day its debt was extinguished, not yet reversed,
    oldest first; empty when the debt is not extinguished on `on`. One query (beside the limitation)."""
    period = limitation_for(account) if period is None else period
    if not period.extinguished(on) or period.extinguished_on is None:
        return ()
    return tuple(
        Payment.objects.filter(
            account=account, reversal__isnull=True, transaction__effective_date__gte=period.extinguished_on
        )
        .select_related("transaction")
        .order_by("transaction__effective_date", "id")
    )


def accounts_paid_after_extinction(*, on: date) -> list[PaidAfterExtinction]:
    """Every account whose debt is extinguished on `on` and holds a payment not yet returned that was
    dated on or after the day of extinction, by account reference.

    The portfolio is screened set-based (the extinction predicate the daily run uses, with an unreversed
    payment); only the accounts it finds, a handful in any real portfolio, have their exact day of
    extinction worked out one by one.
    """
    predicate, params = extinguished_candidates_sql("a", on, vendor=connection.vendor)
    sql = (
        "SELECT a.id FROM accounts_account a WHERE "  # noqa: S608 - the predicate is built from constants
        f"{predicate} AND EXISTS (SELECT 1 FROM accounts_payment p WHERE p.account_id = a.id "
        "AND p.reversal_id IS NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    found: list[PaidAfterExtinction] = []
    for account in Account.objects.filter(pk__in=ids).select_related("creditor").order_by("reference", "id"):
        period = limitation_for(account)
        payments = paid_after_extinction(account, on=on, period=period)
        if payments and period.extinguished_on is not None:
            found.append(PaidAfterExtinction(account, period.extinguished_on, period.rule, payments))
    return found


def return_payment(*, payment: Payment, now: datetime, actor: Actor) -> LedgerTransaction:
    """Return a payment made after the debt was extinguished: reverse it, with a reason that names the
    rule and the day. Refused (UnableToReversePayment, nothing posted) when the debt is not extinguished,
    or the payment is dated before the day of extinction, or it was already reversed."""
    account = payment.account
    period = limitation_for(account)
    today = legal_date(account, now)
    if not period.extinguished(today) or period.extinguished_on is None:
        raise UnableToReversePayment(
            f"payment: {payment.pk}: the debt on account {account.reference} is not extinguished; "
            "reverse it as any other payment if it must be returned"
        )
    dated = LedgerTransaction.objects.filter(pk=payment.transaction_id).values_list("effective_date", flat=True).get()
    if dated < period.extinguished_on:
        raise UnableToReversePayment(
            f"payment: {payment.pk} is dated {dated.isoformat()}, before the debt was extinguished on "
            f"{period.extinguished_on.isoformat()}; it paid what was then owed, and nothing was reversed"
        )
    return reverse_payment(payment=payment, reason=return_reason(period), now=now, actor=actor)
