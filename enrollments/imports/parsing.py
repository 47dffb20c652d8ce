"""Read an uploaded CSV file: limits, encoding, delimiter, columns, then its rows one by one.

The file is read as a stream of blocks, never whole: one pass checks size,
content and encoding (and hashes it), later passes decode it block by block.
"""

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from ..csv_files import unneutralize
from ..exceptions import ImportFileRefused

BLOCK_SIZE = 1 << 16
DELIMITERS = (",", ";", "\t")
# Added after the last line: a cell that swallows it was opened by a quote that never closed.
_END_OF_FILE = "\ufdd0"

NAME, EMAIL, CPF, COURSE, WINDOW_DAYS = "name", "email", "cpf", "course", "window_days"
# Header names after normalization (accents and case dropped, punctuation as spaces).
HEADER_NAMES = {
    NAME: {"name", "nome", "full name", "nome completo"},
    EMAIL: {"email", "e mail", "email address", "endereco de email", "endereco de e mail"},
    CPF: {"cpf"},
    COURSE: {"course", "curso", "course id", "id do curso", "course name", "nome do curso"},
    WINDOW_DAYS: {
        "window days",
        "window",
        "janela",
        "janela dias",
        "dias de janela",
        "deduplication window",
        "deduplication window days",
        "janela de deduplicacao",
        "janela de deduplicacao dias",
    },
}
# The headers of the files this app gives staff to fill or fix (the import template, the failed rows), in their
# language; ``header_names`` recognises them in every language of ``LANGUAGES``, so such a file uploads again as it is.
WRITTEN_HEADERS = {
    # Translators: a column header of CSV files (the import template, failed rows, reports).
    NAME: pgettext_lazy("CSV column", "name"),
    EMAIL: pgettext_lazy("CSV column", "email"),
    CPF: pgettext_lazy("CSV column", "cpf"),
    COURSE: pgettext_lazy("CSV column", "course"),
    # Translators: a CSV column header, the deduplication window in days, e.g. "janela (dias)".
    WINDOW_DAYS: pgettext_lazy("CSV column", "window days"),
}
COLUMN_LABELS = {
    NAME: "name/nome",
    EMAIL: "email/e-mail",
    CPF: "cpf",
    COURSE: "course/curso",
    WINDOW_DAYS: "window days/janela (dias)",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Bytes Windows-1252 leaves undefined: a file with them is Latin-1.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
# Every Portuguese accented letter is \xc3 and one more byte in UTF-8: in a file that is not UTF-8 as a whole,
# such pairs mean some lines were saved as UTF-8 and others as Windows-1252 ("José" beside "JosÃ©").
_UTF8_LATIN_LETTER = re.compile(rb"\xc3[\x80-\xbf]")
_LINE_END = re.compile(r"\r\n|\r|\n")
# The ``encoding`` of a file read from an .xlsx workbook (``workbooks``).
XLSX = "xlsx"


@dataclass(frozen=True)
class UploadedTable:
    """What the first pass learned about an uploaded file (a CSV file, or the sheet of a workbook)."""

    name: str
    size: int
    sha256: str
    encoding: str
    delimiter: str
    headers: list[str]
    # Field (``name``, ``email``...) -> index of its column.
    columns: dict[str, int] = field(default_factory=dict)
    # An .xlsx workbook (``encoding`` is ``XLSX``): the sheet read, and the number of its header row.
    sheet: str | None = None
    header_row: int = 0
    # Data rows, blank ones aside: counted by ``files.read_upload``.
    rows: int = 0

    @property
    def is_workbook(self) -> bool:
        return self.sheet is not None


@dataclass(slots=True)
class RawRow:
    """One data row as the file has it (cells trimmed), with the line it starts on."""

    line: int
    name: str
    email: str
    cpf: str
    course: str
    window_days: str
    # Headers of the cells longer than ``IMPORT_MAX_CELL_CHARS``: their values above are cut there.
    long_cells: tuple[str, ...] = ()


class CutText(str):
    """A cell's text cut while it was read (``xlsx``): from its first non-blank character, as much as was kept;
    the whole text, blanks around it aside, is longer than that."""


def normalize_header(text: str) -> str:
    """Return a header cell without accents, case or punctuation: ``"E-mail "`` -> ``"e mail"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def header_names() -> dict[str, set[str]]:
    """Return the normalized header names of each field: ``HEADER_NAMES`` and ``WRITTEN_HEADERS`` as every
    language of ``LANGUAGES`` words them."""
    names = {field_name: set(known) for field_name, known in HEADER_NAMES.items()}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for field_name, header in WRITTEN_HEADERS.items():
                # A header that normalizes to nothing would match every blank cell.
                names[field_name].update(filter(None, [normalize_header(str(header))]))
    return names


def read_csv_file(stream: BinaryIO, *, name: str = "", has_default_course: bool = False) -> UploadedTable:
    """Check an uploaded file and find its encoding, delimiter and columns; raise ``ImportFileRefused``.

    ``stream`` is a binary file object that can seek (an upload or an open file).
    Nothing about the rows is checked here but that the file has some.
    """
    size, sha256, encoding = _inspect(stream)
    header_line = _first_non_blank_line(stream, encoding)
    if header_line is None:
        raise ImportFileRefused(_("The file is empty."))
    delimiter, headers, columns = _header(header_line, _sample(stream, encoding))
    check_required_columns(headers, columns, has_default_course=has_default_course)
    return UploadedTable(
        name=name, size=size, sha256=sha256, encoding=encoding, delimiter=delimiter, headers=headers, columns=columns
    )


def check_required_columns(headers: list[str], columns: dict[str, int], *, has_default_course: bool) -> None:
    """Raise ``ImportFileRefused`` naming the columns an import needs that ``headers`` lack."""
    required = [NAME, EMAIL] + ([] if has_default_course else [COURSE])
    missing = [COLUMN_LABELS[f] for f in required if f not in columns]
    if not missing:
        return
    found = ", ".join(f"“{h}”" for h in headers if h.strip()) or _("none")
    message = _(
        "The file has no column for %(missing)s. Its columns are: %(found)s. Expected, in English or "
        "Portuguese and in any order: name/nome, email/e-mail, cpf (optional), course/curso (optional "
        "with a default course), window days/janela (optional)."
    ) % {"missing": ", ".join(missing), "found": found}
    if missing == [COLUMN_LABELS[COURSE]]:
        message += " " + _("Choose a default course or add a course column.")
    raise ImportFileRefused(message)


def iter_rows(stream: BinaryIO, table: UploadedTable) -> Iterator[RawRow]:
    """Yield the data rows of a checked file, skipping blank ones; raise ``ImportFileRefused`` for an unreadable
    line, a quote that never closes, more rows than the limit, or no rows at all (only once every row was read).

    Time is linear in the file's size whatever its line lengths; a cell longer than
    ``IMPORT_MAX_CELL_CHARS`` is cut there and named in ``long_cells``, for the row's checks to report.
    """
    return raw_rows(_numbered_lines(stream, table), table)


def raw_rows(lines: Iterable[tuple[int, list[str]]], table: UploadedTable) -> Iterator[RawRow]:
    """Yield a ``RawRow`` for each ``(line, cells)`` after the header that is not blank; raise
    ``ImportFileRefused`` past ``IMPORT_MAX_ROWS`` rows, or at the end when there was none.

    CSV lines and the rows of a sheet (``workbooks``) both come through here.
    """
    columns, max_rows, max_cell = table.columns, settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELL_CHARS
    count = 0
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > max_rows:
            # Raised at the first row past the limit: the rest of the file is never read.
            raise ImportFileRefused(
                ngettext(
                    "The file has more than %(limit)s row; split it into files of at most %(limit)s row.",
                    "The file has more than %(limit)s rows; split it into files of at most %(limit)s rows.",
                    max_rows,
                )
                % {"limit": number_format(max_rows, force_grouping=True)}
            )
        values, long_cells = {}, []
        for field_name in HEADER_NAMES:
            index = columns.get(field_name)
            cell = cells[index] if index is not None and index < len(cells) else ""
            value = unneutralize(cell.strip())
            if len(value) > max_cell or isinstance(cell, CutText):
                long_cells.append(table.headers[index])
                value = value[:max_cell]
            values[field_name] = value
        yield RawRow(line=line, long_cells=tuple(long_cells), **values)
    if count == 0:
        raise ImportFileRefused(_("The file has column names but no rows."))


def _numbered_lines(stream: BinaryIO, table: UploadedTable) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` for each CSV record after the header line (the first that is not blank)."""
    # Any cell must be readable, so that a long one is reported on its row instead of refusing the file.
    csv.field_size_limit(max(csv.field_size_limit(), settings.IMPORT_MAX_BYTES))
    reader = csv.reader(_lines(stream, table.encoding, end_mark=True), delimiter=table.delimiter)
    seen_header = False
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileRefused(
                _("Line %(line)s cannot be read as CSV (%(error)s); nothing was imported.")
                % {"line": line, "error": error}
            ) from None
        if cells and _END_OF_FILE in cells[-1]:
            if cells == [_END_OF_FILE]:
                return
            raise ImportFileRefused(
                _(
                    'Line %(line)s opens a quote (") that never closes, so every line after it would be read as '
                    "one cell. Close the quote or remove it, and upload the file again."
                )
                % {"line": line}
            )
        if not seen_header:
            seen_header = any(cell.strip() for cell in cells)
            continue
        yield line, cells


def _inspect(stream: BinaryIO) -> tuple[int, str, str]:
    """Return size, sha256 and encoding of the whole file, reading it once in blocks.

    Refuse a file that is binary, holds a NUL byte anywhere, is UTF-16 without a
    byte-order mark, or mixes UTF-8 lines with Windows-1252 ones, each with its own message.
    """
    max_bytes = settings.IMPORT_MAX_BYTES
    check_size(stream)
    first = stream.read(BLOCK_SIZE)
    encoding = next((name for bom, name in _BOMS if first.startswith(bom)), None)
    if encoding is None and _utf16_without_bom(first):
        raise ImportFileRefused(
            _(
                "The file is UTF-16 text without a byte-order mark (from line 1), which cannot be read safely: "
                "save it again as CSV UTF-8."
            )
        )
    if encoding != "utf-16" and _looks_binary(first):
        raise ImportFileRefused(
            _(
                "This is not a CSV text file (it holds binary data, like an image or an .xlsx "
                "workbook): save the sheet as CSV and upload that."
            )
        )
    digest, size, lines_before = hashlib.sha256(), 0, 0
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    decoders = {name: codecs.getincrementaldecoder(name)("strict") for name in candidates if name != "cp1252"}
    cp1252_ok = "cp1252" in candidates
    first_non_utf8_line = None
    utf8_letters = False
    block = first
    while block:
        size += len(block)
        if size > max_bytes:
            raise past_the_limit(max_bytes)
        digest.update(block)
        if encoding != "utf-16" and (nul := block.find(b"\x00")) >= 0:
            raise ImportFileRefused(
                _("Line %(line)s holds a NUL byte (binary data), which no CSV text has: save the sheet as CSV again.")
                % {"line": lines_before + block.count(b"\n", 0, nul) + 1}
            )
        for name, decoder in list(decoders.items()):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                del decoders[name]
                if name == "utf-8":
                    first_non_utf8_line = lines_before + block.count(b"\n", 0, max(0, error.start)) + 1
        if not encoding and not utf8_letters and _UTF8_LATIN_LETTER.search(block):
            utf8_letters = True
        if cp1252_ok and _CP1252_UNDEFINED.search(block):
            cp1252_ok = False
        lines_before += block.count(b"\n")
        block = stream.read(BLOCK_SIZE)
    for name, decoder in list(decoders.items()):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
            if name == "utf-8":
                first_non_utf8_line = lines_before + 1
    if size == 0:
        raise ImportFileRefused(_("The file is empty."))
    if encoding:
        if encoding not in decoders:
            raise ImportFileRefused(
                _("The file says it is %(encoding)s but is not: save it again as CSV UTF-8.")
                % {"encoding": encoding.upper()}
            )
        return size, digest.hexdigest(), encoding
    # Strict UTF-8 first: Windows-1252 text is almost never valid UTF-8 by accident.
    if "utf-8" in decoders:
        return size, digest.hexdigest(), "utf-8"
    if utf8_letters:
        raise ImportFileRefused(
            _(
                "The file mixes two encodings: some lines are UTF-8 and line %(line)s is not (read as one, the "
                "other shows “JosÃ©” for “José”). Save the whole sheet again as CSV UTF-8."
            )
            % {"line": first_non_utf8_line or 1}
        )
    return size, digest.hexdigest(), "cp1252" if cp1252_ok else "latin-1"


def _utf16_without_bom(block: bytes) -> bool:
    """Return whether ``block`` looks like UTF-16 text with no byte-order mark: a NUL beside most characters."""
    sample = block[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    # Latin text in UTF-16 puts a NUL in every other byte: the odd ones (little-endian) or the even ones.
    return max(even.count(0), odd.count(0)) > 0.4 * half and min(even.count(0), odd.count(0)) < 0.1 * half


def _looks_binary(block: bytes) -> bool:
    # A stray control character (a DOS end-of-file mark, one NUL, reported with its line) is tolerated; many are not.
    return len(_CONTROL_BYTES.findall(block)) > 2 + len(block) // 100


def check_size(stream: BinaryIO) -> None:
    """Refuse a file over ``IMPORT_MAX_BYTES`` by its whole size, where its end is, before reading it; leave the
    stream at its start."""
    max_bytes = settings.IMPORT_MAX_BYTES
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > max_bytes:
        raise ImportFileRefused(
            _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )


def past_the_limit(limit: int) -> ImportFileRefused:
    """Refuse a file found longer than ``limit`` bytes while it was read (longer than its end said): how much
    longer is not known, so the message says the limit only."""
    return ImportFileRefused(
        _("The file passes %(limit)s, the limit. Split it into smaller files.") % {"limit": filesizeformat(limit)}
    )


def _lines(stream: BinaryIO, encoding: str, *, end_mark: bool = False) -> Iterator[str]:
    """Yield the decoded lines of the file with their line ends (``\\r\\n``, ``\\n`` or ``\\r`` only, as csv wants).

    Each character is looked at once, however long a line is. With ``end_mark``, a last
    line ``_END_OF_FILE`` follows the file's own.
    """
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pending: list[str] = []
    carried_cr = False
    while True:
        block = stream.read(BLOCK_SIZE)
        text = decoder.decode(block, final=not block)
        start = 0
        if carried_cr:
            # The previous block ended in "\r": this one says whether it was "\r\n".
            start = 1 if text.startswith("\n") else 0
            pending.append("\r" + text[:start])
            yield "".join(pending)
            pending, carried_cr = [], False
        for match in _LINE_END.finditer(text, start):
            if block and match.end() == len(text) and match.group() == "\r":
                pending.append(text[start : match.start()])
                carried_cr, start = True, len(text)
                break
            pending.append(text[start : match.end()])
            yield "".join(pending)
            pending, start = [], match.end()
        if start < len(text):
            pending.append(text[start:])
        if not block:
            last = "".join(pending)
            if end_mark:
                # Ended, so that the mark is a line of its own; csv drops line ends anyway.
                yield from ([last + "\n"] if last else [])
                yield _END_OF_FILE + "\n"
            elif last:
                yield last
            return


def _first_non_blank_line(stream: BinaryIO, encoding: str) -> str | None:
    """Return the header line: the first with a cell that is not blank (``;;;`` is blank, as rows see it)."""
    for line in _lines(stream, encoding):
        if line.strip("".join(DELIMITERS) + " \r\n\ufeff\"'"):
            return line
    return None


def _sample(stream: BinaryIO, encoding: str, size: int = 16_384) -> str:
    """Return the first ``size`` characters of the file, whole lines but for the last (one long line is cut)."""
    parts, total = [], 0
    for line in _lines(stream, encoding):
        parts.append(line)
        total += len(line)
        if total >= size:
            break
    return "".join(parts)[:size]


def _header(header_line: str, sample: str) -> tuple[str, list[str], dict[str, int]]:
    """Return the delimiter and the columns of the header: the delimiter under which most known names appear,
    csv.Sniffer's guess among those that tie."""
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = max(DELIMITERS, key=header_line.count)
    candidates, names = [], header_names()
    for delimiter in (sniffed, *(d for d in DELIMITERS if d != sniffed)):
        headers = [
            header.strip().lstrip("\ufeff") for header in next(csv.reader([header_line], delimiter=delimiter), [])
        ]
        candidates.append((delimiter, headers, *find_columns(headers, names)))
    # max() keeps the first of equals: the sniffed delimiter wins a tie.
    delimiter, headers, columns, repeated = max(candidates, key=lambda candidate: len(candidate[2]))
    if repeated:
        raise ImportFileRefused(repeated)
    return delimiter, headers, columns


def find_columns(headers: list[str], names: dict[str, set[str]]) -> tuple[dict[str, int], str]:
    """Return the known columns by field (``names`` from ``header_names``), and a message when one field has
    two columns."""
    columns: dict[str, int] = {}
    repeated = ""
    for index, header in enumerate(headers):
        normalized = normalize_header(header)
        for field_name, known in names.items():
            if normalized not in known:
                continue
            if field_name in columns:
                repeated = repeated or _(
                    "The column %(field)s appears twice (“%(first)s” and “%(second)s”): keep one."
                ) % {"field": COLUMN_LABELS[field_name], "first": headers[columns[field_name]], "second": header}
            else:
                columns[field_name] = index
    return columns, repeated
