"""Pinyin search keys: full spelling and initials, with surname readings for the first character."""

import pytest

from dangjian.core.pinyin import SURNAME_READINGS, pinyin_full, pinyin_initials


def test_plain_names():
    assert pinyin_full("张三") == "zhangsan"
    assert pinyin_initials("张三") == "zs"
    assert pinyin_full("张三丰") == "zhangsanfeng"
    assert pinyin_initials("张三丰") == "zsf"


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("单雄信", "shanxiongxin", "sxx"),
        ("曾国藩", "zengguofan", "zgf"),
        ("区志伟", "ouzhiwei", "ozw"),
        ("仇英", "qiuying", "qy"),
        ("解缙", "xiejin", "xj"),
        ("朴槿惠", "piaojinhui", "pjh"),
        ("查良镛", "zhaliangyong", "zly"),
        ("盖聂", "genie", "gn"),
        ("缪斯", "miaosi", "ms"),
        ("乐毅", "yueyi", "yy"),
        ("覃明", "qinming", "qm"),
        ("翟志刚", "zhaizhigang", "zzg"),
        ("种师道", "chongshidao", "csd"),
        ("繁钦", "poqin", "pq"),
        ("员半千", "yunbanqian", "ybq"),
        ("折克行", "shekexing", "skx"),
        ("黑齿常之", "hechichangzhi", "hccz"),
        ("尉缭", "yuliao", "yl"),
        ("秘明", "biming", "bm"),
        ("召忠", "shaozhong", "sz"),
        ("藏明", "zangming", "zm"),
        ("燕青", "yanqing", "yq"),
        # 复姓 read as a unit, ahead of their first character's single-surname reading.
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("欧阳修", "ouyangxiu", "oyx"),
        ("诸葛亮", "zhugeliang", "zgl"),
    ],
)
def test_heteronym_surnames(name, full, initials):
    assert pinyin_full(name) == full
    assert pinyin_initials(name) == initials


def test_surname_reading_only_applies_to_the_leading_character():
    # 曾 inside a name is the adverb reading; 单 later in the text is not a surname.
    assert pinyin_full("王曾") == "wangceng"
    assert pinyin_full("单单") == "shandan"
    assert pinyin_initials("单单") == "sd"


def test_surname_mode_can_be_switched_off_for_organisation_names():
    assert pinyin_full("单位党支部", surname=False) == "danweidangzhibu"
    assert pinyin_initials("单位党支部", surname=False) == "dwdzb"
    assert pinyin_full("曾经", surname=False) == "cengjing"


def test_single_character_surname_alone():
    assert pinyin_full("单") == "shan"
    assert pinyin_initials("曾") == "z"
    assert pinyin_full("尉") == "yu"


def test_surname_table_readings_are_plain_ascii_syllables():
    for surname, reading in SURNAME_READINGS.items():
        assert len(reading) == len(surname)
        assert all(s.isascii() and s.isalpha() and s.islower() for s in reading)


def test_mixed_text_keeps_non_chinese_lower_cased():
    assert pinyin_full("李a1") == "lia1"
    assert pinyin_initials("李a1") == "la1"
    assert pinyin_full("李A1") == "lia1"
    assert pinyin_full("Hello 世界") == "helloshijie"
    assert pinyin_initials("Hello 世界") == "hellosj"
    assert pinyin_initials("第1党支部", surname=False) == "d1dzb"
    assert pinyin_full("王-五") == "wang-wu"


def test_latin_text_matching_a_syllable_is_kept_whole_in_initials():
    # "li" typed by the user is not a syllable of a Chinese character, so it is not shortened.
    assert pinyin_initials("li李") == "lil"


def test_spaces_removed_including_full_width():
    assert pinyin_full(" 王\u3000五 ") == "wangwu"
    assert pinyin_initials("王 五\t") == "ww"


def test_u_umlaut_written_as_v():
    assert pinyin_full("吕布") == "lvbu"
    assert pinyin_full("女") == "nv"


def test_phrase_context_is_used():
    assert pinyin_full("银行行长", surname=False) == "yinhanghangzhang"


def test_empty():
    assert pinyin_full("") == ""
    assert pinyin_initials("") == ""
    assert pinyin_full("   ") == ""
