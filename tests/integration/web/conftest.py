"""Fixtures for the staff UI tests (the builders are in tests/web_data.py, shared with the export tests)."""

from __future__ import annotations

from typing import Any

import pytest

from web_data import WebData


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """These tests create many users; a deliberately slow password hash is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def web(db: None) -> WebData:
    return WebData()
