"""Realistic synthetic members for demo data and benchmarks (deterministic for a given seed).

Dates follow RULES.md: joined at 18 or later, full member one year after joining (R-PROBATION-1Y),
probationary members joined within the last year.

`member_values` makes the generated fields as plain tuples (what generate_scale writes straight into COPY for a
million members); `member_rows` wraps the same tuples into unsaved Member objects. Both draw from `rng` in the
same order, so a seed gives the same people either way.
"""
import functools
import random
from datetime import date, timedelta

from dangjian.core.crypto import blind_index
from dangjian.core.idnumber import generate_id_number, mask_id_number
from dangjian.core.pinyin import pinyin_full, pinyin_initials
from dangjian.recruitment.rules import add_years  # R-PROBATION-1Y's calendar year

from .choices import Education, Stage
from .models import Member

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建国 建华 国强 志强 玉兰 海燕 "
         "红梅 春花 文华 德明 宏伟 俊杰 晓东 晓燕 丽娟 佳 欣怡 子涵 浩然 宇航 思远 雨萱 梓轩 嘉怡 国庆 建军 卫东 "
         "淑珍 凤英 金凤 保国 振华 永强 志刚 小红 秀梅 新民 爱民 立新 长青 桂兰 玉梅 海涛 俊峰 明辉").split()
OCCUPATIONS = ["社区工作者", "村干部", "教师", "医生", "企业职工", "个体经营者", "公务员", "农民", "退休", "物业管理员",
               "销售经理", "技术员", "司机", "护士", "会计"]
EDU_WEIGHTS = [(Education.POSTGRADUATE, 3), (Education.BACHELOR, 22), (Education.COLLEGE, 25),
               (Education.SECONDARY, 10), (Education.HIGH_SCHOOL, 20), (Education.JUNIOR, 20)]
# The Member fields member_values fills, in the order of its tuples (id_number in plain text: the model field or
# the caller encrypts it).
FIELDS = ("name", "name_pinyin", "name_initials", "gender", "ethnicity", "birth_date", "id_number", "id_index",
          "id_masked", "phone", "education", "occupation", "stage", "applied_on", "joined_on", "full_on",
          "work_started_on", "is_retired", "in_hardship", "is_exempt")
_FIRST_BIRTH, _LAST_BIRTH = date(1938, 1, 1), date(2003, 12, 31)


def random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


@functools.lru_cache(maxsize=None)  # bounded: names come from SURNAMES × GIVEN (≈ 7 500)
def _pinyin(name: str) -> tuple[str, str]:
    return pinyin_full(name), pinyin_initials(name)


def member_values(*, count: int, rng: random.Random, today: date, area_code: str = "410122",
                  probationary_share: float = 0.04, used_ids: set | None = None) -> list[tuple]:
    """`count` members of one branch as tuples in FIELDS order."""
    used_ids = used_ids if used_ids is not None else set()
    edus, weights = zip(*EDU_WEIGHTS)
    span = (_LAST_BIRTH - _FIRST_BIRTH).days
    latest_full = add_years(today, -1) - timedelta(days=1)
    rows = []
    for _ in range(count):
        gender = "M" if rng.random() < 0.68 else "F"
        birth = _FIRST_BIRTH + timedelta(days=rng.randint(0, span))
        while True:
            id_number = generate_id_number(birth_date=birth, gender=gender, area_code=area_code, rng=rng)
            if id_number not in used_ids:
                used_ids.add(id_number)
                break
        adult = add_years(birth, 18) + timedelta(days=1)
        probationary = rng.random() < probationary_share
        if probationary:
            joined = today - timedelta(days=rng.randint(1, 360))
            if joined < adult:
                joined = adult if adult < today else today
            full = None
        else:
            latest = adult if adult > latest_full else latest_full
            joined = adult + timedelta(days=rng.randint(0, max(0, min((latest - adult).days, 365 * 40))))
            # Full one year after joining (R-PROBATION-1Y), even where that year ends after today.
            full = add_years(joined, 1)
        age = (today - birth).days // 365
        name = random_name(rng)
        phone = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
        # The draws below keep the order of the keyword arguments member_rows used to pass to Member(…).
        ethnicity = "汉族" if rng.random() < 0.97 else "回族"
        education = rng.choices(edus, weights)[0]
        occupation = "退休" if age >= 60 else rng.choice(OCCUPATIONS)
        applied = joined - timedelta(days=rng.randint(400, 900)) if joined - timedelta(days=900) > adult else None
        work_started = add_years(birth, rng.randint(18, 24)) if age >= 24 else None
        hardship = rng.random() < 0.03
        full_py, initials = _pinyin(name)
        rows.append((name, full_py, initials, gender, ethnicity, birth, id_number, blind_index(id_number),
                     mask_id_number(id_number), phone, str(education), occupation,
                     str(Stage.PROBATIONARY if probationary else Stage.FULL), applied, joined, full, work_started,
                     age >= 60, hardship, age >= 85))
    return rows


def member_rows(*, org, count: int, rng: random.Random, today: date, area_code: str = "410122",
                probationary_share: float = 0.04, used_ids: set | None = None) -> list[Member]:
    """Unsaved Member objects for one branch (bulk_create them)."""
    return [Member(org=org, region_id=org.region_id, **dict(zip(FIELDS, values)))
            for values in member_values(count=count, rng=rng, today=today, area_code=area_code,
                                        probationary_share=probationary_share, used_ids=used_ids)]
