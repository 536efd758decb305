"""Issue 20.2: `recoup import` refuses a file over the limits in one line, without a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

from test_operator_cli import environment as environment  # the fixture
from test_operator_cli import run


def test_a_zip_bomb_and_a_file_over_the_size_limit_are_one_line_each(
    environment: dict[str, str], tmp_path: Path
) -> None:
    assert run(["migrate"], environment).returncode == 0
    bomb = tmp_path / "statement.xlsx"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(20):
            member.write(b"A" * (1 << 20))
    refused = run(["import", "bank-statement", str(bomb)], environment)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, refused.stderr
    assert "is refused as a zip bomb: its part xl/sharedStrings.xml unzips" in lines[0]

    big = tmp_path / "statement.ofx"
    big.write_bytes(b"OFXHEADER:100\n" + b"x" * (2 << 20))
    refused = run(["import", "bank-statement", str(big)], {**environment, "RECOUP_IMPORT_MAX_FILE_MB": "1"})
    assert "Traceback" not in refused.stderr
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, refused.stderr
    assert "over the limit of 1.0 MB (set RECOUP_IMPORT_MAX_FILE_MB to allow more)" in lines[0]
