"""Import limits (issue 20.2): how fast, and in how little memory, oversized workbooks are refused.

    python bench/bench_import_limits.py [--bomb-mb 1500] [--huge-rows 20000000]

Each case runs in its own process, which reports its peak resident memory (ru_maxrss). The baseline,
measured in the same run, is reading a 10,000-row x 30-column workbook in full with read_chunks.
The bombs: a workbook whose shared strings unzip to --bomb-mb MB (one repeated character, written
streaming; about 1.5 MB zipped at the default), and one whose sheet holds --huge-rows rows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CHILD = """
import resource, sys, time
from pathlib import Path
from recoup.imports.reading import FileProblem, FileSettings, read_chunks
started = time.perf_counter()
rows, outcome = 0, "read"
try:
    for chunk in read_chunks(Path(sys.argv[1]), FileSettings(), known=["c0"], required=["c0"]):
        rows += len(chunk)
except FileProblem as exc:
    outcome = "refused: " + str(exc)[:110]
elapsed = time.perf_counter() - started
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} {rows} {outcome}")
"""
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
    'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>",
}
SHEET_START = (
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = "</sheetData></worksheet>"


def bomb(path: Path, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/worksheets/sheet1.xml", SHEET_START + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_END
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            )
            block = b"A" * (1 << 20)
            for _ in range(megabytes):
                member.write(block)
            member.write(b"</t></si></sst>")
    return path


def huge(path: Path, rows: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>c0</t></si></sst>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(SHEET_START.encode() + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
            for start in range(2, rows + 2, 100_000):
                member.write(b"".join(b"<row><c><v>1</v></c></row>" for _ in range(min(100_000, rows + 2 - start))))
            member.write(SHEET_END.encode())
    return path


def baseline(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([f"c{i}" for i in range(30)])
    for row in range(rows):
        sheet.append([f"REF-{row:08d}", row * 1.25, "2024-01-01", *(f"value {row} {i}" for i in range(27))])
    book.save(path)
    return path


def measure(path: Path) -> tuple[float, float, int, str]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
    seconds, peak, rows, outcome = done.stdout.strip().split(" ", 3)
    return float(seconds), float(peak), int(rows), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bomb-mb", type=int, default=1500)
    parser.add_argument("--huge-rows", type=int, default=20_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="recoup-limits-bench-"))
    cases = [
        ("baseline 10,000 rows", baseline(folder / "baseline.xlsx", 10_000)),
        (f"shared string of {args.bomb_mb:,} MB", bomb(folder / "bomb.xlsx", args.bomb_mb)),
        (f"{args.huge_rows:,} rows", huge(folder / "huge.xlsx", args.huge_rows)),
    ]
    base_peak = 0.0
    for name, path in cases:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(m.file_size for m in archive.infolist())
        seconds, peak, rows, outcome = measure(path)
        base_peak = base_peak or peak
        print(
            f"{name}: {path.stat().st_size / 2**20:,.1f} MB zipped, {unzipped / 2**20:,.1f} MB unzipped;"
            f" {outcome} ({rows:,} rows) in {seconds:.2f} s, peak {peak:,.1f} MB ({peak / base_peak:.2f}x baseline)"
        )


if __name__ == "__main__":
    main()
