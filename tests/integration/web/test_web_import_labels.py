"""The import result's counts carry words a person reads, not the importer's keys run together."""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string


def test_a_statement_import_result_reads_already_imported_and_money_out() -> None:
    """Issue 20.9: the labels read 'Alreadyimported' and 'Notcredits'."""
    progress = SimpleNamespace(
        token="t",
        finished=True,
        state="succeeded",
        job_id=7,
        kind="bank_statement",
        problems=[],
        summary={"lines": 6, "already_imported": 2, "posted": 3, "unmatched": 0, "not_credits": 1},
    )
    html = render_to_string("web/includes/import_progress.html", {"progress": progress})
    assert "Alreadyimported" not in html
    assert "Notcredits" not in html
    assert "<dt>Already imported (skipped)</dt><dd>2</dd>" in html
    assert "<dt>Money out (not credits, skipped)</dt><dd>1</dd>" in html
    assert "<dt>Statement lines</dt><dd>6</dd>" in html
