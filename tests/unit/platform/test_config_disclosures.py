"""RECOUP_TIME_BARRED_DISCLOSURES: the firm's wording of the time-barred disclosures (US-16), read from a
JSON file; unset, Recoup's table; a bad file stops start-up with one sentence naming the setting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recoup.core.compliance import DISCLOSURES
from recoup.platform.config import ConfigurationError, load_config


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"RECOUP_DATA_DIR": str(tmp_path), **values}


def test_unset_it_is_recoups_table(tmp_path: Path) -> None:
    assert dict(load_config(env(tmp_path), cwd=tmp_path).time_barred_disclosures) == DISCLOSURES


def test_the_firms_file_rewords_new_york_and_adds_england(tmp_path: Path) -> None:
    path = tmp_path / "time-barred.json"
    path.write_text(
        json.dumps(
            {
                "US-NY": {"text": "Our counsel's New York wording."},
                "GB": {"text": "This debt is statute barred.", "citation": "firm policy (CONC 7.15)"},
            }
        ),
        encoding="utf-8",
    )
    table = load_config(env(tmp_path, RECOUP_TIME_BARRED_DISCLOSURES=str(path)), cwd=tmp_path).time_barred_disclosures
    assert table[("US", "NY")].text == "Our counsel's New York wording."
    assert (table[("GB", "")].rule, table[("GB", "")].origin) == ("UK-06", "firm")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "RECOUP_TIME_BARRED_DISCLOSURES: no file at"),
        (
            '{"US-NY": {"text": ""}}',
            r"RECOUP_TIME_BARRED_DISCLOSURES: .*time-barred.json: US-NY.text: must not be empty",
        ),
        ('{"GB-SCT": {"text": "x", "citation": "c"}}', "GB-SCT: a debt there is extinguished"),
    ],
)
def test_a_bad_file_is_refused_naming_the_setting(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "time-barred.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_config(env(tmp_path, RECOUP_TIME_BARRED_DISCLOSURES=str(path)), cwd=tmp_path)
