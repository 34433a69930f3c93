"""Dashboard charts: one selector per chart, each returning plain data (dicts and lists).

Every selector takes `actor` and `org` (404 outside the actor's scope, via scope.require) and aggregates
in the database with GROUP BY — one query per chart (plus the list of child orgs where a chart has one
bar per child), never a loop over orgs or members. Charts of other areas return None when their app
is not installed. The member charts read the nightly roll-up (MemberStatsDaily) when it exists for the
date and `source` allows it, and count live otherwise; the other charts (but the funnel) read the nightly
OrgStatsMonthly roll-up under the rule written in rollups.py (big subtree, fresh build, covered year; a
branch always counts live) and say so with "source" and "as_of".
"""
import operator
from datetime import date
from decimal import Decimal
from functools import reduce

from django.apps import apps
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, Substr
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core import money
from dangjian.members.choices import ACTIVE_STATUSES, Education, Gender, Stage
from dangjian.members.selectors import members_in_subtree
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rollups, rules
from .models import MemberStatsDaily, ReportSubmission

D = MemberStatsDaily.Dimension
ON_ROLLS = [Stage.PROBATIONARY, Stage.FULL]
OWN_LEVEL = "（本级）"
SOURCES = ("auto", "live", "rollup")


def installed(label: str) -> bool:
    return apps.is_installed(f"dangjian.{label}")


def _check(actor, org: Org) -> Org:
    require(actor, "reports.view", org)  # 404 outside scope, 403 inside without the right
    return org


def _today(on: date | None) -> date:
    return on or timezone.localdate()


def _used(built: date | None) -> dict:
    """Where a chart's figures come from: the roll-up of `built` (shown as 数据截至) or live counting."""
    return {"source": "rollup", "as_of": built.isoformat()} if built else {"source": "live"}


# --- Member dimensions (shared with the nightly roll-up in services.py) ------------------------------

DIMENSIONS = {
    D.STAGE: ("人员类别", [(s.value, s.label) for s in Stage]),
    D.GENDER: ("性别", [(g.value, g.label) for g in Gender]),
    D.AGE: ("年龄", [(b[0], b[1]) for b in rules.AGE_BANDS]),
    D.EDUCATION: ("学历", [(e.value, e.label) for e in Education] + [("", "未填写")]),
    D.PARTY_YEARS: ("党龄", [(b[0], b[1]) for b in rules.PARTY_YEAR_BANDS]),
}


def _band_case(field: str, bands, on: date):
    whens = []
    for code, after, upto in rules.band_cutoffs(bands, on):
        q = Q()
        if after is not None:
            q &= Q(**{f"{field}__gt": after})
        if upto is not None:
            q &= Q(**{f"{field}__lte": upto})
        whens.append(When(q, then=Value(code)))
    return Case(*whens, default=Value(""), output_field=CharField())


def dimension_expr(dimension: str, on: date):
    if dimension == D.AGE:
        return _band_case("birth_date", rules.AGE_BANDS, on)
    if dimension == D.PARTY_YEARS:
        return _band_case("party_from", rules.PARTY_YEAR_BANDS, on)
    return F(dimension)


def population(qs, dimension: str):
    """Who a dimension counts: everyone on the registry in an active status for 人员类别 (the pipeline too);
    probationary and full members for gender, age and education; full members for 党龄 (党章 §7)."""
    qs = qs.filter(status__in=ACTIVE_STATUSES)
    if dimension == D.STAGE:
        return qs
    if dimension == D.PARTY_YEARS:
        return qs.filter(stage=Stage.FULL).annotate(party_from=Coalesce("full_on", "joined_on")).filter(
            party_from__isnull=False)
    return qs.filter(stage__in=ON_ROLLS)


def _stats_rows(orgs: list[tuple[int, int | None]]) -> Q:
    """MemberStatsDaily rows of these (org id, region id) pairs. The region (each row carries its org's) makes
    the lookup an exact range of the unique (region_id, org, date, dimension, value) index — one shard on
    Citus. Without it PostgreSQL takes the (date, dimension) index for the newest date (which its
    statistics do not know yet) and filters all orgs' rows of the day: 260 000 at 1 M members."""
    by_region: dict = {}
    for org_id, region_id in orgs:
        by_region.setdefault(region_id, []).append(org_id)
    return reduce(operator.or_, (Q(region_id=r, org_id__in=ids) for r, ids in by_region.items()))


def _dimension_chart(actor, org: Org, dimension: str, *, on: date | None, source: str) -> dict:
    _check(actor, org)
    on = _today(on)
    title, choices = DIMENSIONS[dimension]
    counts, used = {}, "live"
    if source in ("auto", "rollup"):
        counts = dict(MemberStatsDaily.objects.filter(_stats_rows([(org.id, org.region_id)]), date=on,
                                                      dimension=dimension).values_list("value", "count"))
        used = "rollup" if counts or source == "rollup" else "live"
    if used == "live":
        qs = population(members_in_subtree(org), dimension)
        counts = dict(qs.annotate(v=dimension_expr(dimension, on)).values("v").annotate(n=Count("id"))
                      .order_by().values_list("v", "n"))
    items = [{"code": code, "label": label, "value": counts.get(code, 0)} for code, label in choices]
    if dimension == D.EDUCATION and not items[-1]["value"]:
        items.pop()  # 未填写 only when someone has no education on file
    return {"dimension": dimension, "title": title, "items": items, "total": sum(i["value"] for i in items),
            "source": used, "date": on.isoformat()}


def chart_members_by_stage(*, actor, org: Org, on: date | None = None, source: str = "auto") -> dict:
    return _dimension_chart(actor, org, D.STAGE, on=on, source=source)


def chart_members_by_gender(*, actor, org: Org, on: date | None = None, source: str = "auto") -> dict:
    return _dimension_chart(actor, org, D.GENDER, on=on, source=source)


def chart_members_by_age(*, actor, org: Org, on: date | None = None, source: str = "auto") -> dict:
    return _dimension_chart(actor, org, D.AGE, on=on, source=source)


def chart_members_by_education(*, actor, org: Org, on: date | None = None, source: str = "auto") -> dict:
    return _dimension_chart(actor, org, D.EDUCATION, on=on, source=source)


def chart_members_by_party_years(*, actor, org: Org, on: date | None = None, source: str = "auto") -> dict:
    return _dimension_chart(actor, org, D.PARTY_YEARS, on=on, source=source)


# --- Child orgs (the drill-down axis) -----------------------------------------------------------------

def child_orgs(org: Org) -> list[dict]:
    """The org's direct children (one query, once per dashboard: rollups.memo), in tree order:
    {"id", "name", "path", "kind", "region_id"}. Callers must not change the list."""
    return rollups.memoized(("child_orgs", org.path), lambda: list(
        Org.objects.filter(subtree_q(org.path), depth=org.depth + 1, is_active=True)
        .order_by("path").values("id", "name", "path", "kind", "region_id")))


def child_prefix(org: Org, field: str = "org__path"):
    """SQL expression: the path of the child of `org` that a row's org sits under (org's own path when the
    row is attached to org itself). GROUP BY it to get one bar per child in one query."""
    return Substr(field, 1, len(org.path) + Org.steplen)


def _rows_by_child(org: Org, children: list[dict], by_prefix: dict[str, dict], empty: dict) -> list[dict]:
    rows = [{"org_id": c["id"], "name": c["name"], "drill": True, **(by_prefix.get(c["path"]) or dict(empty))}
            for c in children]
    own = by_prefix.get(org.path)
    if own and any(v for v in own.values()):
        rows.append({"org_id": org.id, "name": OWN_LEVEL, "drill": False, **own})
    return rows


def chart_members_by_child(*, actor, org: Org, on: date | None = None, source: str = "auto") -> dict:
    """Members on the rolls (full, probationary) and activists under each child org: the drill-down bars."""
    _check(actor, org)
    on = _today(on)
    children = child_orgs(org)
    keys = {Stage.FULL: "full", Stage.PROBATIONARY: "probationary", Stage.ACTIVIST: "activist"}
    empty = {"full": 0, "probationary": 0, "activist": 0}
    by_prefix: dict[str, dict] = {}
    used = "live"
    if source in ("auto", "rollup") and children:
        pairs = [(org.id, org.region_id), *((c["id"], c["region_id"]) for c in children)]
        rows = (MemberStatsDaily.objects.filter(_stats_rows(pairs), date=on, dimension=D.STAGE,
                                                value__in=list(keys))
                .values_list("org__path", "value", "count"))
        for path, value, n in rows:
            by_prefix.setdefault(path, dict(empty))[keys[value]] = n
        if by_prefix or source == "rollup":
            used = "rollup"
            own = by_prefix.get(org.path)
            if own:  # the org's row counts its whole subtree: keep only what sits at the org itself
                for c in children:
                    for k in empty:
                        own[k] -= (by_prefix.get(c["path"]) or empty)[k]
    if used == "live" and children:
        qs = (members_in_subtree(org).filter(status__in=ACTIVE_STATUSES, stage__in=list(keys))
              .annotate(child=child_prefix(org)).values("child", "stage").annotate(n=Count("id")).order_by())
        for r in qs:
            by_prefix.setdefault(r["child"], dict(empty))[keys[r["stage"]]] = r["n"]
    rows = _rows_by_child(org, children, by_prefix, empty)
    for r in rows:
        r["total"] = r["full"] + r["probationary"]
    return {"rows": rows, "source": used, "date": on.isoformat()}


# --- Other areas -------------------------------------------------------------------------------------

def chart_recruitment_funnel(*, actor, org: Org, on: date | None = None) -> dict | None:
    """发展党员 files in progress by stage (the funnel), and how many have a deadline already passed."""
    if not installed("recruitment"):
        return None
    from dangjian.recruitment.models import RecruitmentRecord

    _check(actor, org)
    on = _today(on)
    stages = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY]
    agg = {s.value: Count("id", filter=Q(member__stage=s)) for s in stages}
    agg["overdue"] = Count("id", filter=Q(deadline_on__lt=on))
    row = (RecruitmentRecord.objects.filter(subtree_q(org.path, field="member__org__path"),
                                            state=RecruitmentRecord.State.ACTIVE).aggregate(**agg))
    return {"items": [{"code": s.value, "label": s.label, "value": row[s.value]} for s in stages],
            "overdue": row["overdue"]}


def chart_meeting_heatmap(*, actor, org: Org, year: int, on: date | None = None,
                          source: str = "auto") -> dict | None:
    """Meeting compliance, child orgs × months: the share of branches under each child that held at least
    one 主题党日 in the month (R-MEET-THEMEDAY: ≥ 1 per month), with the number of meetings held."""
    if not installed("meetings"):
        return None
    from dangjian.meetings.models import Meeting
    from dangjian.meetings.selectors import local_start

    _check(actor, org)
    on = _today(on)
    children = child_orgs(org) if org.kind != Org.Kind.BRANCH else []
    axis = children or [{"id": org.id, "name": org.name, "path": org.path}]
    length = len(axis[0]["path"])
    branches = dict(Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH, is_active=True)
                    .annotate(p=Substr("path", 1, length)).values("p").annotate(n=Count("id"))
                    .order_by().values_list("p", "n"))
    built = rollups.use_rollup(org, source=source, year=year, on=on)
    if built:  # each org's theme figure is 0/1 per month: summed, the branches that held one
        cells: dict = {}
        for (p, m, metric), v in rollups.sums(org, ["meetings.held", "meetings.theme"], year=year,
                                              by="child" if children else "none").items():
            key = "meetings" if metric == "meetings.held" else "theme"
            cells.setdefault((p or org.path, m), {"meetings": 0, "theme": 0})[key] = int(v)
    else:
        held = (Meeting.objects.filter(subtree_q(org.path, field="org__path"), state=Meeting.State.HELD,
                                       starts_at__gte=local_start(date(year, 1, 1)),
                                       starts_at__lt=local_start(date(year + 1, 1, 1)))
                .annotate(p=Substr("org__path", 1, length), m=ExtractMonth("starts_at"))
                .values("p", "m").annotate(meetings=Count("id"),
                                           theme=Count("org_id", distinct=True, filter=Q(kind="theme_day")))
                .order_by())
        cells = {(r["p"], r["m"]): r for r in held}
    rows = []
    for a in axis:
        n = branches.get(a["path"], 0)
        row = {"org_id": a["id"], "name": a["name"], "branches": n, "drill": bool(children), "cells": []}
        for m in range(1, 13):
            future = date(year, m, 1) > on
            c = cells.get((a["path"], m), {"meetings": 0, "theme": 0})
            row["cells"].append({"month": m, "meetings": c["meetings"], "branches_held": c["theme"],
                                 "rate": None if future or not n else rules.rate(c["theme"], n)})
        rows.append(row)
    return {"year": year, "months": list(range(1, 13)), "rows": rows, **_used(built)}


def chart_points_branches(*, actor, org: Org, n: int = 5, on: date | None = None,
                          source: str = "auto") -> dict | None:
    """Top and bottom branches by 先锋指数 in the current period, with the points app's own formula
    (points.ranking: a few aggregate queries for the whole subtree)."""
    if not installed("points"):
        return None
    from dangjian.points import ranking
    from dangjian.points import rules as prules
    from dangjian.points.selectors import scheme_for

    _check(actor, org)
    scheme = scheme_for(org)
    on = _today(on)
    period = prules.period_of(on, scheme.period_kind)
    built = rollups.use_rollup(org, source=source, year=period.start.year, on=on)
    branch_rows = rollups.points_branch_rows(org, period, scheme, built) if built else None
    if branch_rows is None:
        built, branch_rows = None, ranking.branch_rows(org, period, scheme)
    rows = ranking.ranked(branch_rows, scheme)
    plain = [{"org_id": r["id"], "name": r["name"], "rank": r["rank"], "score": float(r["score"]),
              "members": r["members"]} for r in rows]
    top = plain[:n]
    bottom = [r for r in plain[-n:] if r not in top][::-1] if len(plain) > n else []
    return {"period": period.label, "period_display": period.display, "count": len(plain), "top": top,
            "bottom": bottom, **_used(built)}


def chart_volunteers(*, actor, org: Org, year: int, on: date | None = None, source: str = "auto") -> dict | None:
    """Per child org: members eligible to register (on the rolls, not 送学上门), registered volunteers,
    the registration rate, and volunteer hours served in the year."""
    if not installed("volunteers"):
        return None
    from dangjian.volunteers.models import HoursEntry

    _check(actor, org)
    on = _today(on)
    children = child_orgs(org)
    by_prefix: dict[str, dict] = {}
    empty = {"eligible": 0, "registered": 0, "hours": 0.0}
    built = rollups.use_rollup(org, source=source, year=year, on=on)
    if built:
        snap = rollups.sums(org, ["volunteers.eligible", "volunteers.registered"], year=built.year, months=[0])
        hours = rollups.sums(org, ["volunteers.hours"], year=year)
        for (p, _m, metric), v in snap.items():
            by_prefix.setdefault(p, dict(empty))[metric.split(".")[1]] = int(v)
        for (p, _m, _k), v in hours.items():
            row = by_prefix.setdefault(p, dict(empty))
            row["hours"] = float(money.fen(row["hours"]) + money.fen(v))
    else:
        regs = (members_in_subtree(org).filter(status__in=ACTIVE_STATUSES, stage__in=ON_ROLLS, is_exempt=False)
                .annotate(child=child_prefix(org)).values("child")
                .annotate(eligible=Count("id"), registered=Count("id", filter=Q(volunteer__isnull=False,
                                                                                  volunteer__is_active=True)))
                .order_by())
        for r in regs:
            by_prefix.setdefault(r["child"], dict(empty)).update(eligible=r["eligible"],
                                                                 registered=r["registered"])
        hours = (HoursEntry.objects.filter(subtree_q(org.path, field="org__path"), served_on__year=year)
                 .annotate(child=child_prefix(org)).values("child").annotate(h=Sum("hours")).order_by())
        for r in hours:
            by_prefix.setdefault(r["child"], dict(empty))["hours"] = float(r["h"] or 0)
    rows = _rows_by_child(org, children, by_prefix, empty) if children else [
        {"org_id": org.id, "name": org.name, "drill": False, **(by_prefix.get(org.path) or dict(empty))}]
    for r in rows:
        r["rate"] = rules.rate(r["registered"], r["eligible"])
    eligible, registered = sum(r["eligible"] for r in rows), sum(r["registered"] for r in rows)
    return {"year": year, "rows": rows, "eligible": eligible, "registered": registered,
            "rate": rules.rate(registered, eligible), "hours": round(sum(r["hours"] for r in rows), 2),
            **_used(built)}


def chart_petitions(*, actor, org: Org, year: int, on: date | None = None, source: str = "auto") -> dict | None:
    """诉求 received in each month of the year; of them closed, resolved, and closed with no late step."""
    if not installed("petitions"):
        return None
    from dangjian.petitions.models import Petition, PetitionStep

    _check(actor, org)
    built = rollups.use_rollup(org, source=source, year=year, on=_today(on))
    if built:
        by_month: dict[int, dict] = {}
        for (_k, m, metric), v in rollups.sums(org, [f"petitions.{k}" for k in ("received", "closed", "resolved",
                                                                               "on_time")],
                                               year=year, by="none").items():
            by_month.setdefault(m, {})[metric.split(".")[1]] = int(v)
    else:
        closed = Q(state=Petition.State.CLOSED)
        rows = (Petition.objects.filter(subtree_q(org.path, field="org__path"), received_on__year=year)
                .annotate(m=ExtractMonth("received_on"),
                          late=Exists(PetitionStep.objects.filter(petition=OuterRef("pk"), late=True)))
                .values("m").annotate(received=Count("id"), closed=Count("id", filter=closed),
                                      resolved=Count("id", filter=closed & Q(resolved=True)),
                                      on_time=Count("id", filter=closed & Q(late=False)))
                .order_by())
        by_month = {r["m"]: r for r in rows}
    keys = ("received", "closed", "resolved", "on_time")
    months = [{"month": m, **{k: (by_month.get(m) or {}).get(k, 0) for k in keys}} for m in range(1, 13)]
    totals = {k: sum(x[k] for x in months) for k in keys}
    return {"year": year, "months": months, **totals,
            "resolved_rate": rules.rate(totals["resolved"], totals["received"]),
            "on_time_rate": rules.rate(totals["on_time"], totals["closed"]), **_used(built)}


def chart_dues(*, actor, org: Org, year: int, on: date | None = None, source: str = "auto") -> dict | None:
    """党费 due and paid per month of the year (months not yet begun are not due), amounts as strings to the
    fen: one SQL aggregate over the dues app's bases, exemptions and ledger (selectors_dues), so a county
    of 100 000 members is charted too. Same numbers as the dues app's own per-member report."""
    if not installed("dues"):
        return None
    from .selectors_dues import chart_dues_sql

    _check(actor, org)
    on = _today(on)
    return chart_dues_sql(actor=actor, org=org, year=year, on=on,
                          built=rollups.use_rollup(org, source=source, year=year, on=on))


def chart_care(*, actor, org: Org, year: int, on: date | None = None, source: str = "auto") -> dict | None:
    """慰问 visits per month of the year: how many, and the money handed over (to the fen, as strings)."""
    if not installed("care"):
        return None
    from dangjian.care.models import CareVisit

    _check(actor, org)
    built = rollups.use_rollup(org, source=source, year=year, on=_today(on))
    if built:
        by_month: dict[int, dict] = {}
        for (_k, m, metric), v in rollups.sums(org, ["care.visits", "care.money"], year=year, by="none").items():
            row = by_month.setdefault(m, {})
            if metric == "care.visits":
                row["n"] = int(v)
            else:
                row["money"] = money.fen(v)
    else:
        rows = (CareVisit.objects.filter(subtree_q(org.path, field="org__path"), visited_on__year=year)
                .annotate(m=ExtractMonth("visited_on")).values("m").annotate(n=Count("id"), money=Sum("money"))
                .order_by())
        by_month = {r["m"]: r for r in rows}
    zero = Decimal("0.00")
    months = [{"month": m, "visits": (by_month.get(m) or {}).get("n", 0),
               "money": str(((by_month.get(m) or {}).get("money") or zero).quantize(zero))} for m in range(1, 13)]
    return {"year": year, "months": months, "visits": sum(x["visits"] for x in months),
            "money": str(sum((Decimal(x["money"]) for x in months), zero)), **_used(built)}


# --- The dashboard -------------------------------------------------------------------------------------

# key -> (title, app the chart needs or None, needs the year)
CHARTS = {
    "members_by_child": ("各下级组织党员人数", None, False),
    "members_by_stage": ("人员类别", None, False),
    "members_by_gender": ("性别结构", None, False),
    "members_by_age": ("年龄结构", None, False),
    "members_by_education": ("学历结构", None, False),
    "members_by_party_years": ("党龄结构", None, False),
    "recruitment_funnel": ("发展党员进度", "recruitment", False),
    "meeting_heatmap": ("组织生活（主题党日）落实情况", "meetings", True),
    "points_branches": ("先锋指数党支部排名", "points", False),
    "volunteers": ("志愿服务注册率与时长", "volunteers", True),
    "petitions": ("群众诉求办理", "petitions", True),
    "dues": ("党费收缴", "dues", True),
    "care": ("走访慰问", "care", True),
}
MEMBER_CHARTS = [k for k in CHARTS if k.startswith("members_")]


def charts_available() -> list[str]:
    return [k for k, (_t, app, _y) in CHARTS.items() if app is None or installed(app)]


def chart_data(key: str, *, actor, org: Org, year: int, source: str = "auto", on: date | None = None):
    """One chart by its key (KeyError for an unknown key)."""
    fn = globals()[f"chart_{key}"]
    _title, _app, needs_year = CHARTS[key]
    kwargs = {"actor": actor, "org": org}
    if needs_year:
        kwargs["year"] = year
    if key != "recruitment_funnel":  # every chart but the funnel (a few hundred live files) has a roll-up
        kwargs["source"] = source
    kwargs["on"] = on
    return fn(**kwargs)


def dashboard(*, actor, org: Org, year: int, source: str = "auto", on: date | None = None) -> dict:
    """Every available chart of the org (the API's one-call dashboard). The charts share one memo for this
    call (rollups.memo: build date, subtree size, children); nothing outlives the call."""
    _check(actor, org)
    with rollups.memo():
        return {key: chart_data(key, actor=actor, org=org, year=year, source=source, on=on)
                for key in charts_available()}


def home_cards(*, actor, org: Org) -> list[dict]:
    """Report forms the orgs under this one still have to fill in (only when there are some)."""
    from dangjian.accounts.scope import can

    if not can(actor, "reports.edit", org):
        return []
    pending = (ReportSubmission.objects.filter(subtree_q(org.path, field="org__path"), task__state="open")
               .exclude(state=ReportSubmission.State.SUBMITTED).count())
    if not pending:
        return []
    return [{"label": "待上报的报表", "value": pending, "icon": "ti-file-report"}]
