"""Django's {# #} comments end at the line's end: one spread over lines is printed on the page.
Every template in the project is read and such a comment refused (use {% comment %})."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "recoup"


def test_no_template_has_a_comment_spread_over_lines() -> None:
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for start in re.finditer(r"\{#", line):
                if "#}" not in line[start.end() :]:
                    offenders.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert offenders == [], f"multi-line {{# #}} comments (printed as text): {offenders}"
