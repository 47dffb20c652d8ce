"""Build .xlsx workbooks (and files that only look like one) for the import tests, with openpyxl."""

import io
import re
import struct
import zipfile

from openpyxl import Workbook

# The header of an OLE compound file (an old .xls, or an .xlsx Office encrypted with a password).
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def workbook(sheets: dict[str, list[list]], *, merged: dict[str, list[str]] | None = None) -> bytes:
    """Return an .xlsx of ``sheets`` (title -> rows, ``None`` cells left empty), in order, with the ``merged``
    ranges of each sheet, its size declared as Excel declares it."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(title, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def streamed_workbook(header: list, rows, *, title: str = "Plan1") -> bytes:
    """Return an .xlsx written in openpyxl's write-only mode (inline strings, no declared size), as exports are."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_saved_formula_values(data: bytes, values: dict[str, str], *, sheet: int = 1) -> bytes:
    """Return the workbook with the formulas of ``values``'s cells holding those saved results, as a spreadsheet
    that computed them stores them (openpyxl writes formulas without results)."""
    path = f"xl/worksheets/sheet{sheet}.xml"
    source = zipfile.ZipFile(io.BytesIO(data))
    xml = source.read(path).decode()
    for cell, value in values.items():
        xml, count = re.subn(
            rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/>', rf'<c r="{cell}"\1 t="str"><f>\2</f><v>{value}</v>', xml
        )
        assert count == 1, f"no formula in {cell}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, xml if info.filename == path else source.read(info.filename))
    return buffer.getvalue()


def ole_file(*stream_names: str) -> bytes:
    """Return the first sectors of an OLE compound file whose directory names ``stream_names``: enough to be
    recognised, not a readable one. ``("EncryptedInfo", "EncryptedPackage")`` is what a password-protected
    .xlsx holds, ``("Workbook",)`` an old .xls."""
    header = bytearray(512)
    header[:8] = OLE_MAGIC
    # Minor and major version (3), byte order, sector shift (512-byte sectors), mini sector shift.
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 44, 1, 1, 0)  # one FAT sector, the directory at sector 1
    directory = bytearray()
    for name in ("Root Entry", *stream_names):
        encoded = (name + "\0").encode("utf-16-le")
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<HB", entry, 64, len(encoded), 5 if name == "Root Entry" else 2)
        directory += entry
    directory += bytes(-len(directory) % 512)
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * 504
    return bytes(header) + fat + bytes(directory)


def truncated(data: bytes) -> bytes:
    """Return the first half of a file: a download cut short."""
    return data[: len(data) // 2]


def with_long_text(data: bytes, placeholder: str, *, text: str, times: int) -> bytes:
    """Return the workbook with ``placeholder`` (in its shared strings or a sheet) replaced by ``text`` repeated
    ``times`` times, written to the zip in pieces: a 95 MB cell costs the test a few megabytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    piece = text * max(1, (1 << 20) // len(text))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if placeholder.encode() not in content:
                target.writestr(info.filename, content)
                continue
            before, after = content.split(placeholder.encode(), 1)
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(before)
                left = times
                while left > 0:
                    count = min(left, len(piece) // len(text))
                    part.write(piece[: count * len(text)].encode())
                    left -= count
                part.write(after)
    return buffer.getvalue()
