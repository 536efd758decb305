"""Imports: account placements, payments and bank statements, validated, idempotent and set-based."""
