"""Signals other apps listen to without the accounts app knowing them (it sits below them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the transaction that posted or reversed payments commits, with `account_ids` (the
# accounts whose money moved) and `now` (the time the caller posted them at). Arrangement
# monitoring listens, so a plan's instalment is marked kept as soon as the money is in.
payments_changed = Signal()
