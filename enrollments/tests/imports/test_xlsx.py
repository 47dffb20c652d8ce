"""The streaming reader of .xlsx sheets: cells counted as they stream, cut, refused past a spreadsheet's limit,
and the web process's memory flat whatever a cell holds."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from enrollments.exceptions import ImportFileRefused
from enrollments.imports.files import read_upload, upload_rows
from enrollments.imports.parsing import CutText
from enrollments.imports.xlsx import EXCEL_MAX_CELL_CHARS, open_book, sheet_rows
from enrollments.tests.imports.workbook_support import streamed_workbook, with_long_text, workbook

ROOT = Path(__file__).resolve().parents[3]
HEADER = ["name", "email", "course"]
PLACEHOLDER = "PLACEHOLDER-OF-A-LONG-CELL"
# One cell of 95 MB (within the 100 MB a workbook may unpack to): about 100 KB zipped.
HUGE_CHARS = 95 * (1 << 20)

# Reads the workbook as the web process does, and prints the refusal, then how far memory grew past what the
# process held before it started (kB): the peak (VmHWM) after, minus the resident size (VmRSS) before.
CHILD = """
import sys

import django

django.setup()
from django.utils import translation

from enrollments.exceptions import ImportFileRefused
from enrollments.imports.files import read_upload


def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field + ":"))


before = status("VmRSS")
with open(sys.argv[1], "rb") as file, translation.override("pt-br"):
    try:
        read_upload(file, name="big.xlsx")
        print("read")
    except ImportFileRefused as error:
        print(error.message)
print(status("VmHWM") - before)
"""


def _shared(rows) -> bytes:
    """A workbook as Excel writes one: text in the shared strings."""
    return workbook({"Plan1": [HEADER, *rows]})


def _inline(rows) -> bytes:
    """A workbook as openpyxl's write-only mode writes one: text inline in the sheet."""
    return streamed_workbook(HEADER, rows)


def _cells(data: bytes, *, keep: int) -> list[tuple[int, list]]:
    book = open_book(io.BytesIO(data))
    try:
        return list(sheet_rows(book, book.sheets[0][1], keep=keep))
    finally:
        book.close()


@pytest.mark.slow
@pytest.mark.parametrize("build", [_shared, _inline], ids=["shared_string", "inline_string"])
def test_read_upload__95_mb_cell__refused_naming_it_while_memory_stays_flat(build, tmp_path):
    data = with_long_text(build([[PLACEHOLDER, "ana@example.com", "c1"]]), PLACEHOLDER, text="a", times=HUGE_CHARS)
    assert len(data) < 1 << 20
    path = tmp_path / "big.xlsx"
    path.write_bytes(data)

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings"},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert child.returncode == 0, child.stderr
    message, growth_kb = child.stdout.strip().splitlines()
    assert message.startswith("A célula A2 da planilha “Plan1” tem mais de 32.767 caracteres")
    assert int(growth_kb) < 50 * 1024


def test_read_upload__cell_past_a_spreadsheets_limit__refused_in_english_too():
    data = with_long_text(
        _inline([[PLACEHOLDER, "ana@example.com", "c1"]]), PLACEHOLDER, text="b", times=EXCEL_MAX_CELL_CHARS + 1
    )

    with pytest.raises(ImportFileRefused) as raised:
        read_upload(io.BytesIO(data), name="p.xlsx")

    assert raised.value.message.startswith("Cell A2 of the sheet “Plan1” holds more than 32,767 characters")


def test_read_upload__oversized_cell_below_the_header_rows__refused_naming_it():
    rows = [[f"P{i}", f"p{i}@example.com", "c1"] for i in range(20)] + [["Zé", PLACEHOLDER, "c1"]]
    data = with_long_text(_shared(rows), PLACEHOLDER, text="z", times=EXCEL_MAX_CELL_CHARS + 10)

    with pytest.raises(ImportFileRefused) as raised:
        read_upload(io.BytesIO(data), name="p.xlsx")

    assert raised.value.message.startswith("Cell B22 of the sheet “Plan1”")


def test_read_upload__oversized_shared_string_no_read_cell_uses__read():
    data = workbook(
        {"Plan1": [HEADER, ["Ana", "ana@example.com", "c1"]], "Notas": [[PLACEHOLDER]]},
    )
    data = with_long_text(data, PLACEHOLDER, text="n", times=EXCEL_MAX_CELL_CHARS * 2)

    upload = read_upload(io.BytesIO(data), name="p.xlsx")

    assert [row.name for row in upload_rows(io.BytesIO(data), upload)] == ["Ana"]


def test_upload_rows__cell_longer_than_import_max_cell_chars__cut_and_named_on_its_row(settings):
    settings.IMPORT_MAX_CELL_CHARS = 20
    data = with_long_text(
        _shared([["Ana", "ana@example.com", "c1"], [PLACEHOLDER, "bia@example.com", "c1"]]),
        PLACEHOLDER,
        text="Bia ",
        times=5000,
    )
    upload = read_upload(io.BytesIO(data), name="p.xlsx")

    ana, bia = upload_rows(io.BytesIO(data), upload)

    assert (ana.name, ana.long_cells) == ("Ana", ())
    assert (bia.name, bia.long_cells) == ("Bia " * 5, ("name",))


@pytest.mark.parametrize(
    "text, value, cut",
    [
        # Blanks around a short text are not counted: it is read whole.
        (" " * 50 + "Ana Lima", "Ana Lima", False),
        ("Ana Lima" + " " * 50, "Ana Lima  ", False),
        # A long gap inside counts: the text is longer than kept.
        ("Ana" + " " * 50 + "Lima", "Ana" + " " * 7, True),
        ("A" * 10, "A" * 10, False),
        ("A" * 11, "A" * 10, True),
    ],
)
def test_sheet_rows__text_longer_than_kept__cut_from_its_first_non_blank_character(text, value, cut):
    (_header, (number, cells)) = _cells(_inline([[text, "x", "y"]]), keep=10)

    assert number == 2
    assert cells[0].strip() == value.strip() and cells[0] == value
    assert isinstance(cells[0], CutText) is cut


def test_sheet_rows__rich_text_escapes_and_values__read_as_openpyxl_reads_them():
    data = workbook({"P": [["a_x005F_b", True, 12, 1.5, None, "=1+1"]]})

    ((number, cells),) = _cells(data, keep=100)

    # openpyxl writes "_x005F_" literally (no escaping): read back, Excel's escape is undone.
    assert number == 1
    assert cells == ["a_b", True, 12, 1.5]


def test_read_upload__tag_longer_than_any_spreadsheet_writes__refused_as_damaged():
    # A row's start tag of 2 MB (blanks between its attributes): expat keeps a tag whole until it ends.
    data = with_long_text(_inline([["Ana", "ana@example.com", "c1"]]), 'r="2"', text=" ", times=2 << 20)

    with pytest.raises(ImportFileRefused) as raised, translation.override("en"):
        read_upload(io.BytesIO(data), name="p.xlsx")

    assert "cannot be read as an Excel workbook" in raised.value.message
