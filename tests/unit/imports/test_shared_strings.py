"""Recoup reads a workbook's shared strings with its own lean reader (issue 20.2); it must give exactly
what openpyxl's own reader gives, for plain strings, formatted runs and phonetic guides alike."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.reader.strings import read_string_table

from recoup.imports.reading import shared_strings

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["", " ", "  padded  ", "_x005F_x000D_", "x005F_tab", "a\tb", "line\nbreak"]),
)
ITEM = st.tuples(
    st.one_of(st.none(), TEXT),  # the plain <t>, or none
    st.lists(st.tuples(TEXT, st.booleans()), max_size=3),  # formatted runs, each with or without run properties
    st.lists(TEXT, max_size=2),  # phonetic guides, which neither reader includes
)


def table(items: list[tuple[str | None, list[tuple[str, bool]], list[str]]]) -> bytes:
    body = []
    for plain, runs, guides in items:
        parts = [] if plain is None else [f'<t xml:space="preserve">{escape(plain)}</t>']
        for text, formatted in runs:
            properties = '<rPr><b/><sz val="11"/></rPr>' if formatted else ""
            parts.append(f'<r>{properties}<t xml:space="preserve">{escape(text)}</t></r>')
        parts.extend(f'<rPh sb="0" eb="1"><t>{escape(guide)}</t></rPh>' for guide in guides)
        body.append(f"<si>{''.join(parts)}</si>")
    return f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{len(items)}">{"".join(body)}</sst>'.encode()


@given(st.lists(ITEM, max_size=20))
def test_the_shared_strings_read_are_openpyxls_exactly(
    items: list[tuple[str | None, list[tuple[str, bool]], list[str]]],
) -> None:
    xml = table(items)
    assert shared_strings(io.BytesIO(xml)) == read_string_table(io.BytesIO(xml))


def test_a_table_of_plain_and_formatted_strings_reads_as_a_person_sees_them() -> None:
    xml = table([("Lee", [], []), (None, [("Bold ", True), ("plain", False)], ["guide"]), ("", [], [])])
    assert shared_strings(io.BytesIO(xml)) == ["Lee", "Bold plain", ""]
