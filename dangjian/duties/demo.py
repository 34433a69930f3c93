"""Demo duties for 刘集镇: a pledge template, a quarterly inspection with rectifications, a 述职评议,
8 enterprise 党建指导员 (seed 003) with 五必 logs (seed 004), service brands (seed 002), honors (seed 000), and the
community's 党小组长责任清单 (seed 001) with some groups' records (zhao leads his 党小组 in the demo).

Idempotent: each block is skipped when its first record already exists.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import rules, services
from .models import (ChecklistItem, GroupDutyList, Honor, Inspection, Instructor, PledgeTemplate, ReviewScheme,
                     ServiceBrand, WorkMethod, WorkMethodRecord)

ENTERPRISE_COMMITTEE = "刘集镇非公企业党委"
LVBO = "绿博家苑社区党委"
INSTRUCTORS = [  # (name, unit) — seed 003: 向非公企业派出党建指导员
    ("郑胜超", "镇党政办"), ("周建民", "镇组织办"), ("孙丽华", "镇纪委"), ("刘振东", "镇经发办"),
    ("陈晓燕", "镇社会事务办"), ("杨国强", "镇综治办"), ("马红梅", "镇财政所"), ("吴海涛", "镇规划所"),
]
PLEDGE_ITEMS = [("落实“三会一课”和主题党日制度", 25), ("发展党员和党员教育管理", 20), ("党建服务品牌创建", 20),
                ("党费收缴使用和管理", 15), ("党风廉政建设“一岗双责”", 20)]
BRANDS = {  # org → (brand, idea, rating)
    "绿博家苑社区党委": ("一化四方五联六推动", "区域化党建统筹辖区各类党组织", "excellent"),
    "绿博家苑第一党支部": ("小事不出楼院", "党员楼栋长包楼联户", "excellent"),
    "绿博家苑第二党支部": ("夕阳红之家", "定期举办老年活动", "nominated"),
    "绿博家苑第三党支部": ("红色物业", "党建引领物业服务", ""),
    "刘集镇非公企业党委": ("党建+非公", "把党组织建在产业链上", "excellent"),
    "金科物业党支部": ("诚信物业", "党员挂牌服务业主", "nominated"),
    "海宁皮革城党支部": ("诚信经营示范岗", "党员亮身份、亮承诺", ""),
    "刘集社区党委": ("百事通", "群众办事最多跑一次", ""),
    "万胜社区党委": ("党群连心", "支部书记接待日", ""),
    "刘集镇机关党支部": ("红色微家园", "互联网+党员教育", "nominated"),
}


def _year_quarter(today):
    return today.year, rules.quarter_of(today)


@transaction.atomic
def seed(ctx) -> None:
    zhang, li, wang = ctx.users["zhang"], ctx.users["li"], ctx.users["wang"]
    today = timezone.localdate()
    root, lvbo = ctx.root, ctx.orgs[LVBO]
    branch_one, branch_two = ctx.orgs["绿博家苑第一党支部"], ctx.orgs["绿博家苑第二党支部"]

    if not PledgeTemplate.objects.filter(org=root, year=today.year).exists():
        items = [{"content": c, "weight": w} for c, w in PLEDGE_ITEMS]
        services.pledge_template_issue(actor=zhang, org=root, year=today.year, title="党建工作责任书", items=items)
        template = services.pledge_template_issue(actor=zhang, org=lvbo, year=today.year, title="支部党建工作责任书",
                                                  items=items)
        signed_on = today - timedelta(days=min(30, today.timetuple().tm_yday - 1))  # early in the year, never future
        for n, pledge in enumerate(template.pledges.select_related("org").order_by("org__path")):
            if n >= 4:
                break
            pledge = services.pledge_sign(actor=zhang, pledge=pledge, signer=pledge.org.secretary or "支部书记",
                                 signed_on=signed_on)
            for m, item in enumerate(template.items.all()):
                services.pledge_progress_update(actor=zhang, pledge=pledge, item_id=item.id,
                                                percent=min(100, 20 * (m + n + 1)), note="按计划推进")
        ctx.log.append("责任与考评：已发放 2 份年度党建工作责任书")

    year, quarter = _year_quarter(today)
    if not Inspection.objects.filter(org=lvbo, year=year, quarter=quarter).exists():
        inspection = services.inspection_create(actor=zhang, org=lvbo, year=year, quarter=quarter,
                                                title="“两学一做”常态化制度化督查", notes="查阅台账、座谈走访、抽查党员学习笔记")
        found = today - timedelta(days=20)
        f1 = services.finding_create(
            actor=zhang, inspection=inspection, org=branch_one, description="三会一课记录不完整，缺少两次支委会记录",
            severity="medium", found_on=found, rectifications=[
                {"task": "补齐支委会会议记录并建立会议台账", "owner": "李秀英", "deadline": today - timedelta(days=3)},
                {"task": "制定下季度组织生活计划", "owner": "李秀英", "deadline": today + timedelta(days=10)}])
        services.finding_create(
            actor=zhang, inspection=inspection, org=branch_two, description="党费收缴未按月公示", severity="low",
            found_on=found, rectifications=[
                {"task": "按月公示党费收缴情况", "owner": "王坤", "deadline": today + timedelta(days=5)}])
        rect = f1.rectifications.order_by("deadline").last()
        services.rectification_complete(actor=li, rectification=rect, evidence="已制定计划并在支部大会通过", completed_on=today)
        ctx.log.append("责任与考评：已建立季度督查和整改任务")

    if not ReviewScheme.objects.filter(org=lvbo, year=today.year - 1).exists():
        scheme = services.review_scheme_create(
            actor=zhang, org=lvbo, year=today.year - 1, title="党支部书记抓党建述职评议",
            criteria=[{"name": "履行第一责任人职责", "max_score": 30}, {"name": "组织生活和党员管理", "max_score": 30},
                      {"name": "服务群众和品牌创建", "max_score": 20}, {"name": "群众满意度", "max_score": 20}])
        criteria = list(scheme.criteria.all())
        for n, branch in enumerate(lvbo.get_children().order_by("path")[:4]):
            actor = li if branch.pk == branch_one.pk else wang if branch.pk == branch_two.pk else zhang
            report = services.duty_report_submit(actor=actor, scheme=scheme, org=branch,
                                                 reporter=branch.secretary or "书记",
                                                 content="一年来，支部认真落实党建工作责任制……", submitted_on=today)
            scores = [{"criterion_id": c.id, "score": c.max_score - (n % 3) - (1 if i == 0 else 0)}
                      for i, c in enumerate(criteria)]
            if actor is not zhang:
                services.duty_report_score(actor=zhang, report=report, scores=scores)
        ctx.log.append("责任与考评：已建立年度述职评议")

    enterprise = ctx.orgs.get(ENTERPRISE_COMMITTEE)
    if enterprise is not None and not Instructor.objects.filter(org=enterprise).exists():
        branches = list(enterprise.get_children().filter(kind=Org.Kind.BRANCH).order_by("path"))
        items = {i.category: i for i in ChecklistItem.objects.filter(org=None).order_by("category", "order")}
        for n, (name, unit) in enumerate(INSTRUCTORS):
            instructor = services.instructor_create(actor=zhang, org=enterprise, name=name, unit=unit,
                                                    phone=f"1383710{n:04d}")
            branch = branches[n % len(branches)]
            assignment = services.instructor_assign(actor=zhang, instructor=instructor, org=branch,
                                                    started_on=today - timedelta(days=90))
            for k, category in enumerate(["know", "attend", "visit", "handle"][: 1 + n % 4]):
                services.instructor_log_create(actor=zhang, assignment=assignment, category=category,
                                               item_id=items[category].id,
                                               happened_on=today - timedelta(days=5 * k + 1),
                                               content=f"{items[category].text}：深入{branch.name}了解情况")
        ctx.log.append(f"责任与考评：已选派 {len(INSTRUCTORS)} 名非公企业党建指导员")

    if not ServiceBrand.objects.filter(org=lvbo).exists():
        for org_name, (name, idea, rating) in BRANDS.items():
            org = ctx.orgs.get(org_name)
            if org is None:
                continue
            brand = services.brand_create(actor=zhang, org=org, name=name, year=today.year - 1, idea=idea,
                                          practices="结合单位实际、岗位特点、党员特长开展服务", results="群众满意度明显提升")
            if rating and org.depth > 1:
                services.brand_rate(actor=zhang, brand=brand, rating=rating)

    if not Honor.objects.filter(org__path__startswith=root.path).exists():
        yao = Member.objects.filter(org=branch_one).exclude(user__isnull=False).order_by("id").first()
        for subject, org, member, award, story, public in [
            ("person", branch_one, yao, "优秀共产党员",
             "拥有 38 年党龄的老党员，每天清晨在小区清理杂物、劝导停车，成了小区一道特殊的风景线。", True),
            ("person", branch_two, None, "担当作为好书记", "带领支部开展“夕阳红”活动，推动社区服务“最多跑一次”。", True),
            ("org", lvbo, None, "先进基层党组织", "创新“一化四方五联六推动”管理模式，实现党建全覆盖。", True),
            ("person", branch_one, None, "优秀党务工作者", "长期负责支部台账，资料规范完整。", False)]:
            honor = services.honor_nominate(actor=zhang, org=org, subject=subject, member=member,
                                            person_name="" if member or subject == "org" else
                                            ("王坤" if org == branch_two else "张桂兰"), award=award,
                                            level="town", year=today.year - 1, story=story)
            if public and org.depth > 1:
                services.honor_decide(actor=zhang, honor=honor, approve=True, public=True, note="镇党委表彰")

    seed_group_duties(ctx, today)

    if not WorkMethodRecord.objects.filter(org=branch_one).exists():
        method = WorkMethod.objects.filter(org=None).first()
        if method is not None:
            record = services.work_record_create(actor=li, method=method, org=branch_one,
                                                 title=f"{today.year} 年支部标准化建设", year=today.year)
            for step in (1, 2, 3):
                services.work_step_record(actor=li, record=record, step_no=step,
                                          done_on=today - timedelta(days=30 - step),
                                          content=f"完成“{method.steps[step - 1]}”")


def seed_group_duties(ctx, today) -> None:
    """The community's 党小组长责任清单 for the year; zhao leads his 党小组; a spread of completion records."""
    from dangjian.orgs.models import PartyGroup
    from dangjian.orgs.tree import subtree_q

    lvbo, zhang = ctx.orgs[LVBO], ctx.users["zhang"]
    if GroupDutyList.objects.filter(org=lvbo, year=today.year).exists():
        return
    zhao = Member.objects.filter(user=ctx.users.get("zhao")).first()
    if zhao is not None:  # the demo's 党小组长: zhao leads a 党小组 of his branch
        group = zhao.party_group or PartyGroup.objects.filter(org=zhao.org).order_by("name").first()
        if group is not None and not group.leader:
            Member.objects.filter(pk=zhao.pk).update(party_group=group)
            PartyGroup.objects.filter(pk=group.pk).update(leader=zhao.name)
    duty_list = services.group_duty_list_create(
        actor=zhang, org=lvbo, year=today.year, title="党小组长责任清单",
        items=[{"frequency": f, "content": c} for f, c in rules.DEFAULT_GROUP_DUTIES])
    items = list(duty_list.items.all())
    groups = list(PartyGroup.objects.filter(subtree_q(lvbo.path, field="org__path")).select_related("org")
                  .order_by("org__path", "name"))
    for g_no, group in enumerate(groups):
        for i_no, item in enumerate(items):
            for p_no, period in enumerate(rules.periods_due(item.frequency, today.year, on=today)):
                if (g_no + i_no + p_no) % (2 + g_no % 3) == 0:  # some groups diligent, some not
                    continue
                start = rules.period_start(period)
                services.group_duty_record(actor=zhang, duty_list=duty_list, group=group, item_id=item.id,
                                           period=period, done_on=min(today, start + timedelta(days=5)),
                                           note="按期完成")
    ctx.log.append(f"责任与考评：已制定党小组长责任清单，{len(groups)} 个党小组填报完成情况")
