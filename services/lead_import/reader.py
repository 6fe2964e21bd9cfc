"""Reading a lead file: bytes to text (or a refusal naming the byte offset), text to CSV rows.

Everything streams: the file is read in chunks and rows come one at a time, so the memory
an import needs does not grow with the file. A file is read twice: once to check, before
anything is written, that it decodes and parses; then to import it.
"""

import codecs
import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from services.lead_import.columns import ColumnMap, LeadColumn, map_header, refuse

CHUNK_BYTES = 64 * 1024
_LINE_END = re.compile(r"\r\n|\r|\n")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class FileShape:
    """What the checking pass learned: the columns, the delimiter and the number of rows."""

    columns: ColumnMap
    delimiter: str
    rows: int


def _codec(encoding: str) -> codecs.CodecInfo:
    try:
        return codecs.lookup(encoding)
    except LookupError:
        raise refuse(
            f"'{encoding}' is not an encoding this server knows; try utf-8, cp1252 or latin-1",
            "encoding",
        ) from None


def decoded_chunks(source: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's text, chunk by chunk. A UTF-8 byte order mark is skipped; a byte that does
    not decode refuses the file with its offset, rather than guessing."""
    codec = _codec(encoding)
    utf8 = codec.name in ("utf-8", "utf-8-sig")
    if utf8:
        codec = codecs.lookup("utf-8")
    source.seek(0)
    data = source.read(CHUNK_BYTES)
    offset = 0
    if utf8 and data.startswith(codecs.BOM_UTF8):
        data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    elif utf8 and data.startswith(_UTF16_BOMS):
        raise refuse(
            "the file is UTF-16 encoded (it starts with a UTF-16 byte order mark); "
            "give its encoding as utf-16, or save it as UTF-8",
            "encoding",
        )
    decoder = codec.incrementaldecoder("strict")
    lines = 1
    while True:
        pending = decoder.getstate()[0]
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            at = offset - len(pending) + exc.start
            line = lines + (pending + data)[: exc.start].count(b"\n")
            raise refuse(
                f"the file is not valid {codec.name}: the byte 0x{exc.object[exc.start]:02X} at "
                f"offset {at} (line {line}) cannot be read as {codec.name}. Save the file as "
                "UTF-8, or give the encoding it was saved in (for example cp1252 or latin-1); "
                "nothing was imported",
                "encoding",
            ) from None
        if text:
            lines += text.count("\n")
            yield text
        if not data:
            return
        offset += len(data)
        data = source.read(CHUNK_BYTES)


def text_lines(chunks: Iterator[str]) -> Iterator[str]:
    """Lines with their endings (\\n, \\r\\n or \\r), as the csv module wants them."""
    rest = ""
    for chunk in chunks:
        text = rest + chunk
        start = 0
        for end in _LINE_END.finditer(text):
            if end.group() == "\r" and end.end() == len(text):
                break  # the \n of a \r\n may start the next chunk
            yield text[start : end.end()]
            start = end.end()
        rest = text[start:]
    if rest:
        yield rest


def _delimiter(header_line: str) -> str:
    """Comma, unless the header uses semicolons or tabs instead (spreadsheets in some locales)."""
    for candidate in (",", ";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def _records(source: BinaryIO, encoding: str) -> tuple[str, Iterator[list[str]]]:
    lines = text_lines(decoded_chunks(source, encoding))
    first = next(lines, "")
    delimiter = _delimiter(first)

    def chained() -> Iterator[str]:
        if first:
            yield first
        yield from lines

    return delimiter, csv.reader(chained(), delimiter=delimiter, strict=True)


def check_file(source: BinaryIO, encoding: str, mapping: Mapping[str, LeadColumn]) -> FileShape:
    """Read the whole file once without importing: refuse it, before anything is written,
    when it does not decode, is not CSV, or its header lacks or confuses lead fields."""
    delimiter, reader = _records(source, encoding)
    columns: ColumnMap | None = None
    rows = 0
    number = 0
    try:
        for record in reader:
            number += 1
            if columns is None:
                columns = map_header(record, mapping)
            elif any(cell.strip() for cell in record):
                rows += 1
    except csv.Error as exc:
        raise refuse(
            f"row {number + 1} is not valid CSV ({exc}); check its quotes; nothing was imported"
        ) from None
    if columns is None:
        raise refuse("the file is empty; it needs a header row and a row per lead")
    return FileShape(columns=columns, delimiter=delimiter, rows=rows)


def data_rows(source: BinaryIO, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each non-blank row after the header; the header is row 1."""
    _, reader = _records(source, encoding)
    for number, record in enumerate(reader, start=1):
        if number > 1 and any(cell.strip() for cell in record):
            yield number, record
