"""Pinyin keys for searching names by 全拼 (zhangsan) or 首字母 (zs).

pypinyin 0.55 has no surname mode (nothing in pypinyin/contrib reads a name as 姓+名), and its
default reading of many surnames is the common-word one (单→dan, 曾→ceng, 区→qu). So the leading
surname is looked up in our own table first, compound surnames (复姓) before single ones; the
table holds the surname ("姓") readings dictionaries give for common heteronym surnames. Tones
are dropped and ü is written "v" (pypinyin Style.NORMAL), so the keys are plain ASCII for LIKE
searches.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PINYIN_DICT, RE_HANS
from pypinyin.seg import mmseg

__all__ = ["SURNAME_READINGS", "pinyin_full", "pinyin_initials"]

# Surnames whose reading differs from pypinyin's default reading of the character.
# Compound surnames are listed too so that their first character is not read as a single surname
# (尉迟 is yuchi, while 尉 alone as a surname is yu). 单于 is left out on purpose: 单 + a given
# name starting with 于 (单于飞, Shan Yufei) is far more common today than the compound surname.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    # 复姓
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    # 单姓
    "单": ("shan",),
    "曾": ("zeng",),
    "区": ("ou",),
    "仇": ("qiu",),
    "解": ("xie",),
    "朴": ("piao",),
    "查": ("zha",),
    "盖": ("ge",),
    "缪": ("miao",),
    "乐": ("yue",),
    "覃": ("qin",),
    "翟": ("zhai",),
    "种": ("chong",),
    "繁": ("po",),
    "员": ("yun",),
    "折": ("she",),
    "黑": ("he",),
    "尉": ("yu",),
    "秘": ("bi",),
    "召": ("shao",),
    "藏": ("zang",),
    "燕": ("yan",),
    "柏": ("bai",),
    "薄": ("bo",),
    "卜": ("bu",),
    "隗": ("wei",),
}
_MAX_SURNAME_LEN = max(len(k) for k in SURNAME_READINGS)


def _is_han(ch: str) -> bool:
    # CJK Unified Ideographs incl. Extension A, the supplementary-plane extensions, and 〇.
    cp = ord(ch)
    return cp == 0x3007 or 0x3400 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x323AF


# Fast path for runs without any phrase (most names): pypinyin's segmenter (mmseg.seg, used by lazy_pinyin)
# only yields a word longer than one character when two adjacent characters start a phrase of its dictionary
# (its prefix set); otherwise every character is read alone, exactly as lazy_pinyin(character) reads it.
# So such a run is the concatenation of the cached single readings: ~1 µs instead of ~15 µs per name
# (a 100 000-row roster import). Assumes pypinyin's dictionaries are not changed at run time (we never do).
_PREFIXES = getattr(getattr(mmseg.seg, "_prefix_set", None), "_set", None)
_SINGLE: dict[str, str | None] = {}


def _single(ch: str) -> str | None:
    """lazy_pinyin's reading of one character alone, or None when it has none in PINYIN_DICT."""
    reading = _SINGLE.get(ch, "")
    if reading == "":
        reading = None
        if ord(ch) in PINYIN_DICT and RE_HANS.fullmatch(ch):
            found = lazy_pinyin(ch, style=Style.NORMAL)
            if len(found) == 1 and found[0] != ch:
                reading = found[0]
        _SINGLE[ch] = reading
    return reading


def _run_syllables(run: str) -> list[str]:
    """lazy_pinyin(run, style=NORMAL) for a run of Chinese characters."""
    if _PREFIXES is not None:
        readings = [_single(ch) for ch in run]
        if None not in readings and not any(run[i:i + 2] in _PREFIXES for i in range(len(run) - 1)):
            return readings
    return lazy_pinyin(run, style=Style.NORMAL)


def _tokens(text: str, *, surname: bool) -> list[tuple[str, bool]]:
    """(token, is_syllable) pairs: a tone-less syllable per Chinese character, other runs verbatim.

    Chinese runs go to pypinyin whole so its phrase table can pick readings from context
    (银行 hang, 行走 xing).
    """
    text = "".join(text.split())  # drops ASCII, full-width (U+3000) and other spaces
    tokens: list[tuple[str, bool]] = []
    if surname and text and _is_han(text[0]):
        for size in range(min(_MAX_SURNAME_LEN, len(text)), 0, -1):
            reading = SURNAME_READINGS.get(text[:size])
            if reading is not None:
                tokens.extend((syllable, True) for syllable in reading)
                text = text[size:]
                break
    start = 0
    while start < len(text):
        han = _is_han(text[start])
        end = start + 1
        while end < len(text) and _is_han(text[end]) == han:
            end += 1
        run = text[start:end]
        if han:
            tokens.extend((syllable, True) for syllable in _run_syllables(run))
        else:
            tokens.append((run, False))
        start = end
    return tokens


def pinyin_full(text: str, *, surname: bool = True) -> str:
    """张三 -> "zhangsan": lower-case, no tones or separators; other characters kept, lower-cased.

    `surname` reads the first character(s) as a family name (单雄信 -> shanxiongxin); pass
    False for non-personal names such as organisations (单位 -> danwei).
    """
    if not text:
        return ""
    return "".join(token for token, _ in _tokens(text, surname=surname)).lower()


def pinyin_initials(text: str, *, surname: bool = True) -> str:
    """张三丰 -> "zsf": first letter of each Chinese syllable; other characters kept whole.

    So 李a1 -> "la1" and 第1党支部 -> "d1dzb"; `surname` as for pinyin_full.
    """
    if not text:
        return ""
    return "".join(
        token[:1] if is_syllable else token for token, is_syllable in _tokens(text, surname=surname)
    ).lower()
