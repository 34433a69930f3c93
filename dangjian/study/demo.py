"""Demo study data for 刘集镇: weekly 指尖党课 and monthly 学习辅导材料 (seed 002), the "万名党员进党校"
training of enterprise secretaries (seed 003), a 党章 quiz, and a spread of 学时 so the ledger has content.

Idempotent: skipped when the town's first material already exists.
"""
import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.members.selectors import members_on_rolls

from . import services
from .models import Material, StudyCredit, StudyLeader

WEEKLY = ["学习《中国共产党章程》总纲", "读懂“三会一课”制度", "党员的八项义务", "发展党员工作的五个阶段",
          "党费交纳的标准", "新时代基层党建的任务"]
MONTHLY = ["党员干部应知应会知识手册（一）", "党员干部应知应会知识手册（二）", "党员干部学习辅导材料"]
QUESTIONS = [
    ("党的最高理想和最终目标是什么？", ["实现共产主义", "全面建成小康社会", "实现现代化"], [0]),
    ("预备党员的预备期为多长时间？", ["半年", "一年", "两年"], [1]),
    ("“三会一课”中的“三会”包括哪些？", ["支部党员大会", "支部委员会", "党小组会", "职工大会"], [0, 1, 2]),
    ("党支部党员大会一般每季度至少召开几次？", ["一次", "两次", "三次"], [0]),
    ("党员每年集中学习培训不少于多少学时？", ["16 学时", "32 学时", "56 学时"], [1]),
    ("党组织书记和班子成员每年集中学习培训不少于多少学时？", ["32 学时", "40 学时", "56 学时"], [2]),
    ("连续几个月不参加党的组织生活、不交纳党费，被认为是自行脱党？", ["三个月", "六个月", "一年"], [1]),
    ("主题党日一般每月开展几次？", ["至少一次", "至少两次", "每季度一次"], [0]),
]


@transaction.atomic
def seed(ctx) -> None:
    root = ctx.root
    if Material.objects.filter(org=root).exists():
        return
    zhang, li = ctx.users["zhang"], ctx.users["li"]
    today = timezone.localdate()
    rng = random.Random(2018)
    for n, title in enumerate(WEEKLY):
        day = today - timedelta(days=7 * (len(WEEKLY) - 1 - n))
        services.material_create(actor=zhang, org=root, title=f"指尖党课：{title}", kind="article", series="weekly",
                                 duration_seconds=15 * 60, published_on=day,
                                 body=f"{title}。\n\n本期指尖党课由镇党委组织，供党员利用碎片时间在手机上学习。")
    for n, title in enumerate(MONTHLY):
        day = (today.replace(day=1) - timedelta(days=31 * (len(MONTHLY) - 1 - n))).replace(day=1)
        services.material_create(actor=zhang, org=root, title=title, kind="article", series="monthly",
                                 duration_seconds=45 * 60, published_on=day, body=f"{title}：学习辅导材料正文。")
    branch_one = ctx.orgs["绿博家苑第一党支部"]
    services.material_create(actor=li, org=branch_one, title="支部学习：党员志愿服务台账怎么建", kind="video",
                             series="other", duration_seconds=10 * 60, published_on=today,
                             url="https://www.12371.cn/")

    enterprise = ctx.orgs.get("刘集镇非公企业党委")
    course = services.course_create(
        actor=zhang, org=root, title="“万名党员进党校”非公企业党组织书记培训班", kind="party_school",
        starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=28), hours=Decimal(24),
        location="刘集镇党群服务中心", lessons=[{"title": "党支部工作条例解读", "teacher": "县委党校"},
                                              {"title": "“三会一课”现场模拟", "teacher": "镇组织办"}])
    if enterprise is not None:
        attendees = list(members_on_rolls(enterprise).order_by("org__path", "id")[:12])
        if attendees:
            services.course_attendance_record(actor=zhang, course=course, members=attendees,
                                              certificate_no="LJ-DX-2024")
    winter = services.course_create(actor=zhang, org=root, title="党员冬春集中培训", kind="concentrated",
                                    starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=58),
                                    hours=Decimal(16), location="刘集镇党校")
    lvbo_members = list(members_on_rolls(ctx.orgs["绿博家苑社区党委"]).order_by("id")[:40])
    if lvbo_members:
        services.course_attendance_record(actor=zhang, course=winter, members=lvbo_members)

    questions = [services.question_create(actor=zhang, org=root, text=t, choices=c, answer=a) for t, c, a in QUESTIONS]
    services.quiz_create(actor=zhang, org=root, title="党章党规知识测试", question_ids=[q.id for q in questions],
                         question_count=5, pass_score=Decimal(60), credit_hours=Decimal(1))

    # A spread of other study so the ledger shows met and unmet members (credited as past online study).
    credits = []
    for member in members_on_rolls(root).order_by("id")[:400]:
        hours = Decimal(rng.choice([4, 8, 12, 16, 20, 24, 28, 30, 31, 32, 36, 40]))
        credits.append(StudyCredit(member=member, org_id=member.org_id, region_id=member.region_id, year=today.year,
                                   credited_on=today - timedelta(days=rng.randint(1, 60)), source="course",
                                   hours=hours, note="线下学习（演示）"))
    StudyCredit.objects.bulk_create(credits)
    for username in ("li", "wang"):
        member = Member.objects.filter(user=ctx.users.get(username)).first()
        if member is not None and not StudyLeader.objects.filter(member=member).exists():
            StudyLeader.objects.create(member=member, title="党支部书记", created_by=zhang)
    ctx.log.append(f"学习教育：{len(WEEKLY)} 期指尖党课、{len(MONTHLY)} 期学习辅导、2 个培训班、1 套测试")
