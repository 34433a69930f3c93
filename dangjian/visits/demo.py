"""Demo 民情走访 data for 绿博家苑 (seed 003: 1693 户、6775 人; here ~120 realistic households), pairings,
monthly plans, 民情日记 of this month and last, weekly 民情分析会, a publication and a spot check; and the
2016 民情日记 of seed 004 (柳园镇: 走访入户 50 次, 民情日记 80 篇) so the figures page reproduces them.

Idempotent: nothing is created when 绿博家苑 already has households. Members come from the members demo.
"""
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org

from . import rules
from .models import (AnalysisMeeting, HelpRecord, Household, MonthlyPublication, Pairing, Resident, SpotCheck,
                     SpotCheckItem, VisitLog, VisitPlan)

COMMUNITY = "绿博家苑社区党委"
PER_BRANCH = 20
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["建国", "秀英", "桂兰", "玉兰", "国强", "志刚", "淑珍", "凤英", "德福", "春花", "长海", "金凤", "海燕",
         "文华", "振华", "丽娟", "明亮", "红梅", "宝山", "俊杰", "翠花", "永福", "慧敏", "保国", "小军", "晓燕"]
CIRCUMSTANCES = {
    "hardship": ["因病致贫，主要劳动力长期住院", "子女上学负担重，家庭收入低", "拆迁安置后暂无稳定收入"],
    "elderly_alone": ["老伴去世，子女在外地务工，独自居住", "八十多岁，行动不便，独居"],
    "disabled": ["户主肢体二级残疾，需要轮椅出行", "家中有一名智力残疾人，需要照护"],
    "low_income": ["享受城乡低保，每月领取低保金"],
    "veteran": ["老党员，党龄四十余年，热心社区事务", "退休老干部，曾任村支书"],
    "left_behind": ["父母在外务工，爷爷奶奶照看孩子"],
    "key_person": ["曾多次反映拆迁安置补偿问题"],
    "entrepreneur": ["开办小超市，带动两人就业", "从事苗木种植，愿意带动邻居致富"],
}
HEARD = ["反映楼道灯不亮，晚上上下楼不方便", "希望社区组织老年人免费体检", "询问拆迁安置补偿款发放进度",
         "孩子入学需要办理居住证明", "家中下水道堵塞，物业迟迟未处理", "希望增加小区停车位",
         "想参加社区组织的就业技能培训", "反映小区垃圾清运不及时", "老人腿脚不便，希望有人帮忙代购生活用品",
         "询问医保报销政策", "邻里之间因漏水产生矛盾", "希望在小区广场增设健身器材"]
NOTES = ["入户了解家庭近况，身体状况良好", "与户主拉家常，宣传惠民政策", "帮助整理房间，送去米面油",
         "了解到家庭收入有所增加，情绪稳定", "陪老人聊天，检查燃气安全", "宣传防范电信诈骗知识"]


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "137", "135", "150", "151", "186", "187"]) + f"{rng.randrange(10**8):08d}"


def _tags(rng: random.Random) -> list[str]:
    tags = []
    for tag, p in [("hardship", .15), ("elderly_alone", .12), ("disabled", .07), ("low_income", .08),
                   ("veteran", .06), ("left_behind", .05), ("key_person", .03), ("entrepreneur", .04)]:
        if rng.random() < p:
            tags.append(tag)
    return tags


def _households(branch: Org, index: int, rng: random.Random) -> list[Household]:
    rows = []
    for i in range(PER_BRANCH):
        tags = _tags(rng)
        building = index * 5 + i // 4 + 1
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        circumstances = "；".join(rng.choice(CIRCUMSTANCES[t]) for t in tags) or "家庭情况正常"
        rows.append(Household(org=branch, region_id=branch.region_id, name=name, grid=f"第{'一二三四五六'[index]}网格",
                              address=f"绿博家苑{building}号楼{i % 4 + 1}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室",
                              phone=_phone(rng), size=rng.randint(1, 6) if "elderly_alone" not in tags else 1,
                              circumstances=circumstances, tags=rules.tags_to_text(tags)))
    return rows


def _residents(households: list[Household], rng: random.Random) -> list[Resident]:
    rows = []
    for h in households:
        rows.append(Resident(household=h, name=h.name, relation="head", birth_year=rng.randint(1940, 1985)))
        for _ in range(h.size - 1):
            relation = rng.choice(["spouse", "child", "child", "parent", "grandchild"])
            rows.append(Resident(household=h, name=h.name[0] + rng.choice(GIVEN), relation=relation,
                                 birth_year=rng.randint(1945, 2018)))
    return rows


@transaction.atomic
def seed(ctx) -> None:
    community = ctx.orgs.get(COMMUNITY)
    if community is None:
        return
    branches = list(community.get_children().filter(kind=Org.Kind.BRANCH).order_by("path"))
    if Household.objects.filter(org__in=branches).exists():
        return
    rng = random.Random(1693)
    today = timezone.localdate()
    by_branch: dict[int, list[Household]] = {}
    for index, branch in enumerate(branches):
        by_branch[branch.id] = Household.objects.bulk_create(_households(branch, index, rng))
    Resident.objects.bulk_create(_residents([h for hs in by_branch.values() for h in hs], rng))
    total = sum(len(v) for v in by_branch.values())
    members = {b.id: list(members_on_rolls(b).order_by("id")) for b in branches}
    if not any(members.values()):
        ctx.log.append(f"  民情走访：居民户 {total} 户（没有党员数据，未生成结对与走访）")
        return
    li = ctx.users.get("li")
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    month, last_month = rules.month_of(today), rules.month_of(last_month_end)
    logs_made = 0
    for index, branch in enumerate(branches):
        households, people = by_branch[branch.id], members[branch.id]
        if not people:
            continue
        # 结对帮扶: 困难 households first; in branch one a few members stay unpaired (coverage gaps).
        ordered = sorted(households, key=lambda h: ("hardship" not in h.tag_list, h.id))
        leave = 4 if index == 0 else len(people) // 2
        pairings = []
        for i, member in enumerate(people[:max(0, len(people) - leave)]):
            pairings.append(Pairing(org=branch, member=member, household=ordered[i % len(ordered)],
                                    started_on=date(today.year - 1, 3, 1), note="每月至少上门一次，及时反映困难"))
        if index == 1 and pairings:
            pairings = pairings[1:]  # one 困难 household of branch two left without a member
        pairings = Pairing.objects.bulk_create(pairings)
        HelpRecord.objects.bulk_create([
            HelpRecord(pairing=p, org=branch, given_on=first - timedelta(days=rng.randint(1, 60)),
                       kind=rng.choice(["goods", "money", "info", "service"]),
                       amount=rng.choice([0, 100, 200, 300, 500]), description=rng.choice(
                           ["送米面油", "临时救助金", "代办医保报销", "提供就业信息", "帮助申请残疾人补贴"]))
            for p in pairings[:8]])
        # Monthly plans for ten members; logs this month (plan partly done) and last month.
        for member in people[:10]:
            plan = VisitPlan.objects.create(org=branch, member=member, month=month, created_by=li,
                                            note="重点走访困难户、独居老人")
            chosen = rng.sample(households, 3)
            plan.households.set(chosen)
            logs = []
            for h in chosen[:rng.randint(0, 3)]:
                day = first + timedelta(days=rng.randint(0, max(0, (today - first).days)))
                needs = rng.choice(HEARD) if rng.random() < .4 else ""
                logs.append(VisitLog(org=branch, region_id=branch.region_id, member=member, household=h,
                                     visited_on=day, notes=rng.choice(NOTES), needs=needs, created_by=li))
            for _ in range(2):
                h = rng.choice(households)
                logs.append(VisitLog(org=branch, region_id=branch.region_id, member=member, household=h,
                                     visited_on=last_month_end - timedelta(days=rng.randint(0, 25)),
                                     notes=rng.choice(NOTES), needs=rng.choice(HEARD) if rng.random() < .3 else "",
                                     created_by=li))
            logs_made += len(VisitLog.objects.bulk_create(logs))
    _meetings_and_checks(branches[0], today, last_month, rng, li)
    _seed_004_logs(branches, by_branch, members, rng)
    ctx.log.append(f"  民情走访：居民户 {total} 户，结对 {Pairing.objects.filter(org__in=branches).count()} 对，"
                   f"近两月民情日记 {logs_made} 篇；2016 年民情日记 80 篇（入户 50 次，seed 004）")


def _meetings_and_checks(branch: Org, today: date, last_month: str, rng: random.Random, li) -> None:
    """Weekly 民情分析会 for eight weeks (one week skipped), last month's 公示 and a spot check."""
    from .selectors import month_figures

    monday = today - timedelta(days=today.weekday())
    recent = list(VisitLog.objects.filter(org=branch).order_by("-visited_on"))
    for week in range(1, 9):
        if week == 3:
            continue
        held = monday - timedelta(days=7 * week) + timedelta(days=1)  # 每周二
        meeting = AnalysisMeeting.objects.create(
            org=branch, held_on=held, topic="本周民情分析", attendees="支委会成员、网格员、党员代表",
            summary="梳理本周走访收集的群众诉求，逐条明确责任人和办理时限。",
            decisions="困难户诉求由结对党员跟进；涉及物业的问题转社区协调。", created_by=li)
        meeting.logs.set([x for x in recent if x.visited_on <= held][:4])
    first, last = rules.parse_month(last_month)
    population = sorted(VisitLog.objects.filter(org=branch, visited_on__range=(first, last)).values_list("id", flat=True))
    if population:
        seed = 20240930
        check = SpotCheck.objects.create(org=branch, month=last_month, seed=seed, sample_size=5,
                                         population_ids=population, reviewer=li, note="每月不定期抽查")
        sample = rules.spot_check_sample(population, size=5, seed=seed)
        SpotCheckItem.objects.bulk_create([
            SpotCheckItem(spot_check=check, log_id=log_id, position=i + 1, confirmed=True if i < 3 else None,
                          remark="电话回访户主，情况属实" if i < 3 else "", checked_by=li if i < 3 else None,
                          checked_at=timezone.now() if i < 3 else None) for i, log_id in enumerate(sample)])
        MonthlyPublication.objects.create(org=branch, month=last_month, published_on=last + timedelta(days=2),
                                          figures=month_figures(org=branch, month=last_month), created_by=li,
                                          note="次月初公示，接受群众监督")


def _seed_004_logs(branches, by_branch, members, rng: random.Random) -> None:
    """Seed 004 (柳园镇, 2016): 走访入户 50 次, 民情日记 80 篇 — 50 logs with a household, 30 without."""
    rows = []
    for i in range(80):
        branch = branches[i % len(branches)]
        people = members[branch.id] or next(m for m in members.values() if m)
        household = by_branch[branch.id][i % PER_BRANCH] if i < 50 else None
        rows.append(VisitLog(org=branch, region_id=branch.region_id, member=people[i % len(people)],
                             household=household, visited_on=date(2016, 3, 1) + timedelta(days=(i * 3) % 280),
                             notes=rng.choice(NOTES) if household else "参加党群连心工程座谈，记录群众意见",
                             needs=rng.choice(HEARD) if i % 4 == 0 else ""))
    VisitLog.objects.bulk_create(rows)
