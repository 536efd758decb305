"""Signals other apps listen to without the accounts app knowing them (it sits below them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the transaction that posted or reversed payments commits, with `account_ids` (the
# accounts whose money moved) and `now` (the time the caller posted them at). Arrangement
# monitoring listens, so a plan's instalment is marked kept as soon as the money is in.
payments_changed = Signal()

# Sent by `post_charge` inside its transaction, with the account row locked, before an interest, fee
# or cost charge is written, with `account`, `component` (core.ledger.Component) and `on` (the date
# the caller posts it on). A receiver refuses the charge by raising
# `recoup.accounts.postings.UnableToPostTransaction` with the reason; nothing is then written.
# Compliance listens: no charge on an extinguished debt (UK-06, AU-05).
charge_requested = Signal()
