"""Bounds checked before calamine sees an .xlsx: zip bombs, lying sizes, encrypted members, sheet extent.

calamine allocates the whole rectangle from A1 to the farthest cell before returning, so a 4 KB file with one
value in XFD1048576 would abort the process; `_check_xlsx` refuses it first. (reports.sheets reuses it.)
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

from .common import MAX_CELLS, MAX_COLUMNS, MAX_RATIO, MAX_UNCOMPRESSED, XLSX_MAGIC, RosterFileError


def _check_xlsx(data: bytes) -> None:
    """Zip-bomb and sheet-extent guard, run before calamine sees the file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:  # BadZipFile, NotImplementedError (odd versions), struct.error, ValueError …
        raise RosterFileError("文件已损坏或不是有效的 .xlsx 文件")
    if len(infos) > 2000 or not any(i.filename.startswith("xl/") for i in infos):
        raise RosterFileError("文件不是有效的 Excel 工作簿（.xlsx）")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED or any(i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(1, i.compress_size)
                                       for i in infos):
        raise RosterFileError("文件解压后过大（可能是压缩炸弹），已拒绝")
    for info in infos:
        try:
            content = _inflate_exact(data, info)
        except (struct.error, ValueError, OverflowError, MemoryError):
            raise RosterFileError("文件已损坏或不是有效的 .xlsx 文件")
        if b"sheetData" in content:  # a worksheet, wherever the package keeps it
            problem = _sheet_problem(content)
            if problem:
                raise RosterFileError(problem)


def _inflate_exact(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's content, checked to inflate to exactly its declared size (a lying header is refused)."""
    bad = RosterFileError("文件已损坏或不是有效的 .xlsx 文件")
    if info.flag_bits & 0x1:
        raise RosterFileError("文件已加密，请取消密码后再上传")
    off = info.header_offset
    if data[off:off + 4] != XLSX_MAGIC:
        raise bad
    name_len, extra_len = struct.unpack("<HH", data[off + 26:off + 30])
    start = off + 30 + name_len + extra_len
    raw = data[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != info.file_size:
            raise bad
        return raw
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise bad
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(raw, info.file_size + 1)
    except zlib.error:
        raise bad
    if len(out) != info.file_size or not inflater.eof:
        raise RosterFileError("文件解压后与声明的大小不符（可能是压缩炸弹），已拒绝")
    return out


# Fast path: every unprefixed <c>/<row> starts with a canonical r="A1" / r="1" (Excel, WPS, LibreOffice and
# openpyxl all write it so); anything else (prefixed tags, positional cells, quotes, entities) is walked.
_ODD_CELL = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]{1,3}[1-9]\d{0,6}")')
_ODD_ROW = re.compile(rb'<row(?=[\s>/])(?! r="[1-9]\d{0,6}")')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})[1-9]')
_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s>/])([^>]*)>')
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*(["\'])(.*?)\1', re.S)
_REF = re.compile(r"([A-Za-z]*)(\d*)")


def _col_number(letters) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters:
        n = n * 26 + (ord(ch) if isinstance(ch, str) else ch) - 64
    return n


def _greater_than(limit: int) -> bytes:
    """A regex for the numbers above `limit` (no leading zeros), e.g. 375000 -> \\d{7,}|[4-9]\\d{5}|3[8-9]\\d{4}|…"""
    digits = str(limit)
    parts = [rb"\d{%d,}" % (len(digits) + 1)]
    for i, ch in enumerate(digits):
        if ch != "9":
            parts.append(digits[:i].encode() + b"[%d-9]" % (int(ch) + 1) + rb"\d" * (len(digits) - i - 1))
    return b"|".join(parts)


def _sheet_problem(xml: bytes) -> str | None:
    """Why calamine must not load this sheet XML, or None: more than MAX_COLUMNS columns, or a used
    rectangle (row 1 to the farthest row × column A to the farthest column) over MAX_CELLS."""
    if b":c>" in xml or _ODD_CELL.search(xml) or _ODD_ROW.search(xml):
        rows, cols = _sheet_extent_slow(xml)
        too_deep = rows * cols > MAX_CELLS
    else:
        cols = max((_col_number(w) for w in set(_WIDE_CELL.findall(xml))), default=26)
        limit = MAX_CELLS // max(cols, 1)
        too_deep = re.search(rb' r="[A-Z]{0,3}(?:%s)"' % _greater_than(limit), xml) is not None
    if cols > MAX_COLUMNS:
        return f"工作表有 {cols} 列，超出上限 {MAX_COLUMNS} 列，请删除右侧无关内容"
    if too_deep:
        return "工作表的数据区域过大（下方或右侧远处有内容），请删除无关内容或拆分后再上传"
    return None


def _sheet_extent_slow(xml: bytes) -> tuple[int, int]:
    """(rows, columns) by walking every <row>/<c> tag as calamine does: r when present, else the next spot."""
    import html

    row = col = max_row = max_col = 0
    for match in _TAG.finditer(xml):
        kind, attrs = match.groups()
        attr = _R_ATTR.search(attrs)
        letters, number = "", ""
        if attr:
            letters, number = _REF.match(html.unescape(attr.group(2).decode("utf-8", "replace")).strip()).groups()
        if kind == b"row":
            row = int(number) if number else row + 1
            col = 0
            max_row = max(max_row, row)
            continue
        if letters:
            col = _col_number(letters)
        else:
            col += 1
        max_row, max_col = max(max_row, int(number) if number else row), max(max_col, col)
    return max_row, max_col
