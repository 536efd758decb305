"""The append-only audit event log: who changed what, when, from what to what."""
