"""Production logs are one JSON object per line, with extras and exceptions kept."""

from __future__ import annotations

import json
import logging
import sys

from recoup.platform.logging import JsonFormatter


def make_record(**extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {
            "name": "recoup.test",
            "levelname": "WARNING",
            "levelno": 30,
            "msg": "posted %s",
            "args": (3,),
        }
    )
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_becomes_one_json_line_with_its_extras() -> None:
    line = JsonFormatter().format(make_record(account_id=42))
    payload = json.loads(line)
    assert "\n" not in line
    assert payload["message"] == "posted 3"
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "recoup.test"
    assert payload["account_id"] == 42
    assert payload["time"].endswith("+00:00")


def test_an_exception_is_kept_as_text() -> None:
    try:
        raise ValueError("bad amount")
    except ValueError:
        record = make_record(exc_info=sys.exc_info())
    payload = json.loads(JsonFormatter().format(record))
    assert "ValueError: bad amount" in payload["exception"]
