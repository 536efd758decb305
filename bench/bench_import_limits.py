"""Import limits (issue 20.2): how fast, and in how little memory, oversized workbooks are refused.

    python bench/bench_import_limits.py [--bomb-mb 1500] [--huge-rows 20000000] [--shared-mb 255]

Each case runs in its own process, which reports its peak resident memory (ru_maxrss). The baseline,
measured in the same run, is reading a 10,000-row x 30-column workbook in full with read_chunks.
The bombs: a workbook whose shared strings unzip to --bomb-mb MB (one repeated character, written
streaming; about 1.5 MB zipped at the default), and one whose sheet holds --huge-rows rows.
The worst a workbook inside the limits can do to memory: shared strings of --shared-mb MB (just under
RECOUP_IMPORT_MAX_SHARED_MB's 256) of two-letter strings, the shortest that each cost a Python object,
and a row just short of the ROW_BYTES a row may take.
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


def shared(path: Path, megabytes: int) -> Path:
    """Shared strings of `megabytes` MB, all <si><t>xy</t></si> (18 bytes each), and a sheet using 1,000."""
    letters = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" for b in "0123456789"]
    count = megabytes * 2**20 // 18 - 10
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        cells = b"".join(b'<row><c t="s"><v>%d</v></c></row>' % (i * 997) for i in range(1, 1000))
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            SHEET_START.encode() + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + cells + SHEET_END.encode(),
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            member.write(b"<si><t>c0</t></si>")
            for start in range(0, count, 100_000):
                member.write(
                    "".join(
                        f"<si><t>{letters[(i * 7919) % len(letters)]}</t></si>"
                        for i in range(start, min(start + 100_000, count))
                    ).encode()
                )
            member.write(b"</sst>")
    return path


def wide(path: Path) -> Path:
    """One row of as many cells as fit in 4 MB (ROW_BYTES) less a read, each a different number."""
    from recoup.imports.reading import ROW_BYTES

    cells = "".join(f"<c><v>{(i * 7919) % 10**9}</v></c>" for i in range(ROW_BYTES // 20))
    cells = cells[: cells.rindex("<c>", 0, ROW_BYTES - 65536)]  # whole cells, a read short of ROW_BYTES
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>c0</t></si></sst>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            SHEET_START + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + f"<row>{cells}</row>" + SHEET_END,
        )
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
    parser.add_argument("--shared-mb", type=int, default=255)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="recoup-limits-bench-"))
    cases = [
        ("baseline 10,000 rows", baseline(folder / "baseline.xlsx", 10_000)),
        (f"shared string of {args.bomb_mb:,} MB", bomb(folder / "bomb.xlsx", args.bomb_mb)),
        (f"{args.huge_rows:,} rows", huge(folder / "huge.xlsx", args.huge_rows)),
        (f"shared strings of {args.shared_mb:,} MB (two letters each)", shared(folder / "shared.xlsx", args.shared_mb)),
        ("one row of just under 4 MB", wide(folder / "wide.xlsx")),
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
