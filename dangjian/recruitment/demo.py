"""Demo data: people at every stage of 发展党员 in 刘集镇 (seed 003: applications from 非公企业 employees;
华强营销总监俞小明 and 金科物业业务骨干杨玲玲 are 入党积极分子). Every step goes through the services, so the
demo obeys RULES.md §1; dates are relative to today so that something is always due. Idempotent."""
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from dangjian.members.choices import Stage, Status
from dangjian.members.models import Member
from dangjian.core.checks import DEMO_PASSWORD
from dangjian.members.services import member_account_create, member_create

from . import dossier, rules, services
from .models import RecruitmentPlan, RecruitmentRecord
from .steps import VOTE_STEPS

# Full members created in a branch that has fewer than five, so there are sponsors, introducers and voters.
VETERANS = ["陈国庆", "李建华", "王秀兰", "张志刚", "刘桂英", "杨建军", "赵红梅", "黄永强", "周玉兰", "吴德明",
            "徐海峰", "孙丽华", "胡建平", "朱文静", "高志强", "林秀珍", "何立新", "郭春梅", "马振华", "罗红霞",
            "梁国栋", "宋秀英", "郑建国", "谢丽娟", "韩卫东", "唐淑芬", "冯志勇", "于美玲", "董建新", "萧玉珍",
            "程广平", "曹秀梅", "袁立军", "邓丽萍", "许宏伟"]


def _ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _veterans(ctx, branch_name: str, offset: int) -> list[Member]:
    org = ctx.orgs[branch_name]
    full = list(Member.objects.filter(org=org, stage=Stage.FULL, status=Status.NORMAL).order_by("id")[:5])
    i = 0
    while len(full) < 5:
        name = VETERANS[(offset * 5 + i) % len(VETERANS)]
        i += 1
        existing = Member.objects.filter(org=org, name=name).first()
        if existing:
            if existing not in full and existing.stage == Stage.FULL:
                full.append(existing)
            continue
        full.append(member_create(actor=ctx.users["zhang"], org=org, data={
            "name": name, "gender": "M" if i % 2 else "F", "birth_date": date(1965 + i * 3, 3 + i, 8 + i),
            "stage": Stage.FULL, "joined_on": date(1995 + i * 2, 7, 1), "full_on": date(1996 + i * 2, 7, 1),
            "unit_name": branch_name.replace("党支部", ""), "occupation": "职工"}))
    return full


def _activist_steps(talk: int, rec: int, assessments: list[int], s: list[int]) -> list:
    steps = [("application_talk", talk, {"talker_id": s[0]}),
             ("activist_recommendation", rec, {"method": "member_recommendation"}),
             ("activist_filing", rec - 5, {}), ("sponsors_assigned", rec - 5, {"sponsor_ids": [s[1], s[2]]})]
    steps += [("activist_assessment", a, {"summary": "按时提交思想汇报，工作积极，群众评价好"}) for a in assessments]
    return steps


def _candidate_steps(designated: int, review: int, training: int, s: list[int]) -> list:
    return [("candidate_designation", designated, {}), ("candidate_filing", designated - 5, {}),
            ("introducers_assigned", designated - 10, {"introducer_ids": [s[1], s[2]]}),
            ("political_review", review, {"conclusion": "政治历史清楚，本人及直系亲属无影响入党问题，政审合格",
                                          "passed": True}),
            ("candidate_training", training, {"days": 3, "certificate_no": "刘集党校2024-发展对象班"})]


def _admission_steps(branch_review: int, vote: int, approval: int) -> list:
    publicity_from, publicity_to = _ago(branch_review - 10), _ago(branch_review - 31)
    return [("branch_review", branch_review, {}),
            ("pre_review", branch_review - 10, {"publicity_from": publicity_from.isoformat(),
                                                "publicity_to": publicity_to.isoformat()}),
            ("application_form", branch_review - 35, {}),
            ("admission_vote", vote, {"present": 5, "for": 5, "against": 0, "abstain": 0}),
            ("approval_talk", vote - 5, {"talker_name": "镇党委组织委员"}),
            ("admission_approval", approval, {"approved": True}),
            ("department_filing", approval - 10, {}), ("oath", approval - 15, {})]


def _people(s) -> list[tuple]:
    """(name, branch, gender, birth date, unit role, applied days ago, [(step, days ago, data)])."""
    hq, jk, hn, mw, sy, qy, lb = (s[b] for b in ("华强公司党支部", "金科物业党支部", "海宁皮革城党支部",
                                                "名望地产党支部", "圣源商砼党支部", "青云绿化党支部", "绿博家苑第一党支部"))
    vote_zl = 420
    zl_end = (timezone.localdate() - rules.add_years(_ago(vote_zl), 1)).days
    return [
        ("俞小明", "华强公司党支部", "M", date(1986, 4, 12), "营销总监", 420,
         _activist_steps(400, 330, [170], hq)),
        ("杨玲玲", "金科物业党支部", "F", date(1991, 9, 3), "业务骨干", 300,
         _activist_steps(290, 250, [175], jk)),
        ("陈志远", "海宁皮革城党支部", "M", date(1988, 1, 20), "店长", 800,
         _activist_steps(790, 700, [530, 360], hn) + _candidate_steps(330, 200, 150, hn)),
        ("郭晓东", "华强公司党支部", "M", date(1985, 6, 6), "生产主管", 1200,
         _activist_steps(1190, 1100, [930, 760], hq) + _candidate_steps(720, 650, 640, hq)
         + _admission_steps(600, 350, 320)
         + [("probation_assessment", 180, {"summary": "预备期表现良好"}),
            ("probation_assessment", 10, {"summary": "预备期表现良好"})]),
        ("周丽", "名望地产党支部", "F", date(1990, 11, 30), "财务主管", 1300,
         _activist_steps(1295, 1200, [1030, 860], mw) + _candidate_steps(830, 800, 790, mw)
         + _admission_steps(700, vote_zl, 400)
         + [("probation_assessment", 250, {"summary": "预备期表现良好"}),
            ("probation_assessment", 80, {"summary": "预备期表现良好"}),
            ("conversion_application", zl_end, {}),
            ("conversion_vote", zl_end - 5, {"outcome": "convert", "present": 5, "for": 5, "against": 0,
                                             "abstain": 0}),
            ("conversion_approval", zl_end - 15, {"approved": True})]),
        ("马俊杰", "海宁皮革城党支部", "M", date(1995, 2, 14), "销售员", 80, [("application_talk", 70, {"talker_id": hn[0]})]),
        ("何静", "海宁皮革城党支部", "F", date(1997, 7, 7), "客服主管", 60, [("application_talk", 40, {"talker_id": hn[0]})]),
        ("孙浩", "圣源商砼党支部", "M", date(1993, 5, 21), "调度员", 45, []),
        ("刘婷", "名望地产党支部", "F", date(1996, 10, 2), "置业顾问", 12, []),
        ("张磊", "青云绿化党支部", "M", date(1992, 3, 15), "养护班长", 75,
         [("application_talk", 30, {"talker_id": qy[0], "late_reason": "党支部书记参加县委党校培训"})]),
        ("王芳", "华强公司党支部", "F", date(1994, 8, 18), "质检员", 20, [("application_talk", 10, {"talker_id": hq[0]})]),
        ("赵敏", "金科物业党支部", "F", date(1998, 12, 1), "物业管家", 5, []),
        ("吴欣", "绿博家苑第一党支部", "F", date(1999, 4, 26), "社区网格员", 25, []),
        ("郑凯", "绿博家苑第一党支部", "M", date(1989, 9, 9), "社区志愿者", 260,
         _activist_steps(250, 200, [30], lb)),
        # A few more at each stage in the enterprise branches.
        ("冯雪", "圣源商砼党支部", "F", date(1992, 6, 18), "技术员", 310, _activist_steps(300, 240, [70], sy)),
        ("韦建伟", "青云绿化党支部", "M", date(1987, 3, 9), "项目经理", 820,
         _activist_steps(810, 720, [550, 380], qy) + _candidate_steps(340, 210, 160, qy)),
        ("蒋丽娜", "金科物业党支部", "F", date(1989, 12, 24), "客服经理", 1210,
         _activist_steps(1200, 1110, [940, 770], jk) + _candidate_steps(730, 660, 650, jk)
         + _admission_steps(610, 360, 330) + [("probation_assessment", 190, {"summary": "预备期表现良好"}),
                                              ("probation_assessment", 20, {"summary": "预备期表现良好"})]),
        ("沈磊", "圣源商砼党支部", "M", date(1984, 10, 5), "生产经理", 1310,
         _activist_steps(1305, 1210, [1040, 870], sy) + _candidate_steps(840, 810, 800, sy)
         + _admission_steps(705, vote_zl, 400)
         + [("probation_assessment", 255, {"summary": "预备期表现良好"}),
            ("probation_assessment", 85, {"summary": "预备期表现良好"}),
            ("conversion_application", zl_end, {}),
            ("conversion_vote", zl_end - 5, {"outcome": "convert", "present": 5, "for": 5, "against": 0,
                                             "abstain": 0}),
            ("conversion_approval", zl_end - 15, {"approved": True}), ("archiving", zl_end - 20, {})]),
    ]


# Seed 003: "近3个月来，在刘集镇辖区内9个非公企业党支部，就有27名非公企业人员向党组织递交入党申请书".
# _people() already holds 7 of them; these 20 complete the 27, spread over the enterprise branches.
RECENT_APPLICANTS = [
    ("李思远", "M", "仓储主管"), ("王雅琴", "F", "会计"), ("张海涛", "M", "电工"), ("刘晓燕", "F", "人事专员"),
    ("陈宇航", "M", "司机"), ("杨帆", "M", "质检员"), ("赵雪梅", "F", "出纳"), ("黄博文", "M", "销售经理"),
    ("周婷婷", "F", "前台主管"), ("吴昊", "M", "机修工"), ("徐静怡", "F", "文员"), ("孙立伟", "M", "调度员"),
    ("胡佳怡", "F", "设计师"), ("朱振宇", "M", "安全员"), ("高丽娟", "F", "保洁班长"), ("林志杰", "M", "绿化工"),
    ("何雨欣", "F", "营业员"), ("郭建勋", "M", "搅拌站操作员"), ("马晓丽", "F", "物业管家"), ("罗浩然", "M", "技术员"),
]
ENTERPRISE_COMMITTEE = "刘集镇非公企业党委"
# 发展党员计划 of the current year, set by the township committee (R-PLAN): (org name, quota).
PLANS = [(ENTERPRISE_COMMITTEE, 8), ("华强公司党支部", 1), ("金科物业党支部", 1), ("海宁皮革城党支部", 2),
         ("名望地产党支部", 1), ("圣源商砼党支部", 1), ("青云绿化党支部", 1), ("绿博家苑社区党委", 3)]
# The demo applicant with a login of their own, to try "我的入党进度" on a phone.
SELF_SERVICE = ("俞小明", "yuxiaoming")


def _recent(ctx) -> list[tuple]:
    committee = ctx.orgs.get(ENTERPRISE_COMMITTEE)
    branches = list(committee.get_children().filter(kind="branch").order_by("path")) if committee else []
    out = []
    for i, (name, gender, role) in enumerate(RECENT_APPLICANTS):
        if not branches:
            break
        org = branches[i % len(branches)]
        applied = 3 + (i * 87) // len(RECENT_APPLICANTS)          # spread over the last 90 days
        steps = [("application_talk", max(applied - 12, 1), {"talker_name": "党支部书记"})] if applied > 20 else []
        out.append((name, org, gender, date(1990 + i % 9, 1 + i % 12, 3 + i), role, applied, steps))
    return out


@transaction.atomic
def seed(ctx) -> None:
    actor = ctx.users["zhang"]
    branches = ["华强公司党支部", "金科物业党支部", "海宁皮革城党支部", "名望地产党支部", "圣源商砼党支部",
                "青云绿化党支部", "绿博家苑第一党支部"]
    veterans = {b: [m.id for m in _veterans(ctx, b, i)] for i, b in enumerate(branches)}
    created = 0
    people = [(n, ctx.orgs[b], g, bd, r, a, st) for n, b, g, bd, r, a, st in _people(veterans)] + _recent(ctx)
    for name, org, gender, birth, role, applied, steps in people:
        branch = org.name
        if RecruitmentRecord.objects.filter(member__org=org, member__name=name).exists():
            continue
        record = services.applicant_create(actor=actor, org=org, applied_on=_ago(applied), data={
            "name": name, "gender": gender, "birth_date": birth, "unit_name": branch.replace("党支部", ""),
            "occupation": role})
        member = record.member
        for code, days, data in steps:
            data = dict(data)
            late = data.pop("late_reason", "")
            if code in VOTE_STEPS:  # everyone entitled attends and votes for
                n = services.voters_expected(org)
                data.update({"present": n, "for": n, "against": 0, "abstain": 0})
            services.step_record_create(actor=actor, member=member, step=code, on=_ago(days), data=data,
                                        late_reason=late)
        created += 1
        _documents(actor, member)
    if created:
        ctx.log.append(f"发展党员：新增 {created} 名（入党申请人、积极分子、发展对象、预备党员、正式党员各阶段）")
    today = timezone.localdate()
    for org_name, quota in PLANS:
        org = ctx.orgs.get(org_name)
        if org is not None and not RecruitmentPlan.objects.filter(org=org, year=today.year).exists():
            services.plan_set(actor=actor, org=org, year=today.year, quota=quota, note="镇党委年初下达")
    _account(ctx)


def _documents(actor, member) -> None:
    """Papers received so far: a 思想汇报 every quarter except the latest one, and the papers of the steps
    done except 预审意见 and 组织部门备案 (so the dossier shows something missing, as in real files)."""
    record = member.recruitment
    items = dossier.checklist(services.entries_of(record), {}, today=timezone.localdate())
    for item in items:
        if item.doc.auto or item.status != "missing":
            continue
        if item.doc.per == "quarter":
            start = record.steps.filter(step="activist_recommendation").values_list("date", flat=True).first()
            for k in range(1, item.required):
                services.dossier_document_add(actor=actor, member=member, kind="thought_report",
                                              received_on=rules.add_months(start, 3 * k), note=f"第 {k} 季度")
        elif item.doc.code not in ("pre_review_opinion", "department_filing_report"):
            on = record.steps.filter(step=item.doc.step).order_by("-date").values_list("date", flat=True).first()
            services.dossier_document_add(actor=actor, member=member, kind=item.doc.code, received_on=on)


def _account(ctx) -> None:
    name, username = SELF_SERVICE
    member = Member.objects.filter(name=name, recruitment__isnull=False).first()
    if member is None or member.user_id:
        return
    from django.contrib.auth import get_user_model

    if get_user_model().objects.filter(username=username).exists():
        return
    member_account_create(actor=ctx.users["zhang"], member=member, username=username, password=DEMO_PASSWORD)
    ctx.log.append(f"发展党员：入党积极分子 {name} 的自助账号 {username}（查看“我的入党进度”）")
