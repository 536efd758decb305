"""Accounts placed for collection and the debtors on them (the ledger comes with the core domain)."""
