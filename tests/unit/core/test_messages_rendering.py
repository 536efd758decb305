"""Merge fields: only the documented set, no template logic, HTML escaped everywhere."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.messages import MERGE_FIELDS, TemplateError, render_html, render_text, template_problems

VALUES = dict.fromkeys(MERGE_FIELDS, "x") | {"debtor_name": "Ana <b>Ruiz</b> & Co", "balance": "1,204.50 USD"}


def test_known_fields_are_filled_and_unknown_ones_named() -> None:
    assert render_text("Dear {{ debtor_name }}, you owe {{balance}}.", VALUES) == (
        "Dear Ana <b>Ruiz</b> & Co, you owe 1,204.50 USD."
    )
    problems = [str(p) for p in template_problems("Hi {{ debtor.name }} {{ password }} {{ balance }} }}")]
    assert problems[0].startswith("body: '{{ debtor.name }}' is not a merge field (only names like")
    assert problems[1].startswith("body: '{{ password }}' is not a merge field; known: debtor_name")
    assert problems[2] == "body: '}}' is an unmatched brace pair"
    with pytest.raises(TemplateError, match="'{{ password }}' is not a merge field"):
        render_text("{{ password }}", VALUES)


def test_html_escapes_values_and_text_and_keeps_paragraphs_and_links() -> None:
    html = render_html(
        "Dear {{ debtor_name }},\nyou owe {{ balance }} <today>.\n\nStop: {{ unsubscribe_url }}",
        VALUES | {"unsubscribe_url": "https://pay.example.com/u/a&b/"},
    )
    assert html == (
        "<p>Dear Ana &lt;b&gt;Ruiz&lt;/b&gt; &amp; Co,<br>you owe 1,204.50 USD &lt;today&gt;.</p>\n"
        '<p>Stop: <a href="https://pay.example.com/u/a&amp;b/">https://pay.example.com/u/a&amp;b/</a></p>'
    )


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_no_value_can_inject_markup(value: str) -> None:
    html = render_html("{{ debtor_name }}", VALUES | {"debtor_name": value})
    assert "<script" not in html.lower()
    assert html.count("<") == html.count("<p>") + html.count("</p>") + html.count("<br>") + html.count(
        "<a "
    ) + html.count("</a>")
