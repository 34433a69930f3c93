"""Demo points for 刘集镇: the township committee's 亮化记分 standards (seed 000: 加减分参考标准, 台账,
每季度公开, 三亮一评; seed 001: 先锋指数, 18 个村党支部季度排位, 扣分与奖分, 不合格党员处置), one branch's
override, a year of entries (the last four finished quarters and the current one) for every member on the
rolls, the village branches' own deductions and rewards, pledges and 群众评议, the last quarter's 公示 (with
an objection) and warning list, and one disposal opened from a warning.

The township has 3 village branches in core.demo; the other 15 of seed 001's 18 are made here, directly
under the township committee, with 18–22 synthetic members each (at least the members demo's per-branch
plan, so that re-running it adds nobody).

Idempotent: orgs are looked up by name, rules by code, entries carry demo event ids (unique per source), the
other records are unique per member and year / period, and publications are made once.
"""
import dataclasses
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from dangjian.members.models import Disposal, Member
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org, Unit

from . import rules, selectors, services
from .models import Objection, Pledge, PointEntry, PointRule, PointScheme, PointWarning, PublicRating, Publication

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
    ("B03", "未按周召开民情分析会", "org_life", "-2", "8", "", "org", None),
    ("B04", "未开展党员活动日", "org_life", "-3", "9", "", "org", None),
    ("B05", "重点工作季度排位进步奖", "duty", "3", "3", "", "org", None),
    ("PR-A", "群众评议优秀", "service", "3", "3", "", "member", None),
    ("PR-B", "群众评议合格", "service", "1", "1", "", "member", None),
    ("PR-C", "群众评议基本合格", "service", "-2", "2", "", "member", None),
    ("PR-D", "群众评议不合格", "service", "-5", "5", "", "member", None),
]
# Seed 001: 草塔镇 ranks its 18 村 each quarter. They get a demo township of their own, so 刘集镇 (seed 003) keeps
# exactly its 25 branches and 893 members (issues 3 and 4); zhang administers both.
CAOTA = "中共诸暨市草塔镇委员会"
VILLAGES = ["小孟村", "西史庄村", "后刘村", "关家村", "王庄村", "杨庄村", "三官庙村", "孙庄村", "张庄村", "白沙村",
            "新庄村", "郭庄村", "岳庄村", "胡辛庄村", "毛庄村", "上谷村", "下谷村", "枫溪村"]
IDENTITIES = ["党员中心户", "党员示范岗", "网格员", "楼栋长", "志愿服务队员", "村民小组长", "护河员", "治安巡逻队员",
              "红白理事会成员", "种植大户"]
PLEDGES = [("每月至少参加 2 次志愿服务", "全年志愿服务不少于 24 次，群众满意"),
           ("联系帮扶 3 户困难群众", "每月走访一次，帮助解决实际困难"),
           ("带头做好门前三包和垃圾分类", "责任区域干净整洁，无乱堆乱放"),
           ("按时参加组织生活、按时交纳党费", "全年无缺席、无欠缴"),
           ("带头化解邻里矛盾纠纷", "责任网格内矛盾不上交"),
           ("带动 5 户群众发展特色种植", "带动户均增收 2000 元以上"),
           ("每季度为群众讲一次政策", "群众知晓率达到 90% 以上")]
RESULTS = {"fulfilled": "承诺事项全部完成，群众反映良好", "partly": "大部分完成，个别事项仍在推进",
           "unfulfilled": "因外出务工未能兑现，已作说明"}
# How often a member earns each code in a quarter: (code, chance per try, tries).
HABITS = [("P01", 0.5, 2), ("O01", 0.5, 3), ("O03", 0.7, 1), ("D01", 0.3, 1), ("D02", 0.2, 1), ("S01", 0.3, 3),
          ("S03", 0.25, 1), ("O02", 0.15, 2), ("D03", 0.05, 1), ("J03", 0.04, 1), ("J01", 0.01, 1)]


def _ensure_catalog(ctx) -> None:
    zhang, root = ctx.users["zhang"], ctx.root
    if not PointScheme.objects.filter(org=root).exists():
        town = "草塔镇党员先锋指数" if root.name == CAOTA else "刘集镇党员亮化记分"
        services.scheme_save(actor=zhang, org=root, data={
            "base": "100", "period_kind": "quarter", "objection_days": 5, "warn_below": "90",
            "unqualified_below": "75",
            "note": f"{town}：基础分 100 分，每季度按加减分标准记分，季度末公示并排名。"})
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


def _branch_entries(period: rules.Period, ctx, rng, villages: set[int]) -> list[PointEntry]:
    """The branches' own deductions and rewards (seed 001: 每月通报扣分与奖分, 每季度工作排位)."""
    out = []
    for org in Org.objects.in_subtree(ctx.root).filter(kind=Org.Kind.BRANCH).order_by("path"):
        catalog = {v.rule.code: v for v in selectors.catalog_for(org, day=period.start)}
        if org.id in villages:
            picks = [c for c, chance in (("B01", 0.15), ("B02", 0.25), ("B03", 0.35), ("B04", 0.2), ("B05", 0.2))
                     if rng.random() < chance]
        else:
            roll = rng.random()
            picks = ["B01"] if roll < 0.15 else ["B02"] if roll > 0.8 else []
        for code in picks:
            if code not in catalog:
                continue
            v = catalog[code]
            out.append(PointEntry(
                org=org, region_id=org.region_id, rule=v.rule, rule_version=v, rule_code=code, category=v.category,
                points=v.points, occurred_on=min(period.end, timezone.localdate()) - timedelta(days=3),
                period=period.label, source=PointEntry.Source.MANUAL, source_app=SOURCE,
                source_event_id=f"{period.label}-org{org.id}-{code}",
                status=PointEntry.Status.APPROVED, created_by=ctx.users["zhang"], decided_by=ctx.users["zhang"],
                decided_at=timezone.now(), note="镇党委季度督查"))
    return out


def _troubled(members: list, ctx) -> list:
    """A few members (never a persona) with grave deductions in the last quarter, for the warning list:
    the first non-persona member of 绿博家苑第一党支部 (so li has one to handle) and every 97th member."""
    personas = {u.pk for u in ctx.users.values()}
    plain = [m for m in members if m.user_id not in personas]
    branch = ctx.orgs.get("绿博家苑第一党支部")
    picked = [m for m in plain if branch is not None and m.org_id == branch.id][:1]
    picked += [m for i, m in enumerate(plain) if i % 97 == 41 and m not in picked]
    return picked


def _bad_entries(period: rules.Period, members: list, ctx) -> list[PointEntry]:
    out = []
    for i, member in enumerate(_troubled(members, ctx)):
        catalog = {v.rule.code: v for v in selectors.catalog_for(member.org, day=period.start)}
        codes = ["J02", "J02", "J01"] if i % 3 == 0 else ["J02"] if i % 3 == 1 else ["J01", "J01"]
        for n, code in enumerate(codes):
            v = catalog[code]
            out.append(PointEntry(
                member=member, org=member.org, region_id=member.region_id, rule=v.rule, rule_version=v,
                rule_code=code, category=v.category, points=v.points, occurred_on=period.start + timedelta(days=20 + n),
                period=period.label, source=PointEntry.Source.MANUAL, source_app=SOURCE,
                source_event_id=f"{period.label}-bad-{member.id}-{n}", status=PointEntry.Status.APPROVED,
                note="支委会研究决定", created_by=ctx.users["zhang"], decided_by=ctx.users["zhang"],
                decided_at=timezone.now()))
    return out


def add_child(parent: Org, **fields) -> Org:
    """A child org through the tree's manager API when it has one (Org.objects.add_child), else treebeard's."""
    manager_add = getattr(Org.objects, "add_child", None)
    return manager_add(parent, fields) if manager_add is not None else parent.add_child(**fields)


def _ensure_villages(ctx):
    """草塔镇 and its 18 village branches (get_or_create by name) with their members; returns (root, villages)."""
    from dangjian.accounts.models import Role
    from dangjian.members.synthetic import member_rows

    root = Org.get_root_nodes().filter(name=CAOTA).first()
    if root is None:
        unit, _ = Unit.objects.get_or_create(name="草塔镇", defaults={"kind": Unit.Kind.GOVERNMENT})
        root = Org.objects.add_root(dict(name=CAOTA, kind=Org.Kind.COMMITTEE, is_region=True, unit=unit))
        Org.objects.filter(pk=root.pk).update(region_id=root.pk)
        root.refresh_from_db()
    _, made_role = Role.objects.get_or_create(user=ctx.users["zhang"], org=root, role=Role.Kind.ADMIN)
    if made_role:
        ctx.users["zhang"].__dict__.pop("_dj_roles", None)  # scope caches the roles on the user object
    today, made = timezone.localdate(), 0
    for name in VILLAGES:
        full = f"{name}党支部"
        org = root.get_children().filter(name=full).first()
        if org is None:
            unit, _ = Unit.objects.get_or_create(name=f"草塔镇{name}", defaults={"kind": Unit.Kind.VILLAGE})
            org = add_child(root, name=full, kind=Org.Kind.BRANCH, unit=unit, region_id=root.pk,
                            secretary=random.Random(full).choice(["杨", "王", "李", "刘", "陈"]) + "书记")
        ctx.orgs[full] = org
        if Member.objects.filter(org=org).exists():
            continue
        rng = random.Random(f"points-village-{name}")
        rows = member_rows(org=org, count=rng.randint(18, 22), rng=rng, today=today, probationary_share=0.02)
        taken = set(Member.objects.filter(id_index__in=[r.id_index for r in rows]).values_list("id_index", flat=True))
        rows = [r for r in rows if r.id_index not in taken]
        Member.objects.bulk_create(rows, batch_size=500)
        made += len(rows)
    if made:
        ctx.log.append(f"  积分：新建草塔镇（种子 001）及 18 个村党支部，党员 {made} 名")
    villages = list(Org.objects.in_subtree(root).filter(kind=Org.Kind.BRANCH, unit__kind=Unit.Kind.VILLAGE)
                    .order_by("path"))
    return root, villages


def _pledges(members: list, year: int, assessed: bool, rng) -> int:
    have = set(Pledge.objects.filter(year=year).values_list("member_id", flat=True))
    rows = []
    for m in members:
        if m.id in have:
            continue
        text, standard = rng.choice(PLEDGES)
        fulfilment = rng.choices(["fulfilled", "partly", "unfulfilled"], [85, 12, 3])[0] if assessed else ""
        rows.append(Pledge(member=m, org=m.org, year=year, identity=rng.choice(IDENTITIES), text=text,
                           standard=standard, fulfilment=fulfilment, result=RESULTS.get(fulfilment, ""),
                           assessed_on=date(year, 12, 28) if assessed else None))
    Pledge.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _ratings(ctx, period: rules.Period, rng) -> int:
    """群众评议 of the last quarter in 绿博家苑第一党支部 and three villages, through the service (its grade
    feeds the ledger through the automatic interface)."""
    made = 0
    for name, actor in (("绿博家苑第一党支部", "li"), ("大孟村党支部", "zhang"), ("小孟村党支部", "zhang")):
        org = ctx.orgs.get(name)
        if org is None:
            continue
        done = set(PublicRating.objects.filter(org=org, period=period.label).values_list("member_id", flat=True))
        for m in members_on_rolls(org).select_related("org").order_by("id"):
            if m.id in done or m.user_id == ctx.users[actor].pk:
                continue
            unhappy = rng.random() < 0.08
            services.rating_record(
                actor=ctx.users[actor], member=m, rated_on=period.end - timedelta(days=6),
                satisfied=rng.randint(2, 8) if unhappy else rng.randint(14, 30), basically_satisfied=rng.randint(0, 6),
                unsatisfied=rng.randint(8, 15) if unhappy else rng.randint(0, 2),
                note="季度末党员群众代表评议（无记名投票）")
            made += 1
    return made


@transaction.atomic
def seed(ctx) -> None:
    caota_root, villages = _ensure_villages(ctx)
    caota = dataclasses.replace(ctx, root=caota_root)
    for town in (ctx, caota):
        _ensure_catalog(town)
    today = timezone.localdate()
    current = rules.period_of(today)
    last = rules.previous_period(current)
    quarters = [last]
    for _ in range(3):
        quarters.insert(0, rules.previous_period(quarters[0]))
    village_ids = {v.id for v in villages} | set(
        Org.objects.in_subtree(ctx.root).filter(kind=Org.Kind.BRANCH, unit__kind=Unit.Kind.VILLAGE)
        .values_list("id", flat=True))
    created, pledged, scanned = 0, 0, 0
    # Ratings feed the last period's scores, so they come before the warning scans (a re-run then changes nothing).
    rated = _ratings(ctx, last, random.Random(2019))
    for town in (ctx, caota):
        members = list(members_on_rolls(town.root).select_related("org").order_by("id"))
        if not members:
            ctx.log.append(f"  积分：{town.root.name} 未找到党员，只载入了积分标准")
            continue
        for period in quarters + [current]:
            # One marker per town and period: a re-run adds nothing.
            if PointEntry.objects.filter(source_app=SOURCE, period=period.label, region_id=town.root.region_id) \
                    .exists():
                continue
            rng = random.Random(f"points-{town.root.name}-{period.label}")
            last_day = min(period.end, today)
            rows = _entries_for_quarter(period, last_day, members, town, rng) + _branch_entries(period, town, rng,
                                                                                                village_ids)
            if period == last:
                rows += _bad_entries(period, members, town)
            PointEntry.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            created += len(rows)
        rng = random.Random(f"pledges-{town.root.name}")
        pledged += _pledges(members, today.year, False, rng) + _pledges(members, today.year - 1, True, rng)
        for level in ("branch", "village"):
            if not Publication.objects.filter(org=town.root, period=last.label, level=level).exists():
                services.publication_create(actor=ctx.users["zhang"], org=town.root, period=last.label, level=level)
        scanned += services.warnings_scan(actor=ctx.users["zhang"], org=town.root, period=last.label)["notified"]
    if not PointEntry.objects.filter(source_app=SOURCE, period=current.label, status=PointEntry.Status.PENDING) \
            .exists():
        _pending_self_reports(ctx, current, today)
    li = ctx.users["li"]
    branch = ctx.orgs.get("绿博家苑第一党支部")
    if branch is not None and not Publication.objects.filter(org=branch, period=last.label).exists():
        pub = services.publication_create(actor=li, org=branch, period=last.label, level="member")
        services.objection_file(actor=ctx.users["zhao"], publication=pub,
                                text="我参加了本季度最后一次主题党日，签到表上有我的名字，但台账中未计分，请核实。")
    _dispose_one(ctx, last, today)
    ctx.log.append(f"  积分：{len(CATALOG)} 项标准；{created} 条积分记录（{quarters[0].label}—{current.label}）；"
                   f"草塔镇 {len(villages)} 个村党支部参加排位；承诺 {pledged} 份，群众评议 {rated} 人次；"
                   f"{last.label} 预警 {PointWarning.objects.filter(period=last.label).count()} 人"
                   f"（新通知 {scanned} 人次）；{Publication.objects.count()} 份公示，"
                   f"{Objection.objects.count()} 条异议")


def _dispose_one(ctx, period: rules.Period, today: date) -> None:
    """li opens a 限期改正 from the warning in her branch (once)."""
    branch = ctx.orgs.get("绿博家苑第一党支部")
    if branch is None or Disposal.objects.filter(source__startswith="points:").exists():
        return
    w = (PointWarning.objects.filter(org=branch, period=period.label, state=PointWarning.State.OPEN,
                                     level=PointWarning.Level.UNQUALIFIED).select_related("member").first())
    if w is None:
        return
    services.warning_dispose(actor=ctx.users["li"], warning=w, kind=Disposal.Kind.RECTIFY,
                             reason=f"{period.label} 先锋指数 {w.score} 分，低于不合格分数线；支委会研究决定限期改正",
                             decided_on=today, deadline=today + timedelta(days=180))


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
