"""Exports of accounts, payments and activities to CSV and XLSX, streamed."""
