"""Read an uploaded CSV file: limits, encoding, delimiter, columns, then its rows one by one.

The file is read as a stream of blocks, never whole: one pass checks size,
content and encoding (and hashes it), later passes decode it block by block.
"""

import codecs
import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..csv_files import unneutralize
from ..exceptions import ImportFileRefused

BLOCK_SIZE = 1 << 16
DELIMITERS = (",", ";", "\t")
# A row's cells beyond this length are errors, which also keeps chunk items small.
MAX_CELL_LENGTH = 254

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
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


@dataclass(frozen=True)
class CsvFile:
    """What the first pass learned about an uploaded file."""

    name: str
    size: int
    sha256: str
    encoding: str
    delimiter: str
    headers: list[str]
    # Field (``name``, ``email``...) -> index of its column.
    columns: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class RawRow:
    """One data row as the file has it (cells trimmed), with the line it starts on."""

    line: int
    name: str
    email: str
    cpf: str
    course: str
    window_days: str


def normalize_header(text: str) -> str:
    """Return a header cell without accents, case or punctuation: ``"E-mail "`` -> ``"e mail"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def read_csv_file(stream: BinaryIO, *, name: str = "", has_default_course: bool = False) -> CsvFile:
    """Check an uploaded file and find its encoding, delimiter and columns; raise ``ImportFileRefused``.

    ``stream`` is a binary file object that can seek (an upload or an open file).
    Nothing about the rows is checked here but that the file has some.
    """
    size, sha256, encoding = _inspect(stream)
    header_line = _first_non_blank_line(stream, encoding)
    if header_line is None:
        raise ImportFileRefused(_("The file is empty."))
    delimiter, headers, columns = _header(header_line, _sample(stream, encoding))
    required = [NAME, EMAIL] + ([] if has_default_course else [COURSE])
    missing = [COLUMN_LABELS[f] for f in required if f not in columns]
    if missing:
        found = ", ".join(f"“{h}”" for h in headers if h.strip()) or _("none")
        message = _(
            "The file has no column for %(missing)s. Its columns are: %(found)s. Expected, in English or "
            "Portuguese and in any order: name/nome, email/e-mail, cpf (optional), course/curso (optional "
            "with a default course), window days/janela (optional)."
        ) % {"missing": ", ".join(missing), "found": found}
        if missing == [COLUMN_LABELS[COURSE]]:
            message += " " + _("Choose a default course or add a course column.")
        raise ImportFileRefused(message)
    return CsvFile(
        name=name, size=size, sha256=sha256, encoding=encoding, delimiter=delimiter, headers=headers, columns=columns
    )


def iter_rows(stream: BinaryIO, csv_file: CsvFile) -> Iterator[RawRow]:
    """Yield the data rows of a checked file, skipping blank ones; raise ``ImportFileRefused`` for an unreadable
    line, more rows than the limit, or no rows at all (only once every row was read)."""
    reader = csv.reader(_lines(stream, csv_file.encoding), delimiter=csv_file.delimiter)
    columns, max_rows = csv_file.columns, settings.IMPORT_MAX_ROWS
    seen_header, count = False, 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileRefused(
                _("Line %(line)s cannot be read as CSV (%(error)s); nothing was imported.")
                % {"line": line, "error": error}
            ) from None
        if not any(cell.strip() for cell in cells):
            continue
        if not seen_header:
            seen_header = True
            continue
        count += 1
        if count > max_rows:
            raise ImportFileRefused(
                _("The file has more than %(limit)s rows; split it into files of at most %(limit)s rows.")
                % {"limit": f"{max_rows:,}"}
            )
        values = {field_name: _cell(cells, columns.get(field_name)) for field_name in HEADER_NAMES}
        yield RawRow(line=line, **values)
    if count == 0:
        raise ImportFileRefused(_("The file has column names but no rows."))


def _cell(cells: list[str], index: int | None) -> str:
    return unneutralize(cells[index].strip()) if index is not None and index < len(cells) else ""


def _inspect(stream: BinaryIO) -> tuple[int, str, str]:
    """Return size, sha256 and encoding of the whole file, reading it once in blocks."""
    max_bytes = settings.IMPORT_MAX_BYTES
    declared = getattr(stream, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise _too_big(declared, max_bytes)
    stream.seek(0)
    first = stream.read(BLOCK_SIZE)
    encoding = next((name for bom, name in _BOMS if first.startswith(bom)), None)
    if encoding != "utf-16" and _looks_binary(first):
        raise ImportFileRefused(
            _(
                "This is not a CSV text file (it holds binary data, like an image or an .xlsx "
                "workbook): save the sheet as CSV and upload that."
            )
        )
    digest, size = hashlib.sha256(), 0
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    decoders = {name: codecs.getincrementaldecoder(name)("strict") for name in candidates if name != "cp1252"}
    cp1252_ok = "cp1252" in candidates
    block = first
    while block:
        size += len(block)
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        digest.update(block)
        for name, decoder in list(decoders.items()):
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                del decoders[name]
        if cp1252_ok and _CP1252_UNDEFINED.search(block):
            cp1252_ok = False
        block = stream.read(BLOCK_SIZE)
    for name, decoder in list(decoders.items()):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
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
    return size, digest.hexdigest(), "cp1252" if cp1252_ok else "latin-1"


def _looks_binary(block: bytes) -> bool:
    if b"\x00" in block:
        return True
    # A stray control character (a DOS end-of-file mark) is tolerated; many are not.
    return len(_CONTROL_BYTES.findall(block)) > 2 + len(block) // 100


def _too_big(size: int, limit: int) -> ImportFileRefused:
    return ImportFileRefused(
        _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def _lines(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """Yield the decoded lines of the file with their line ends (``\\r\\n``, ``\\n`` or ``\\r`` only, as csv wants)."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pending = ""
    while True:
        block = stream.read(BLOCK_SIZE)
        text = pending + decoder.decode(block, final=not block)
        end = 0
        for match in _LINE.finditer(text):
            # A block that ends in "\r" may continue with "\n": wait for the next block.
            if block and match.end() == len(text) and text.endswith("\r"):
                break
            end = match.end()
            yield match.group()
        pending = text[end:]
        if not block:
            if pending:
                yield pending
            return


def _first_non_blank_line(stream: BinaryIO, encoding: str) -> str | None:
    """Return the header line: the first with a cell that is not blank (``;;;`` is blank, as rows see it)."""
    for line in _lines(stream, encoding):
        if line.strip("".join(DELIMITERS) + " \r\n\ufeff\"'"):
            return line
    return None


def _sample(stream: BinaryIO, encoding: str, size: int = 16_384) -> str:
    parts, total = [], 0
    for line in _lines(stream, encoding):
        parts.append(line)
        total += len(line)
        if total >= size:
            break
    return "".join(parts)


def _header(header_line: str, sample: str) -> tuple[str, list[str], dict[str, int]]:
    """Return the delimiter and the columns of the header: the delimiter under which most known names appear,
    csv.Sniffer's guess among those that tie."""
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = max(DELIMITERS, key=header_line.count)
    candidates = []
    for delimiter in (sniffed, *(d for d in DELIMITERS if d != sniffed)):
        headers = [
            header.strip().lstrip("\ufeff") for header in next(csv.reader([header_line], delimiter=delimiter), [])
        ]
        candidates.append((delimiter, headers, *_columns(headers)))
    # max() keeps the first of equals: the sniffed delimiter wins a tie.
    delimiter, headers, columns, repeated = max(candidates, key=lambda candidate: len(candidate[2]))
    if repeated:
        raise ImportFileRefused(repeated)
    return delimiter, headers, columns


def _columns(headers: list[str]) -> tuple[dict[str, int], str]:
    """Return the known columns by field, and a message when one field has two columns."""
    columns: dict[str, int] = {}
    repeated = ""
    for index, header in enumerate(headers):
        normalized = normalize_header(header)
        for field_name, names in HEADER_NAMES.items():
            if normalized not in names:
                continue
            if field_name in columns:
                repeated = repeated or _(
                    "The column %(field)s appears twice (“%(first)s” and “%(second)s”): keep one."
                ) % {"field": COLUMN_LABELS[field_name], "first": headers[columns[field_name]], "second": header}
            else:
                columns[field_name] = index
    return columns, repeated
