"""Fast printable ledgers (台账) with WeasyPrint: A4 landscape, CJK fonts, a ruled grid, page numbers.

WeasyPrint lays out every table cell as a box of its own (≈ 1 ms of CPU per cell here), so a 15-column
花名册 of 893 members as an HTML table takes 10–50 s. This renderer sets each ledger row as lines of
text in the monospaced face of WenQuanYi Micro Hei (one text box per row), places every cell at its
column's exact offset with measured padding (the face's advances, read once with fontTools), and draws
the vertical rules once per page: the same ledger renders ~10× faster and looks like a table.
Long cells wrap inside their column (up to MAX_LINES lines a row).
"""
import functools
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path

from django.utils import timezone

FONT_FILES = ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"]  # Debian fonts-wqy-microhei
MONO_FACE = "WenQuanYi Micro Hei Mono"
UPM = 2048
SPACE, IDEO_SPACE = 1229, 2048  # advances of " " and U+3000 in the monospaced face (units per em 2048)
FONT_PT = 8
EM_MM = FONT_PT * 25.4 / 72
LINE_MM = 4.2            # one text line
ROW_PAD_MM = 1.4         # added to every row (top + bottom)
BORDER_MM = 0.22         # the 0.6 pt rule under each row
PAGE_W_MM, PAGE_H_MM = 297, 210
MARGIN_MM = (12, 10, 12, 10)  # top, right, bottom, left
TITLE_MM = 17            # title + meta lines on the first page
SIGN_MM = 10
CELL_PAD_MM = 0.9
MAX_LINES = 6
ELLIPSIS = "…"


@functools.lru_cache(maxsize=1)
def _advances() -> dict[int, int]:
    """Code point → advance of the monospaced face; empty when the font is not installed (then the
    East-Asian-width estimate below is used)."""
    for path in FONT_FILES:
        if Path(path).exists():
            try:
                from fontTools.ttLib import TTCollection

                collection = TTCollection(path, lazy=True)
                for font in collection.fonts:
                    if font["name"].getDebugName(1) == MONO_FACE:
                        metrics = font["hmtx"].metrics
                        return {cp: metrics[g][0] for cp, g in font.getBestCmap().items()}
            except Exception:  # a broken font file: fall back to the estimate
                return {}
    return {}


def char_width(ch: str) -> int:
    adv = _advances().get(ord(ch))
    if adv is not None:
        return adv
    return IDEO_SPACE if unicodedata.east_asian_width(ch) in ("W", "F") else SPACE


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def mm_units(mm: float) -> int:
    return round(mm / EM_MM * UPM)


def _padding(units: int) -> tuple[str, int]:
    """Spaces and ideographic spaces closest to `units` (the two advances are coprime, so the error of
    each cell's start is well under 0.1 mm and never accumulates: offsets are absolute)."""
    if units <= 0:
        return "", 0
    best = (units, 0, 0)
    for y in range(units // IDEO_SPACE + 1):
        rest = units - y * IDEO_SPACE
        x = round(rest / SPACE)
        err = abs(rest - x * SPACE)
        if err < best[0]:
            best = (err, x, y)
    _, x, y = best
    return " " * x + "\u3000" * y, x * SPACE + y * IDEO_SPACE


def wrap(text: str, width: int, max_lines: int = MAX_LINES) -> list[str]:
    """Break text into lines no wider than `width` units (explicit newlines kept); the last allowed line
    ends with … when text is left over."""
    lines: list[str] = []
    for para in (text.replace("\r", "").split("\n") if text else [""]):
        cur, cur_w = "", 0
        for ch in para:
            w = char_width(ch)
            if cur and cur_w + w > width:
                lines.append(cur)
                cur, cur_w = "", 0
            cur += ch
            cur_w += w
        lines.append(cur)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last) + char_width(ELLIPSIS) > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last + ELLIPSIS]
    return lines


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y.%m.%d %H:%M}" if timezone.is_aware(value) else f"{value:%Y.%m.%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y.%m.%d}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    # Tabs and control characters would break the grid.
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf") and c != "\n" else c for c in str(value))


class Grid:
    """Column geometry: widths in mm (scaled to the printable width) and alignment."""

    def __init__(self, widths_mm: list[float], left: set[int]):
        usable = PAGE_W_MM - MARGIN_MM[1] - MARGIN_MM[3]
        scale = min(1.0, usable / sum(widths_mm))
        self.widths = [w * scale for w in widths_mm]
        self.left = left
        self.starts = [sum(self.widths[:i]) for i in range(len(self.widths))]

    def row_lines(self, values: list[str]) -> list[str]:
        cells = [wrap(v, mm_units(w - 2 * CELL_PAD_MM)) for v, w in zip(values, self.widths)]
        height = max(len(c) for c in cells)
        out = []
        for i in range(height):
            parts, pos = [], 0
            for col, lines in enumerate(cells):
                text = lines[i] if i < len(lines) else ""
                if not text:
                    continue
                tw = text_width(text)
                start = mm_units(self.starts[col])
                colw = mm_units(self.widths[col])
                offset = mm_units(CELL_PAD_MM) if col in self.left else max(0, (colw - tw) // 2)
                pad, pad_w = _padding(start + offset - pos)
                parts.append(pad + text)
                pos += pad_w + tw
            out.append("".join(parts))
        return out


CSS = f"""
@page {{ size: A4 landscape; margin: {MARGIN_MM[0]}mm {MARGIN_MM[1]}mm {MARGIN_MM[2]}mm {MARGIN_MM[3]}mm;
  @bottom-center {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 8pt; color: #555;
    font-family: "WenQuanYi Micro Hei", "AR PL UMing CN", sans-serif; }} }}
body {{ font-family: "WenQuanYi Micro Hei", "AR PL UMing CN", sans-serif; font-size: 9pt; color: #111; margin: 0; }}
h1 {{ text-align: center; font-size: 16pt; letter-spacing: 2pt; margin: 0 0 1.5mm; height: 8mm; line-height: 8mm; }}
.meta {{ height: 6mm; line-height: 6mm; font-size: 9pt; position: relative; }}
.meta .right {{ position: absolute; right: 0; top: 0; }}
.pg {{ position: relative; border-top: 0.6pt solid #444; page-break-after: always; }}
.pg.last {{ page-break-after: auto; }}
.r {{ font-family: "{MONO_FACE}", "WenQuanYi Micro Hei", "AR PL UMing CN", monospace; font-size: {FONT_PT}pt;
  white-space: pre; line-height: {LINE_MM}mm; padding: {ROW_PAD_MM / 2}mm 0; border-bottom: 0.6pt solid #444;
  overflow: hidden; }}
.h {{ background: #f3d9d9; }}
.v {{ position: absolute; top: 0; bottom: 0; border-left: 0.6pt solid #444; }}
.sign {{ margin-top: 4mm; font-size: 9pt; }}
.sign span {{ display: inline-block; width: 32%; }}
.note {{ font-size: 7.5pt; color: #666; margin-top: 1mm; }}
"""


def render_ledger_pdf(**kwargs) -> bytes:
    """The ledger as PDF bytes (see ledger_html for the arguments)."""
    from dangjian.core.files import render_pdf

    return render_pdf(ledger_html(**kwargs))


def ledger_html(*, title: str, org_name: str, period_display: str, headers: list[str], widths_mm: list[float],
                rows, left: set[int] | None = None, total: int | None = None, progress=None) -> str:
    """The printable HTML. `rows` yields lists of values (dates, Decimals, str…); `progress(i)` is called
    every 200 rows while the text is set (the WeasyPrint pass itself reports nothing)."""
    grid = Grid(widths_mm, left or set())
    usable_h = PAGE_H_MM - MARGIN_MM[0] - MARGIN_MM[2] - 2  # 2 mm of slack for rounding
    head_lines = grid.row_lines([cell_text(h) for h in headers])
    head_mm = len(head_lines) * LINE_MM + ROW_PAD_MM + BORDER_MM
    head = f'<div class="r h">{escape(chr(10).join(head_lines))}</div>'
    rules_html = "".join(f'<div class="v" style="left:{x:.2f}mm"></div>'
                         for x in grid.starts + [sum(grid.widths)])
    pages, body, used = [], [], TITLE_MM + head_mm
    count = 0
    for count, values in enumerate(rows, start=1):
        lines = grid.row_lines([cell_text(v) for v in values])
        height = len(lines) * LINE_MM + ROW_PAD_MM + BORDER_MM
        if body and used + height > usable_h:
            pages.append(body)
            body, used = [], head_mm
        body.append(f'<div class="r">{escape(chr(10).join(lines))}</div>')
        used += height
        if progress and count % 200 == 0:
            progress(count)
    if not body:
        body.append(f'<div class="r">{escape(grid.row_lines(["（无记录）"] + [""] * (len(headers) - 1))[0])}</div>')
    pages.append(body)
    width = sum(grid.widths)
    html_pages = []
    for i, rows_html in enumerate(pages):
        last = " last" if i == len(pages) - 1 else ""
        html_pages.append(f'<div class="pg{last}" style="width:{width:.2f}mm">{head}{"".join(rows_html)}'
                          f'{rules_html}</div>')
    today = timezone.localdate()
    shown = total if total is not None else count
    html = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>{escape(title)}</h1>
<div class="meta">党组织：{escape(org_name)}　期间：{escape(period_display)}<span class="right">共 {shown} 条　制表日期：{today:%Y年%m月%d日}</span></div>
{''.join(html_pages)}
<div class="sign"><span>填表人：</span><span>审核人：</span><span>党组织（盖章）：</span></div>
</body></html>"""
    return html
