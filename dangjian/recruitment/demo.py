"""Demo data: people at every stage of 发展党员 in 刘集镇 (seed 003: applications from 非公企业 employees;
华强营销总监俞小明 and 金科物业业务骨干杨玲玲 are 入党积极分子). Every step goes through the services, so the
demo obeys RULES.md §1; dates are relative to today so that something is always due. Idempotent."""
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from dangjian.members.choices import Stage, Status
from dangjian.members.models import Member
from dangjian.members.services import member_create

from . import rules, services
from .models import RecruitmentRecord
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
    ]


@transaction.atomic
def seed(ctx) -> None:
    actor = ctx.users["zhang"]
    branches = ["华强公司党支部", "金科物业党支部", "海宁皮革城党支部", "名望地产党支部", "圣源商砼党支部",
                "青云绿化党支部", "绿博家苑第一党支部"]
    veterans = {b: [m.id for m in _veterans(ctx, b, i)] for i, b in enumerate(branches)}
    created = 0
    for name, branch, gender, birth, role, applied, steps in _people(veterans):
        org = ctx.orgs[branch]
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
    if created:
        ctx.log.append(f"发展党员：新增 {created} 名（入党申请人、积极分子、发展对象、预备党员、正式党员各阶段）")
