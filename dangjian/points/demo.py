"""Demo points for 刘集镇: the township committee's 亮化记分 standards (seed 000: 加减分参考标准, 台账,
每季度公开; seed 001: 先锋指数, 扣分与奖分, 季度排位), one branch's override, the last finished quarter and
the current one of entries for every member on the rolls, and the last quarter's 公示 with an objection.

Idempotent: rules are looked up by code, entries carry demo event ids (unique per source), and the
publication is made once.
"""
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org

from . import rules, selectors, services
from .models import Objection, PointEntry, PointRule, PointScheme, Publication

SOURCE = "demo.seed"
SINCE = date(2024, 1, 1)
# code: (name, category, points, cap, flags, subject).  Flags: e = evidence, s = self-report, a = approval,
# o = overridable (with limits).
CATALOG = [
    ("P01", "按时参加政治理论学习", "political", "1", "3", "s", "member", None),
    ("P02", "获得县级以上表彰", "political", "5", None, "esa", "member", None),
    ("P03", "发表不当言论、传播不良信息", "political", "-10", None, "", "member", None),
    ("O01", "参加支部党员大会、主题党日", "org_life", "2", "8", "", "member", None),
    ("O02", "无故缺席组织生活", "org_life", "-3", "12", "o", "member", ("-5", "-1")),
    ("O03", "按时足额交纳党费", "org_life", "1", "3", "", "member", None),
    ("D01", "亮身份、践承诺（三亮一评）", "duty", "2", "4", "", "member", None),
    ("D02", "完成党组织交办任务", "duty", "2", "6", "o", "member", ("1", "3")),
    ("D03", "无正当理由不完成交办任务", "duty", "-2", "6", "", "member", None),
    ("S01", "参加志愿服务（每次）", "service", "1", "5", "s", "member", None),
    ("S02", "为群众办实事好事", "service", "2", "6", "es", "member", None),
    ("S03", "参加民情走访", "service", "1", "3", "", "member", None),
    ("J01", "违反村规民约、扰乱公共秩序", "discipline", "-5", None, "", "member", None),
    ("J02", "受到党纪处分", "discipline", "-20", None, "", "member", None),
    ("J03", "被群众有效投诉", "discipline", "-3", "9", "", "member", None),
    ("B01", "未按期召开支部党员大会", "org_life", "-5", "15", "", "org", None),
    ("B02", "支部工作获镇党委通报表扬", "duty", "5", "10", "", "org", None),
]
# How often a member earns each code in a quarter: (code, chance per try, tries).
HABITS = [("P01", 0.5, 3), ("O01", 0.5, 4), ("O03", 0.6, 3), ("D01", 0.3, 2), ("D02", 0.2, 2), ("S01", 0.3, 5),
          ("S03", 0.25, 3), ("O02", 0.15, 2), ("D03", 0.05, 1), ("J03", 0.04, 1), ("J01", 0.01, 1)]


def _ensure_catalog(ctx) -> None:
    zhang, root = ctx.users["zhang"], ctx.root
    if not PointScheme.objects.filter(org=root).exists():
        services.scheme_save(actor=zhang, org=root, data={
            "base": "100", "period_kind": "quarter", "objection_days": 5, "warn_below": "90",
            "note": "刘集镇党员亮化记分：基础分 100 分，每季度按加减分标准记分，季度末公示并排名。"})
    for code, name, category, points, cap, flags, subject, limits in CATALOG:
        if PointRule.objects.filter(org=root, code=code).exists():
            continue
        services.rule_create(actor=zhang, org=root, code=code, valid_from=SINCE, subject=subject, data={
            "name": name, "category": category, "points": points, "cap_per_period": cap,
            "evidence_required": "e" in flags, "self_report_allowed": "s" in flags, "requires_approval": "a" in flags,
            "overridable": "o" in flags, "override_min": limits[0] if limits else None,
            "override_max": limits[1] if limits else None})
    branch = ctx.orgs.get("绿博家苑第一党支部")
    if branch is not None and not PointRule.objects.filter(org=branch, code="O02").exists():
        services.rule_create(actor=ctx.users["li"], org=branch, code="O02", valid_from=SINCE, data={
            "name": "无故缺席组织生活（一支部：首次提醒减半）", "category": "org_life", "points": "-2",
            "cap_per_period": "8", "note": "支委会研究：以教育提醒为主"})


def _entries_for_quarter(period: rules.Period, last_day: date, members, ctx, rng) -> list[PointEntry]:
    """Entries for every member on the rolls, within each rule's cap by construction (bulk, no loops of
    service calls: the demo must load quickly)."""
    out: list[PointEntry] = []
    catalogs: dict[int, dict] = {}
    days = (last_day - period.start).days + 1
    elapsed = days / ((period.end - period.start).days + 1)  # a running quarter has fewer entries so far
    for member in members:
        catalog = catalogs.get(member.org_id)
        if catalog is None:
            catalog = catalogs[member.org_id] = {v.rule.code: v for v in selectors.catalog_for(member.org,
                                                                                               day=period.start)}
        for code, chance, tries in HABITS:
            v = catalog.get(code)
            if v is None:
                continue
            used = 0
            for n in range(tries):
                if rng.random() >= chance * elapsed:
                    continue
                if v.cap_per_period is not None and abs(used + v.points) > v.cap_per_period:
                    break
                used += v.points
                day = period.start + timedelta(days=rng.randrange(days))
                auto = code in ("O01", "O03")
                out.append(PointEntry(
                    member=member, org=member.org, region_id=member.region_id, rule=v.rule, rule_version=v,
                    rule_code=code, category=v.category, points=v.points, occurred_on=day, period=period.label,
                    source=PointEntry.Source.AUTOMATIC if auto else PointEntry.Source.MANUAL, source_app=SOURCE,
                    source_event_id=f"{period.label}-{member.id}-{code}-{n}", status=PointEntry.Status.APPROVED,
                    note="" if auto else rng.choice(["", "支部记录", "党小组长报告", "现场核实"]),
                    created_by=None if auto else ctx.users["zhang"], decided_by=None if auto else ctx.users["zhang"],
                    decided_at=timezone.now()))
    return out


def _branch_entries(period: rules.Period, ctx, rng) -> list[PointEntry]:
    out = []
    for org in Org.objects.in_subtree(ctx.root).filter(kind=Org.Kind.BRANCH).order_by("path"):
        catalog = {v.rule.code: v for v in selectors.catalog_for(org, day=period.start)}
        roll = rng.random()
        code = "B01" if roll < 0.15 else "B02" if roll > 0.8 else None
        if code and code in catalog:
            v = catalog[code]
            out.append(PointEntry(
                org=org, region_id=org.region_id, rule=v.rule, rule_version=v, rule_code=code, category=v.category,
                points=v.points, occurred_on=period.end - timedelta(days=3), period=period.label,
                source=PointEntry.Source.MANUAL, source_app=SOURCE,
                source_event_id=f"{period.label}-org{org.id}-{code}",
                status=PointEntry.Status.APPROVED, created_by=ctx.users["zhang"], decided_by=ctx.users["zhang"],
                decided_at=timezone.now(), note="镇党委季度督查"))
    return out


@transaction.atomic
def seed(ctx) -> None:
    _ensure_catalog(ctx)
    members = list(members_on_rolls(ctx.root).select_related("org").order_by("id"))
    if not members:
        ctx.log.append("  积分：未找到党员，只载入了积分标准")
        return
    today = timezone.localdate()
    current = rules.period_of(today)
    last = rules.previous_period(current)
    created = 0
    if not PointEntry.objects.filter(source_app=SOURCE).exists():
        rng = random.Random(2019)
        rows = _entries_for_quarter(last, last.end, members, ctx, rng) + _branch_entries(last, ctx, rng)
        rows += _entries_for_quarter(current, today, members, ctx, rng)
        PointEntry.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        created = len(rows)
        _pending_self_reports(ctx, current, today)
    li = ctx.users["li"]
    branch = ctx.orgs.get("绿博家苑第一党支部")
    if branch is not None and not Publication.objects.filter(org=branch, period=last.label).exists():
        pub = services.publication_create(actor=li, org=branch, period=last.label, level="member")
        services.objection_file(actor=ctx.users["zhao"], publication=pub,
                                text="我参加了本季度最后一次主题党日，签到表上有我的名字，但台账中未计分，请核实。")
    if not Publication.objects.filter(org=ctx.root, period=last.label).exists():
        services.publication_create(actor=ctx.users["zhang"], org=ctx.root, period=last.label, level="branch")
    ctx.log.append(f"  积分：{len(CATALOG)} 项标准；{created} 条积分记录（{last.label}、{current.label}）；"
                   f"{Publication.objects.count()} 份公示，{Objection.objects.count()} 条异议")


def _pending_self_reports(ctx, period: rules.Period, today: date) -> None:
    """A few self-reports waiting in 绿博家苑第一党支部's queue (zhao's own among them)."""
    branch = ctx.orgs.get("绿博家苑第一党支部")
    if branch is None:
        return
    catalog = {v.rule.code: v for v in selectors.catalog_for(branch, day=today)}
    v = catalog.get("S01")
    notes = ["参加绿博家苑敬老院志愿服务", "参加小区垃圾分类宣传", "协助社区疫苗接种引导", "参加文明城市创建交通劝导"]
    rows = []
    for i, member in enumerate(members_on_rolls(branch).order_by("id")[:4]):
        used = selectors.cap_used(member=member, org=None, code="S01", period=period.label)
        if not rules.cap_allows(cap=v.cap_per_period, used=used, points=v.points):
            continue
        rows.append(PointEntry(
            member=member, org=branch, region_id=branch.region_id, rule=v.rule, rule_version=v, rule_code="S01",
            category=v.category, points=v.points, occurred_on=max(period.start, today - timedelta(days=i + 1)),
            period=period.label, source=PointEntry.Source.SELF_REPORT, source_app=SOURCE,
            source_event_id=f"{period.label}-self-{member.id}", status=PointEntry.Status.PENDING, note=notes[i],
            created_by=member.user))
    PointEntry.objects.bulk_create(rows, ignore_conflicts=True)
