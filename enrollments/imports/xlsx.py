"""Read the cells of an .xlsx workbook's sheet with memory bounded whatever the workbook holds.

openpyxl reads the workbook's small parts (content types, the workbook and its relationships,
the styles that say which numbers are dates). The two parts a file can make huge, the sheet and
the shared strings, are read here instead: the zip member is decompressed in blocks and fed to
expat, whose character data arrives in pieces as it is parsed, so a cell's text is counted while it
streams and only its first characters are kept. openpyxl would build each cell's text whole (a
95 MB cell took the web process to 1.3 GB before any limit applied).

Cell values are what openpyxl gives in read-only ``data_only`` mode: numbers (dates for date
styles), booleans, strings, a formula's saved result.
"""

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS

from .parsing import CutText

# The most characters a cell of Excel (and of LibreOffice) holds: a longer text was not written by a spreadsheet.
EXCEL_MAX_CELL_CHARS = 32_767
FEED_BYTES = 1 << 16
# A tag, an attribute or a comment this long (expat keeps one whole until it ends) is no spreadsheet's either.
MAX_TOKEN_BYTES = 1 << 20
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")
# Excel escapes characters XML cannot hold as ``_xHHHH_`` (``_x000D_`` a carriage return, ``_x005F_`` an underscore).
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


class OversizedCell(Exception):
    """A cell holds more than ``EXCEL_MAX_CELL_CHARS`` characters; ``cell`` is its reference (``B2``)."""

    def __init__(self, cell: str):
        super().__init__(cell)
        self.cell = cell


# A shared string longer than ``EXCEL_MAX_CELL_CHARS``: refused when a cell that is read uses it.
OVERSIZED = object()


@dataclass
class Book:
    """The parts of a workbook a sheet is read with."""

    archive: zipfile.ZipFile
    # (title, part name) of each worksheet, in the workbook's order (chart sheets left out).
    sheets: list[tuple[str, str]]
    strings_part: str | None
    epoch: object
    date_styles: set[int] = field(default_factory=set)
    timedelta_styles: set[int] = field(default_factory=set)
    strings: list | None = None

    def close(self) -> None:
        self.archive.close()


def open_book(stream: BinaryIO) -> Book:
    """Open a workbook's small parts with openpyxl; raise whatever a broken file makes it raise."""
    reader = ExcelReader(stream, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
        strings = reader.package.find(SHARED_STRINGS)
    except BaseException:
        reader.archive.close()
        raise
    return Book(
        archive=reader.archive,
        sheets=sheets,
        strings_part=strings.PartName[1:] if strings is not None else None,
        epoch=reader.wb.epoch,
        date_styles=set(getattr(reader.wb, "_date_formats", ())),
        timedelta_styles=set(getattr(reader.wb, "_timedelta_formats", ())),
    )


def shared_strings(book: Book, *, keep: int) -> list:
    """Return the workbook's shared strings, read once and kept in ``book``: each cut to ``keep`` characters
    (``CutText``), or ``OVERSIZED``."""
    if book.strings is None:
        book.strings = []
        if book.strings_part is not None:
            parser = _StringsParser(keep)
            for _ in _parse(book.archive, book.strings_part, parser):
                pass
            book.strings = parser.strings
    return book.strings


def sheet_rows(
    book: Book, part: str, *, keep: int, min_row: int = 1, max_row: int | None = None, max_col: int | None = None
) -> Iterator[tuple[int, list]]:
    """Yield ``(row number, values)`` of each row of the sheet in ``part`` from ``min_row`` to ``max_row``, as wide
    as its last cell or ``max_col`` wide; raise ``OversizedCell``.

    A text is cut to ``keep`` characters (``CutText``); cells right of ``max_col`` are skipped unread.
    """
    strings = shared_strings(book, keep=keep)
    parser = _SheetParser(book, strings, keep=keep, min_row=min_row, max_row=max_row, max_col=max_col)
    yield from _parse(book.archive, part, parser)


def _parse(archive: zipfile.ZipFile, part: str, handler: "_Handler") -> Iterator:
    """Feed a zip member to expat in blocks; yield what ``handler`` finished after each block."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = False
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    # No spreadsheet declares a DTD; entities of one could multiply a small file.
    parser.StartDoctypeDeclHandler = _refuse_doctype
    with archive.open(part) as member:
        while block := member.read(FEED_BYTES):
            handler.fed += len(block)
            parser.Parse(block, False)
            if handler.fed > MAX_TOKEN_BYTES:
                raise ValueError("a token longer than any spreadsheet writes")
            if handler.done:
                yield from handler.done
                handler.done = []
            if handler.finished:
                return
        parser.Parse(b"", True)
    yield from handler.done


def _refuse_doctype(*_args) -> None:
    raise ValueError("a document type declaration")


class _Text:
    """The text of one cell or shared string, counted as it streams, kept up to ``keep`` characters from its
    first non-blank one."""

    __slots__ = ("keep", "parts", "kept", "length", "first", "last")

    def __init__(self, keep: int):
        self.keep, self.parts, self.kept = keep, [], 0
        # Characters seen; where the first non-blank one starts and the last non-blank one ends.
        self.length, self.first, self.last = 0, None, 0

    def add(self, data: str) -> None:
        start = self.length
        self.length += len(data)
        if self.length > EXCEL_MAX_CELL_CHARS:
            return
        trimmed = data.rstrip()
        if trimmed:
            self.last = start + len(trimmed)
        if self.first is None:
            data = data.lstrip()
            if not data:
                return
            self.first = self.length - len(data)
        if self.kept < self.keep:
            piece = data[: self.keep - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)

    @property
    def oversized(self) -> bool:
        return self.length > EXCEL_MAX_CELL_CHARS

    def value(self) -> str:
        text = _unescape("".join(self.parts))
        return CutText(text) if self.first is not None and self.last - self.first > self.keep else text


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


class _Handler:
    # Bytes fed since the last event; set when nothing more is wanted from the part.
    fed = 0
    finished = False
    done: list

    start: Callable
    end: Callable
    text: Callable


class _StringsParser(_Handler):
    """Collect the ``<si>`` items of ``sharedStrings.xml``: plain text and rich-text runs, phonetic runs left out."""

    def __init__(self, keep: int):
        self.keep, self.strings, self.done = keep, [], []
        self.current: _Text | None = None
        self.collecting = False
        self.phonetic = 0

    def start(self, name, _attrs):
        self.fed = 0
        local = name.rpartition(" ")[2]
        if local == "si":
            self.current = _Text(self.keep)
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t" and self.current is not None and not self.phonetic:
            self.collecting = True

    def end(self, name):
        self.fed = 0
        local = name.rpartition(" ")[2]
        if local == "t":
            self.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si" and self.current is not None:
            self.strings.append(OVERSIZED if self.current.oversized else self.current.value())
            self.current = None

    def text(self, data):
        self.fed = 0
        if self.collecting:
            self.current.add(data)


class _SheetParser(_Handler):
    """Collect the rows of a worksheet's ``<sheetData>``, each as a list of values."""

    def __init__(self, book: Book, strings: list, *, keep: int, min_row: int, max_row: int | None, max_col: int | None):
        self.book, self.strings, self.keep = book, strings, keep
        self.min_row, self.max_row, self.max_col = min_row, max_row, max_col
        self.done: list[tuple[int, list]] = []
        self.row_number = 0
        self.values: list | None = None
        self.column = 0
        # The cell being read, when it is: its reference, type (``t``) and style (``s``).
        self.cell: tuple[str, str, int] | None = None
        self.content: _Text | None = None
        self.collecting = False
        self.phonetic = 0

    def start(self, name, attrs):
        self.fed = 0
        local = name.rpartition(" ")[2]
        if local == "c":
            if self.values is None:
                return
            reference = attrs.get("r")
            match = _CELL_REF.fullmatch(reference) if reference else None
            self.column = column_index_from_string(match.group(1).upper()) if match else self.column + 1
            if self.max_col is not None and self.column > self.max_col:
                self.cell = None
                return
            style = attrs.get("s")
            self.cell = (
                reference or f"{get_column_letter(self.column)}{self.row_number}",
                attrs.get("t", "n"),
                int(style) if style else 0,
            )
            self.content = None
        elif local == "row":
            reference = attrs.get("r")
            self.row_number = int(reference) if reference else self.row_number + 1
            self.column = 0
            self.values = [] if self.row_number >= self.min_row else None
            if self.max_row is not None and self.row_number > self.max_row:
                # The rest of the block is parsed: its cells are not read.
                self.values, self.finished = None, True
        elif self.cell is not None:
            if local == "v" or (local == "t" and self.cell[1] == "inlineStr" and not self.phonetic):
                if self.content is None:
                    self.content = _Text(self.keep)
                self.collecting = True
            elif local == "rPh":
                self.phonetic += 1

    def end(self, name):
        self.fed = 0
        local = name.rpartition(" ")[2]
        if local in ("v", "t"):
            self.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c" and self.cell is not None:
            value = self._value()
            if value is not None:
                self.values.extend([None] * (self.column - 1 - len(self.values)))
                self.values.append(value)
            self.cell = None
        elif local == "row" and self.values is not None:
            if self.max_col is not None:
                self.values.extend([None] * (self.max_col - len(self.values)))
            self.done.append((self.row_number, self.values))
            self.values = None

    def text(self, data):
        self.fed = 0
        if self.collecting:
            self.content.add(data)
            if self.content.oversized:
                raise OversizedCell(self.cell[0])

    def _value(self):
        """Return the cell's value as openpyxl's read-only ``data_only`` mode gives it."""
        reference, kind, style = self.cell
        content = self.content
        if content is None or content.first is None:
            return None
        text = content.value()
        if kind == "inlineStr" or kind == "str" or kind == "e":
            return text
        if isinstance(text, CutText):
            # A number, a boolean or an index this long is a broken file.
            raise ValueError(f"cell {reference} is too long for its type")
        text = text.strip()
        if kind == "s":
            value = self.strings[int(text)]
            if value is OVERSIZED:
                raise OversizedCell(reference)
            return value
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        number = float(text) if "." in text or "E" in text or "e" in text else int(text)
        if style in self.book.date_styles:
            try:
                return from_excel(number, self.book.epoch, timedelta=style in self.book.timedelta_styles)
            except (OverflowError, ValueError):
                # As openpyxl reads a date out of range.
                return "#VALUE!"
        return number
