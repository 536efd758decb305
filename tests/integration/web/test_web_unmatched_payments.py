"""The unmatched payments page: who may see it, matching, splitting and rejecting through the browser's forms."""

from __future__ import annotations

from pathlib import Path

from ledger_helpers import NOW, owing
from recoup.accounts.models import Payment
from recoup.imports.bank import import_bank_statement
from recoup.imports.models import BankLine
from recoup.users.roles import Role
from web_data import WebData

OFX = Path(__file__).resolve().parents[3] / "docs" / "examples" / "bank-statement.ofx"


def waiting(web: WebData) -> dict[str, BankLine]:
    creditor = web.creditor("krp", "Keystone Recovery Partners")
    owing(web.account(creditor=creditor, reference="KRP-30418857"), principal="500.00")
    owing(web.account(creditor=creditor, reference="S-1"), principal="300.00")
    owing(web.account(creditor=creditor, reference="S-2"), principal="300.00")
    import_bank_statement(path=OFX, now=NOW, actor=None)
    return {line.counterparty: line for line in BankLine.objects.filter(status=BankLine.Status.UNMATCHED)}


def test_officers_cannot_open_it_and_managers_see_what_waits(web: WebData) -> None:
    lines = waiting(web)
    officer = web.client(web.user("olive", Role.OFFICER))
    assert officer.get("/payments/unmatched/").status_code == 403
    manager = web.client(web.user("mona", Role.MANAGER))
    page = manager.get("/payments/unmatched/").content.decode()
    assert "Unmatched payments" in page
    assert "WEB PMT DARNELL T HUGHES" in page
    assert "$89.90" in page
    assert len(lines) >= 1


def test_a_manager_matches_splits_and_rejects(web: WebData) -> None:
    lines = waiting(web)
    manager = web.client(web.user("mona", Role.MANAGER))
    darnell = lines["WEB PMT DARNELL T HUGHES"]
    response = manager.post(f"/payments/unmatched/{darnell.pk}/", {"action": "match", "reference": "NOPE-1"})
    assert response.status_code == 400
    assert "reference: no account with reference &#x27;NOPE-1&#x27;" in response.content.decode()
    response = manager.post(f"/payments/unmatched/{darnell.pk}/", {"action": "match", "reference": "S-1"})
    assert response.status_code == 302
    assert Payment.objects.filter(account__reference="S-1", amount_minor=8990).exists()

    deposit = lines["MOBILE DEPOSIT"]
    response = manager.post(
        f"/payments/unmatched/{deposit.pk}/",
        {
            "action": "split",
            "reference_1": "S-2",
            "amount_1": "250.00",
            "reference_2": "KRP-30418857",
            "amount_2": "100.00",
        },
    )
    assert response.status_code == 400
    assert "the parts add up to 350.00 USD, the payment is 400.00 USD" in response.content.decode()
    response = manager.post(
        f"/payments/unmatched/{deposit.pk}/",
        {
            "action": "split",
            "reference_1": "S-2",
            "amount_1": "250.00",
            "reference_2": "KRP-30418857",
            "amount_2": "150.00",
        },
    )
    assert response.status_code == 302
    deposit.refresh_from_db()
    assert deposit.status == BankLine.Status.POSTED
    assert len(deposit.payment_ids) == 2

    remaining = BankLine.objects.filter(status=BankLine.Status.UNMATCHED).first()
    assert remaining is not None
    assert manager.post(f"/payments/unmatched/{remaining.pk}/", {"action": "reject", "reason": ""}).status_code == 400
    response = manager.post(
        f"/payments/unmatched/{remaining.pk}/", {"action": "reject", "reason": "Zelle sent to the wrong account"}
    )
    assert response.status_code == 302
    remaining.refresh_from_db()
    assert (remaining.status, remaining.decision_note) == (BankLine.Status.REJECTED, "Zelle sent to the wrong account")
    follow = manager.get("/payments/unmatched/").content.decode()
    assert "Recently decided" in follow


def test_the_auditor_reads_unmatched_payments_but_cannot_decide_them(web: WebData) -> None:
    """The README says the auditor reads everything: the unmatched payments too, without the forms."""
    lines = waiting(web)
    darnell = lines["WEB PMT DARNELL T HUGHES"]
    auditor = web.client(web.user("audrey", Role.AUDITOR))
    listing = auditor.get("/payments/unmatched/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "WEB PMT DARNELL T HUGHES" in text
    assert 'href="/payments/unmatched/' in text
    assert ">Open<" in text
    assert ">Decide<" not in text
    one = auditor.get(f"/payments/unmatched/{darnell.pk}/").content.decode()
    assert "What the bank says" in one
    assert "Post it to one account" not in one
    assert 'name="action"' not in one
    refused = auditor.post(f"/payments/unmatched/{darnell.pk}/", {"action": "match", "reference": "S-1"})
    assert refused.status_code == 403
    darnell.refresh_from_db()
    assert darnell.status == BankLine.Status.UNMATCHED
    assert not Payment.objects.filter(account__reference="S-1").exists()
