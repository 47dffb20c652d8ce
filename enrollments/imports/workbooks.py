"""Read the sheet of an uploaded .xlsx workbook as the rows a CSV file would give.

``xlsx`` streams the sheet's XML row by row, and its shared strings, with memory bounded whatever a cell holds,
giving a formula's saved value. Each cell becomes the text a CSV saved by the spreadsheet would hold (a date
``dd/mm/yyyy``, a whole number without ``.0``, a CPF stored as a number with its leading zeros back), and the
rows go through ``parsing.raw_rows`` like CSV lines, numbered by the sheet's rows. A text longer than
``IMPORT_MAX_CELL_CHARS`` is cut while it streams and is an error on its row, as in a CSV file; one longer than
a spreadsheet cell can hold refuses the file.
"""

import contextlib
import datetime
import hashlib
import warnings
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..exceptions import ImportFileRefused
from .parsing import (
    BLOCK_SIZE,
    CPF,
    XLSX,
    RawRow,
    UploadedTable,
    check_required_columns,
    check_size,
    find_columns,
    header_names,
    past_the_limit,
    raw_rows,
)
from .xlsx import EXCEL_MAX_CELL_CHARS, Book, OversizedCell, open_book, sheet_rows

# The header is the row, among the sheet's first ones, that names the most known columns: title rows
# (often merged cells) above it are skipped.
HEADER_SEARCH_ROWS = 10
# An .xlsx is a zip of XML: what it unpacks to is limited as well, at this many times ``IMPORT_MAX_BYTES``
# (a sheet of 100,000 rows of five columns unpacks to about 30 MB), so a zip bomb is refused before it is read.
UNPACKED_TIMES = 5
# The last row of a sheet in Excel; a row numbered beyond it is a broken or forged file.
MAX_SHEET_ROW = 1_048_576
CPF_DIGITS = 11


def broken_workbook() -> ImportFileRefused:
    return ImportFileRefused(
        _(
            "This file cannot be read as an Excel workbook (.xlsx): it is damaged or in another format. Open it "
            "in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or CSV UTF-8, and upload that."
        )
    )


def read_xlsx_file(
    stream: BinaryIO, *, name: str = "", has_default_course: bool = False, sheet: str | None = None
) -> UploadedTable:
    """Check an uploaded workbook and find the sheet to read (``sheet`` by name, else the first) and its header
    row and columns; raise ``ImportFileRefused``."""
    size, sha256 = _inspect(stream)
    with _open(stream) as book:
        title, part = _worksheet(book, sheet)
        others = [other for other, _part in book.sheets if other != title]
        header_row, headers, columns, repeated = _header(book, title, part)
    if repeated:
        raise ImportFileRefused(repeated)
    try:
        check_required_columns(headers, columns, has_default_course=has_default_course)
    except ImportFileRefused as error:
        if not others:
            raise
        raise ImportFileRefused(
            error.message
            + " "
            + _("This was the sheet “%(sheet)s”; the workbook also has %(others)s: name the sheet to import.")
            % {"sheet": title, "others": ", ".join(f"“{other}”" for other in others)}
        ) from None
    return UploadedTable(
        name=name,
        size=size,
        sha256=sha256,
        encoding=XLSX,
        delimiter="",
        headers=headers,
        columns=columns,
        sheet=title,
        header_row=header_row,
    )


def iter_xlsx_rows(stream: BinaryIO, table: UploadedTable) -> Iterator[RawRow]:
    """Yield the data rows of a checked workbook's sheet, each with its row number; raise ``ImportFileRefused``
    as ``parsing.iter_rows`` does, or for a sheet that breaks while it is read."""
    with _open(stream) as book:
        title, part = _worksheet(book, table.sheet)
        yield from raw_rows(_numbered_rows(book, title, part, table), table)


def cell_text(value, *, cpf: bool = False) -> str:
    """Return a cell's value as the text a CSV file saved by the spreadsheet would hold.

    A whole number loses its ``.0``; in the CPF column one of at most 11 digits gets its leading
    zeros back (a spreadsheet stores 012.345.678-90 typed as a number as 12345678890).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if cpf and 0 <= value < 10**CPF_DIGITS:
            return f"{value:0{CPF_DIGITS}d}"
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y" if value.time() == datetime.time() else "%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def _inspect(stream: BinaryIO) -> tuple[int, str]:
    """Return size and sha256 of the file, read once in blocks; refuse one over ``IMPORT_MAX_BYTES``, one that is
    not a zip, and one that unpacks to more than ``UNPACKED_TIMES`` times that."""
    max_bytes = settings.IMPORT_MAX_BYTES
    digest, size = hashlib.sha256(), 0
    check_size(stream)
    while block := stream.read(BLOCK_SIZE):
        size += len(block)
        if size > max_bytes:
            raise past_the_limit(max_bytes)
        digest.update(block)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            # The sizes a zip declares are the most it unpacks to: zipfile stops there, and fails the CRC check.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise broken_workbook() from None
    limit = UNPACKED_TIMES * max_bytes
    if unpacked > limit:
        raise ImportFileRefused(
            _(
                "The workbook unpacks to %(size)s, more than the %(limit)s an import reads. Keep only the sheet "
                "to import, or save it as CSV UTF-8 and upload that."
            )
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(limit)}
        )
    return size, digest.hexdigest()


@contextlib.contextmanager
def _open(stream: BinaryIO):
    """Open the workbook's parts a sheet is read with; close it after."""
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (data validation, default styles): nothing to tell staff.
            warnings.simplefilter("ignore")
            book = open_book(stream)
    # Untrusted bytes through a third-party parser: whatever it raises means the file cannot be read.
    except Exception:
        raise broken_workbook() from None
    try:
        yield book
    finally:
        book.close()


def _worksheet(book: Book, sheet: str | None) -> tuple[str, str]:
    """Return the title and part of the sheet named ``sheet`` (case aside), else of the first; raise
    ``ImportFileRefused`` for a name the workbook lacks."""
    if not book.sheets:
        raise ImportFileRefused(_("The workbook has no sheet to read."))
    if not sheet:
        return book.sheets[0]
    wanted = sheet.strip()
    found = next((pair for pair in book.sheets if pair[0] == wanted), None) or next(
        (pair for pair in book.sheets if pair[0].casefold() == wanted.casefold()), None
    )
    if found is None:
        raise ImportFileRefused(
            _("The workbook has no sheet named “%(sheet)s”. Its sheets are: %(sheets)s.")
            % {"sheet": wanted, "sheets": ", ".join(f"“{title}”" for title, _part in book.sheets)}
        )
    return found


def _header(book: Book, title: str, part: str) -> tuple[int, list[str], dict[str, int], str]:
    """Return the header row's number, its cells, the known columns and a message when one field has two: the
    row of the first ``HEADER_SEARCH_ROWS`` naming the most known columns, else the first that is not blank."""
    names, chosen = header_names(), None
    rows = _guarded(sheet_rows(book, part, keep=_kept_chars(), max_row=HEADER_SEARCH_ROWS), title)
    for number, values in rows:
        headers = [cell_text(value).strip() for value in values]
        if not any(headers):
            continue
        columns, repeated = find_columns(headers, names)
        if chosen is None or len(columns) > len(chosen[2]):
            chosen = (number, headers, columns, repeated)
    if chosen is None:
        raise ImportFileRefused(_("The sheet “%(sheet)s” is empty.") % {"sheet": title})
    return chosen


def _numbered_rows(book: Book, title: str, part: str, table: UploadedTable) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row number, cells)`` for each row below the header, as wide as the last known column."""
    # Cells right of the known columns are never read: a forged cell in column XFD costs nothing.
    width = max(table.columns.values()) + 1
    cpf_index = table.columns.get(CPF)
    rows = _guarded(sheet_rows(book, part, keep=_kept_chars(), min_row=table.header_row + 1, max_col=width), title)
    for number, values in rows:
        if number > MAX_SHEET_ROW:
            raise broken_workbook()
        yield number, [cell_text(value, cpf=index == cpf_index) for index, value in enumerate(values)]


def _kept_chars() -> int:
    # One more than a cell may hold: enough for the row's checks to see it is too long.
    return settings.IMPORT_MAX_CELL_CHARS + 1


def _guarded(rows: Iterator[tuple[int, list]], title: str) -> Iterator[tuple[int, list]]:
    """Yield the rows ``xlsx`` reads; refuse an oversized cell naming it, and turn whatever else a damaged sheet
    makes the reading raise into one message."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except OversizedCell as oversized:
            raise ImportFileRefused(
                ngettext(
                    "Cell %(cell)s of the sheet “%(sheet)s” holds more than %(limit)s character, more than a "
                    "spreadsheet cell can hold: the file was not saved by Excel or LibreOffice. Open it in one of "
                    "them, save it again, and upload that.",
                    "Cell %(cell)s of the sheet “%(sheet)s” holds more than %(limit)s characters, more than a "
                    "spreadsheet cell can hold: the file was not saved by Excel or LibreOffice. Open it in one of "
                    "them, save it again, and upload that.",
                    EXCEL_MAX_CELL_CHARS,
                )
                % {
                    "cell": oversized.cell,
                    "sheet": title,
                    "limit": number_format(EXCEL_MAX_CELL_CHARS, force_grouping=True),
                }
            ) from None
        # As in ``_open``: a truncated stream, bad XML or an impossible value all mean a damaged file.
        except Exception:
            raise broken_workbook() from None
        yield row
