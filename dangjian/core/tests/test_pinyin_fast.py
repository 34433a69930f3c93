"""core.pinyin's fast path for runs without a phrase (roster imports) against pypinyin itself."""


def test_fast_path_reads_every_run_as_pypinyin_does():
    """_run_syllables skips pypinyin for runs without a phrase; it must agree with lazy_pinyin everywhere:
    every character alone, phrases of the dictionary, phrases with characters around them, random names."""
    import random

    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    from dangjian.core import pinyin as module

    rng = random.Random(4)
    chars = [chr(c) for c in range(0x3400, 0x9FFF + 1) if c in PINYIN_DICT]
    phrases = rng.sample(sorted(PHRASES_DICT), 3000)
    runs = chars + phrases + ["银行", "行走", "长江", "重庆", "单于", "曾经", "朝阳", "乐乐", "长长久久"]
    runs += [rng.choice(chars) + p + rng.choice(chars) for p in phrases[:1000]]
    runs += ["".join(rng.choice(chars[:3000]) for _ in range(rng.choice((2, 3, 4)))) for _ in range(20000)]
    fast = 0
    for run in runs:
        assert module._run_syllables(run) == lazy_pinyin(run, style=Style.NORMAL), run
        fast += not any(run[i:i + 2] in module._PREFIXES for i in range(len(run) - 1))
    assert module._PREFIXES and fast > 20000  # the fast path was taken (and checked) for most of them
