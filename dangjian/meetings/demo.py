"""Demo organizational life: a year of meetings for a few 刘集镇 branches, with realistic gaps.

Idempotent: a branch that already has meetings is left alone. Rows are written directly (like the
members demo) so a run writes no audit events; deterministic for a given date.
"""
import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from dangjian.orgs.models import PartyGroup

from . import rules
from dangjian.members.models import Member

from .models import Attendance, HeartTalk, Makeup, Meeting, Review, ReviewGrade, WorkPrompt, WorkPromptDone
from .selectors import expected_members, venues_for

BRANCHES = ["绿博家苑第一党支部", "绿博家苑第二党支部", "绿博家苑第三党支部", "刘集村党支部", "刘集镇机关党支部"]
# Gaps per branch: (kind, months back from the current month) that are simply not held.
GAPS = {
    "绿博家苑第一党支部": [("theme_day", 3), ("group", 6)],
    "绿博家苑第二党支部": [("committee", 8), ("committee", 4), ("lecture", 6), ("theme_day", 9), ("theme_day", 2)],
    "刘集村党支部": [("assembly", 5), ("theme_day", 5)],
}
TITLES = {
    "assembly": ["学习贯彻党的二十大精神", "讨论年度工作计划", "通报党费收缴情况", "推选优秀党员"],
    "committee": ["研究本月工作安排", "研究发展党员工作", "研究困难党员帮扶", "研究民情走访问题"],
    "group": ["学习党章党规", "交流学习体会", "网格走访情况汇报"],
    "lecture": ["书记讲党课：守初心担使命", "党史专题党课", "基层治理专题党课"],
    "theme_day": ["环境整治志愿服务", "走访慰问老党员", "红色教育基地参观", "义务植树", "政策宣讲进网格"],
    "life_meeting": ["年度组织生活会"],
    "review": ["民主评议党员大会"],
}


def _at(day: date, hour: int, minutes: int = 120) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time(hour, 0)))
    return start, start + timedelta(minutes=minutes)


def _plan(branch, groups, today: date, rng: random.Random) -> list[dict]:
    """(kind, group, day) of the meetings of one branch over the last twelve months and the next week."""
    first = (today - relativedelta(months=11)).replace(day=1)
    gaps = {(k, (today - relativedelta(months=n)).strftime("%Y-%m")) for k, n in GAPS.get(branch.name, [])}
    out = []
    month = first
    while month <= today:
        key = month.strftime("%Y-%m")

        def add(kind, group=None, day=None):
            if (kind, key) in gaps:
                return
            out.append({"kind": kind, "group": group, "day": month.replace(day=day or rng.randint(3, 26))})
        add("theme_day", day=rng.choice([5, 8, 12, 15]))
        add("committee", day=rng.randint(2, 6))
        for g in groups:
            add("group", group=g)
        if month.month in (3, 6, 9, 12):
            add("assembly", day=rng.randint(18, 26))
            add("lecture", day=rng.randint(10, 20))
        if month.month == 1:
            add("life_meeting", day=rng.randint(10, 20))
            add("review", day=rng.randint(20, 25))
        month += relativedelta(months=1)
    return out


@transaction.atomic
def seed(ctx) -> None:
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    for name in BRANCHES:
        branch = ctx.orgs.get(name)
        if branch is None or Meeting.objects.filter(org=branch).exists():
            continue
        rng = random.Random(f"{branch.path}-{today:%Y%m}")
        groups = list(PartyGroup.objects.filter(org=branch).order_by("name"))
        roll = list(expected_members(org=branch, kind="assembly").order_by("id")
                    .only("id", "stage", "is_exempt", "user_id"))
        attendees_of: dict = {}
        normal = [m for m in roll if not m.is_exempt and m.user_id is None]
        # Two members drift away: one since about seven months (a case), one since about four (a warning).
        drifting = {m.id: today - relativedelta(months=n, days=10) for m, n in zip(normal[:2], (7, 4))}
        facts = _plan(branch, groups, today, rng)
        weak_assembly = name == "绿博家苑第一党支部"  # one assembly below the quorum (R-MEET-QUORUM)
        for f in sorted(facts, key=lambda f: f["day"]):
            starts_at, ends_at = _at(f["day"], rng.choice([9, 14, 15]), 120 if f["kind"] != "theme_day" else 180)
            held = ends_at < now
            kind = f["kind"]
            title = rng.choice(TITLES[kind])
            meeting = Meeting.objects.create(
                org=branch, region_id=branch.region_id, kind=kind, party_group=f["group"],
                title=f"{f['group'].name}：{title}" if f["group"] else title, starts_at=starts_at, ends_at=ends_at,
                place=rng.choice(["党群服务中心", "支部活动室", "社区会议室", "新时代文明实践站"]),
                agenda="1. 学习传达上级精神\n2. 研究部署工作\n3. 交流发言",
                speaker=(branch.secretary or "支部书记") if kind == "lecture" else "",
                minutes="会议由支部书记主持，按议程逐项进行，与会党员交流发言。" if held else "",
                resolutions="按议定事项分工落实。" if held and kind in ("assembly", "committee") else "",
                state=Meeting.State.HELD if held else Meeting.State.PLANNED, held_at=ends_at if held else None)
            created += 1
            key = (kind, f["group"].id if f["group"] else None)
            if key not in attendees_of:
                attendees_of[key] = list(expected_members(org=branch, kind=kind, party_group=f["group"])
                                         .only("id", "stage", "is_exempt"))
            attendees = attendees_of[key]
            low = weak_assembly and kind == "assembly" and f["day"].month == 6
            rows = []
            for m in attendees:
                status = Attendance.Status.ABSENT
                if held:
                    roll_ = rng.random()
                    if m.id in drifting and f["day"] >= drifting[m.id]:
                        status = Attendance.Status.ABSENT
                    elif low:
                        status = Attendance.Status.PRESENT if roll_ < 0.4 else Attendance.Status.ABSENT
                    elif m.is_exempt:
                        status = Attendance.Status.LEAVE
                    else:
                        status = (Attendance.Status.PRESENT if roll_ < 0.86 else
                                  Attendance.Status.LEAVE if roll_ < 0.94 else Attendance.Status.ABSENT)
                present = status == Attendance.Status.PRESENT
                rows.append(Attendance(
                    meeting=meeting, member=m, region_id=meeting.region_id, status=status, is_full=m.stage == "full",
                    is_exempt=m.is_exempt,
                    method=(Attendance.Method.QR if rng.random() < 0.7 else Attendance.Method.MANUAL)
                    if present else "",
                    checked_at=starts_at - timedelta(minutes=rng.randint(0, 20)) if present else None))
            Attendance.objects.bulk_create(rows, batch_size=500)
            if held:
                due = f["day"] + timedelta(days=rules.MAKEUP_DAYS)
                Makeup.objects.bulk_create([
                    Makeup(meeting=meeting, member_id=r.member_id, due_on=due,
                           state=Makeup.State.DONE if due < today and rng.random() < 0.8 else Makeup.State.OPEN,
                           done_on=due - timedelta(days=5) if due < today else None)
                    for r in rows if r.status != Attendance.Status.PRESENT])
        # The next theme day, a week ahead, still to be held.
        day = today + timedelta(days=7)
        starts_at, ends_at = _at(day, 9, 150)
        meeting = Meeting.objects.create(org=branch, region_id=branch.region_id, kind="theme_day",
                                         title="主题党日：冬季防火安全宣传", starts_at=starts_at, ends_at=ends_at,
                                         place="党群服务中心", agenda="1. 集中学习\n2. 入户宣传")
        Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m, region_id=meeting.region_id,
                                                   is_full=m.stage == "full", is_exempt=m.is_exempt) for m in roll])
        created += 1
        # 谈心谈话: about two thirds of the members so far this year.
        talks = [HeartTalk(org=branch, region_id=branch.region_id, member=m, talker_name=branch.secretary or "支部书记",
                           talked_on=date(today.year, rng.randint(1, today.month), 1)
                           + timedelta(days=rng.randint(0, 20)),
                           topic=rng.choice(["思想工作情况", "家庭困难情况", "对支部工作的意见建议"]),
                           follow_up=rng.choice(["", "协调解决孩子入学问题", "反映至社区党委"]))
                 for m in roll if rng.random() < 0.66]
        for t in talks:
            t.talked_on = min(t.talked_on, today)
        HeartTalk.objects.bulk_create(talks)
    if created:
        ctx.log.append(f"  组织生活：新建 {created} 次会议（{len(BRANCHES)} 个党支部，含缺开周期）")
    _venues(ctx)
    _cadres(ctx)
    _reviews(ctx, today)
    _prompts(ctx, today)


def _venues(ctx) -> None:
    """Hold the branches' theme days and assemblies at their 阵地 (the standards app registers them)."""
    try:  # the standards demo runs after this one: let it register its venues first (idempotent)
        from dangjian.standards import demo as standards_demo

        standards_demo._venues(ctx, ctx.users["zhang"])
    except (ImportError, AttributeError, KeyError):
        pass
    for name in BRANCHES:
        branch = ctx.orgs.get(name)
        venue = venues_for(branch).first() if branch else None
        if venue is None or Meeting.objects.filter(org=branch, venue__isnull=False).exists():
            continue
        Meeting.objects.filter(org=branch, kind__in=["theme_day", "assembly", "lecture"]).update(venue=venue)


def _cadres(ctx) -> None:
    """Two township leaders are members of the 机关 branch (双重组织生活)."""
    branch = ctx.orgs.get("刘集镇机关党支部")
    if branch is None or Member.objects.filter(org=branch, is_cadre=True).exists():
        return
    ids = list(expected_members(org=branch, kind="assembly").filter(stage="full").order_by("id")
               .values_list("id", flat=True)[2:4])  # not the two the demo lets drift away
    Member.objects.filter(id__in=ids).update(is_cadre=True)
    if ids:
        ctx.log.append(f"  组织生活：{len(ids)} 名领导干部（双重组织生活）")


def _reviews(ctx, today: date) -> None:
    """民主评议: last year's closed for every demo branch; this year's closed at 刘集村 (one 不合格 → 限期改正)
    and still open, half graded, at 绿博家苑第一党支部."""
    from dangjian.members.lifecycle import disposal_record

    zhang = ctx.users.get("zhang")
    made = 0
    for name in BRANCHES:
        branch = ctx.orgs.get(name)
        if branch is None or Review.objects.filter(org=branch).exists():
            continue
        made += 1
        rng = random.Random(f"review-{branch.path}")
        roll = list(expected_members(org=branch, kind="assembly").order_by("id"))
        plan = [(today.year - 1, True)]
        if name == "刘集村党支部":
            plan.append((today.year, True))
        elif name == "绿博家苑第一党支部":
            plan.append((today.year, False))
        for year, closed in plan:
            meeting = Meeting.objects.filter(org=branch, kind="review", starts_at__year=year).first()
            closed_on = min(today, date(year, 1, 28))
            review = Review.objects.create(org=branch, region_id=branch.region_id, year=year, meeting=meeting,
                                           state=Review.State.CLOSED if closed else Review.State.OPEN,
                                           closed_on=closed_on if closed else None)
            members = roll if closed else roll[: len(roll) // 2]
            grades = []
            for i, m in enumerate(members):
                x = rng.random()
                grade = "excellent" if x < 0.15 else "basically_qualified" if x > 0.95 else "qualified"
                grades.append(ReviewGrade(review=review, member=m, grade=grade, self_assessment="能够按时参加组织生活，"
                                          "完成支部交办的任务。", mutual_opinion="作用发挥较好" if grade == "excellent"
                                          else "", note=""))
            if closed and year == today.year and grades and zhang is not None:
                g = grades[-1]
                g.grade, g.note = "unqualified", "长期不参加组织生活，经批评教育仍无改进"
                g.disposal = disposal_record(actor=zhang, member=g.member, kind="rectify", decided_on=closed_on,
                                             deadline=rules.rectify_deadline(closed_on), source=f"meetings:review:{review.id}",
                                             reason=f"{year} 年度民主评议党员评定为不合格：{g.note}")
                g.rectify_deadline = g.disposal.deadline
            ReviewGrade.objects.bulk_create(grades)
    if made:
        ctx.log.append("  组织生活：民主评议党员（上年度全部评定，本年度一个支部评议中）")


def _prompts(ctx, today: date) -> None:
    """每周工作提示 of the township and 绿博家苑社区党委 for last week and this week; some done."""
    monday = rules.week_start(today)
    root, lvbo = ctx.root, ctx.orgs.get("绿博家苑社区党委")
    if WorkPrompt.objects.filter(org=root, week_start=monday).exists():
        return
    zhang = ctx.users.get("zhang")
    rows = [(root, monday - timedelta(days=7), "完成本月党费收缴核对", "各支部核对本月党费收缴情况，月底前报镇党委。"),
            (root, monday, "集中开展冬季民情走访", "“民情通”走访本周起实施，月底前对所有农户、住户走一遍，"
             "把基本情况、个人诉求摸排上来。"),
            (root, monday, "召开本月主题党日", "围绕冬季防火安全开展宣传，活动照片上传到会议记录。")]
    if lvbo is not None:
        rows.append((lvbo, monday, "楼院党员认领冬季志愿服务岗位", "每名党员至少认领一个岗位。"))
    done_by = ["刘集村党支部", "刘集镇机关党支部", "绿博家苑第一党支部"]  # this week: only the first so far
    for org, week, title, body in rows:
        prompt = WorkPrompt.objects.create(org=org, region_id=org.region_id, week_start=week, title=title, body=body,
                                           created_by=zhang)
        for name in done_by[: 3 if week < monday else 1]:
            branch = ctx.orgs.get(name)
            if branch is not None and branch.path.startswith(org.path):
                WorkPromptDone.objects.create(prompt=prompt, org=branch, note="已按要求落实", done_by=zhang)
    ctx.log.append("  组织生活：每周工作提示（上周、本周）")
