"""Reads of duties and honors, always limited to what the actor may see (DESIGN rule 2).

Objects belong to an org; an actor sees those of the orgs in their scope. Plans issued by a
committee above the actor (责任书 templates, 督查 plans, 述职评议 schemes, work methods) are
visible from below as headers; what they hold about other orgs stays hidden.
"""
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, in_scope, scope_paths, scope_q
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import (ChecklistItem, DutyReport, Finding, GroupDutyList, GroupDutyRecord, Honor, Inspection,
                     Instructor, InstructorAssignment, InstructorLog, PledgeTemplate, Rectification,
                     ResponsibilityPledge, ReviewScheme, ServiceBrand, WorkMethod, WorkMethodRecord)


def ancestor_paths(path: str) -> list[str]:
    """Paths of the org's ancestors and itself, top first."""
    return [path[:i] for i in range(Org.steplen, len(path) + 1, Org.steplen)]


def in_or_above_scope_q(actor, *, field: str = "org__path") -> Q:
    """Objects of orgs in the actor's scope or above it (a plan issued to the actor's org from above)."""
    paths = scope_paths(actor)
    if paths is None:
        return Q()
    above = {a for p in paths for a in ancestor_paths(p)}
    return scope_q(actor, field=field) | Q(**{f"{field}__in": sorted(above)})


def visible_from_below(actor, org: Org) -> bool:
    paths = scope_paths(actor)
    return paths is None or any(p.startswith(org.path) or org.path.startswith(p) for p in paths)


def _one(qs: QuerySet, pk):
    obj = qs.filter(pk=as_id(pk)).first()
    if obj is None:
        raise Http404
    return obj


def today() -> date:
    return timezone.localdate()


def _under(qs: QuerySet, org: Org | None, field: str = "org__path") -> QuerySet:
    return qs.filter(subtree_q(org.path, field=field)) if org is not None else qs


# --- 责任书 --------------------------------------------------------------------------------------

def _with_completion(pledges) -> list[ResponsibilityPledge]:
    pledges = list(pledges)
    for p in pledges:
        rows = [(pr.item.weight, pr.percent) for pr in p.progress.all()]
        p.completion = rules.pledge_completion(rows)
    return pledges


def pledge_list(*, actor, org: Org | None = None, year: int | None = None, state: str = "") -> QuerySet:
    qs = ResponsibilityPledge.objects.filter(scope_q(actor, field="org__path"))
    qs = _under(qs, org)
    if year:
        qs = qs.filter(template__year=year)
    if state:
        qs = qs.filter(state=state)
    return (qs.select_related("template", "template__org", "org")
            .prefetch_related(Prefetch("progress", queryset=_progress_qs()))
            .order_by("-template__year", "template_id", "org__path"))


def _progress_qs():
    from .models import PledgeProgress

    return PledgeProgress.objects.select_related("item").order_by("item__order", "item_id")


def pledges_with_completion(qs) -> list[ResponsibilityPledge]:
    return _with_completion(qs)


def pledge_get(*, actor, pledge_id) -> ResponsibilityPledge:
    qs = (ResponsibilityPledge.objects.filter(scope_q(actor, field="org__path"))
          .select_related("template", "template__org", "org", "signed_by")
          .prefetch_related(Prefetch("progress", queryset=_progress_qs())))
    pledge = _one(qs, pledge_id)
    pledge.completion = _with_completion([pledge])[0].completion
    return pledge


def template_get(*, actor, template_id) -> PledgeTemplate:
    return _one(PledgeTemplate.objects.filter(scope_q(actor, field="org__path")).select_related("org")
                .prefetch_related("items"), template_id)


# --- 督查 and 整改 -------------------------------------------------------------------------------

def inspection_list(*, actor, org: Org | None = None, year: int | None = None,
                    quarter: int | None = None) -> QuerySet:
    qs = Inspection.objects.filter(in_or_above_scope_q(actor))
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, field="org__path")) | Q(org__path__in=ancestor_paths(org.path)))
    if year:
        qs = qs.filter(year=year)
    if quarter:
        qs = qs.filter(quarter=quarter)
    visible = Finding.objects.filter(scope_q(actor, field="org__path"))
    qs = qs.select_related("org").annotate(
        finding_count=Count("findings", filter=Q(findings__in=visible), distinct=True))
    return qs.order_by("-year", "-quarter", "-id")


def inspection_get(*, actor, inspection_id) -> Inspection:
    return _one(Inspection.objects.filter(in_or_above_scope_q(actor)).select_related("org"), inspection_id)


def findings_of(*, actor, inspection: Inspection) -> QuerySet:
    return (inspection.findings.filter(scope_q(actor, field="org__path")).select_related("org")
            .prefetch_related("rectifications").order_by("org__path", "id"))


def finding_get(*, actor, finding_id) -> Finding:
    return _one(Finding.objects.filter(scope_q(actor, field="org__path"))
                .select_related("org", "inspection", "inspection__org"), finding_id)


def rectification_list(*, actor, org: Org | None = None, state: str = "", overdue: bool = False,
                       inspection_id: int | None = None, severity: str = "", year: int | None = None,
                       on: date | None = None) -> QuerySet:
    qs = _under(Rectification.objects.filter(scope_q(actor, field="org__path")), org)
    if state:
        qs = qs.filter(state=state)
    if overdue:  # rules.rectification_is_overdue, as a query
        qs = qs.filter(state=Rectification.State.OPEN, deadline__lt=on or today())
    if inspection_id:
        qs = qs.filter(finding__inspection_id=inspection_id)
    if severity:
        qs = qs.filter(finding__severity=severity)
    if year:
        qs = qs.filter(finding__inspection__year=year)
    return qs.select_related("org", "finding", "finding__inspection").order_by("deadline", "id")


def rectification_get(*, actor, rectification_id) -> Rectification:
    return _one(Rectification.objects.filter(scope_q(actor, field="org__path"))
                .select_related("org", "finding", "finding__inspection", "finding__inspection__org"),
                rectification_id)


def annotate_overdue(rects, *, on: date | None = None) -> list[Rectification]:
    on = on or today()
    rects = list(rects)
    for r in rects:
        r.is_overdue = rules.rectification_is_overdue(state=r.state, deadline=r.deadline, today=on)
        r.days_overdue = rules.days_overdue(deadline=r.deadline, today=on) if r.is_overdue else 0
        r.was_late = rules.rectification_was_late(deadline=r.deadline, completed_on=r.completed_on)
    return rects


# --- 述职评议 ------------------------------------------------------------------------------------

def scheme_list(*, actor, org: Org | None = None, year: int | None = None) -> QuerySet:
    qs = ReviewScheme.objects.filter(in_or_above_scope_q(actor)).select_related("org")
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, field="org__path")) | Q(org__path__in=ancestor_paths(org.path)))
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(criterion_count=Count("criteria", distinct=True)).order_by("-year", "-id")


def scheme_get(*, actor, scheme_id) -> ReviewScheme:
    return _one(ReviewScheme.objects.filter(in_or_above_scope_q(actor)).select_related("org")
                .prefetch_related("criteria"), scheme_id)


def report_get(*, actor, report_id) -> DutyReport:
    return _one(DutyReport.objects.filter(scope_q(actor, field="org__path"))
                .select_related("org", "scheme", "scheme__org").prefetch_related("scheme__criteria"), report_id)


def scheme_results(*, actor, scheme: ReviewScheme) -> list[dict]:
    """Every report's total, grade and rank within the scheme; rows only for orgs the actor sees.

    Ranks are computed over all reports of the scheme, so a branch sees its true place.
    """
    criteria = list(scheme.criteria.all())
    max_total = sum((c.max_score for c in criteria), start=Decimal(0))
    thresholds = (scheme.good_min, scheme.fairly_good_min, scheme.average_min)
    sheets: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    reports = list(scheme.reports.select_related("org").order_by("org__path"))
    from .models import ReviewScore

    for report_id, reviewer_id, score in (ReviewScore.objects.filter(report__scheme=scheme)
                                          .values_list("report_id", "reviewer_id", "score")):
        sheets[report_id][reviewer_id] += score
    totals = {r.id: rules.report_total(list(sheets[r.id].values())) for r in reports}
    ranks = rules.competition_rank([(r.id, totals[r.id]) for r in reports])
    rows = []
    for r in reports:
        if not in_scope(actor, r.org):
            continue
        grade = rules.grade_for(total=totals[r.id], max_total=max_total, thresholds=thresholds)
        rows.append({"report": r, "report_id": r.id, "org_id": r.org_id, "org_name": r.org.name,
                     "reporter": r.reporter, "reviewers": len(sheets[r.id]), "total": totals[r.id],
                     "rank": ranks.get(r.id), "grade": grade, "grade_label": rules.GRADE_LABELS.get(grade, "")})
    rows.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, row["org_name"]))
    return rows


def reviewer_has_scored(*, report: DutyReport, reviewer) -> bool:
    return report.scores.filter(reviewer=reviewer).exists()


# --- 党建指导员 ---------------------------------------------------------------------------------

def _assignments_visible_q(actor) -> Q:
    q = scope_q(actor, field="org__path") | scope_q(actor, field="instructor__org__path")
    if getattr(actor, "is_authenticated", False):
        q |= Q(instructor__user_id=actor.pk)
    return q


def instructor_list(*, actor, org: Org | None = None, q: str = "") -> QuerySet:
    visible = InstructorAssignment.objects.filter(_assignments_visible_q(actor)).values("instructor_id")
    qs = Instructor.objects.filter(Q(scope_q(actor, field="org__path")) | Q(id__in=visible))
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, field="org__path")) |
                       Q(id__in=InstructorAssignment.objects.filter(subtree_q(org.path, field="org__path"))
                         .values("instructor_id")))
    if q:
        qs = qs.filter(name__icontains=q.strip())
    year_start = date(today().year, 1, 1)
    return qs.select_related("org").annotate(
        active_assignments=Count("assignments", filter=Q(assignments__ended_on__isnull=True), distinct=True),
        logs_this_year=Count("assignments__logs", filter=Q(assignments__logs__happened_on__gte=year_start),
                             distinct=True),
    ).order_by("org__path", "name", "id")


def instructor_get(*, actor, instructor_id) -> Instructor:
    visible = InstructorAssignment.objects.filter(_assignments_visible_q(actor)).values("instructor_id")
    qs = Instructor.objects.filter(Q(scope_q(actor, field="org__path")) | Q(id__in=visible))
    return _one(qs.select_related("org", "member", "user"), instructor_id)


def assignments_of(*, actor, instructor: Instructor) -> QuerySet:
    return (instructor.assignments.filter(_assignments_visible_q(actor)).select_related("org")
            .annotate(log_count=Count("logs")))


def assignment_get(*, actor, assignment_id) -> InstructorAssignment:
    return _one(InstructorAssignment.objects.filter(_assignments_visible_q(actor))
                .select_related("org", "instructor", "instructor__org"), assignment_id)


def checklist_for(org: Org) -> QuerySet:
    """The 五必 items that apply to org: the defaults plus those of the committees above it (⚙)."""
    return (ChecklistItem.objects.filter(Q(org__isnull=True) | Q(org__path__in=ancestor_paths(org.path)),
                                         is_active=True).order_by("category", "org_id", "order", "id"))


def assignment_checklist(*, assignment: InstructorAssignment, year: int) -> list[dict]:
    """Per category: its items, each with the number of logs in the year (done when ≥ 1)."""
    counts = dict(InstructorLog.objects.filter(assignment=assignment, happened_on__year=year, item__isnull=False)
                  .values("item_id").annotate(n=Count("id")).values_list("item_id", "n"))
    by_cat = defaultdict(list)
    for item in checklist_for(assignment.org):
        by_cat[item.category].append({"item": item, "count": counts.get(item.id, 0)})
    from .models import ChecklistCategory

    out = []
    for code, label in ChecklistCategory.choices:
        items = by_cat.get(code, [])
        done = sum(1 for i in items if i["count"])
        out.append({"category": code, "label": label, "items": items, "done": done, "total": len(items)})
    return out


def instructor_coverage(*, actor, org: Org, enterprise_only: bool = False, on: date | None = None) -> dict:
    """Branches under org with an instructor on the day / all branches (seed 003: 10 enterprises)."""
    from dangjian.orgs.models import Unit

    on = on or today()
    branches = Org.objects.filter(subtree_q(org.path), scope_q(actor), kind=Org.Kind.BRANCH, is_active=True)
    if enterprise_only:
        branches = branches.filter(unit__kind__in=[Unit.Kind.ENTERPRISE, Unit.Kind.SOCIAL_ORG])
    active = (InstructorAssignment.objects.filter(org__in=branches, started_on__lte=on)
              .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)))
    covered_ids = set(active.values_list("org_id", flat=True))
    rows = list(branches.select_related("unit").order_by("path"))
    total, covered = len(rows), sum(1 for b in rows if b.id in covered_ids)
    return {"total": total, "covered": covered, "percent": rules.coverage_percent(covered, total),
            "uncovered": [b for b in rows if b.id not in covered_ids]}


# --- 支部工作法, 服务品牌, 表彰 -----------------------------------------------------------------

def work_methods_for(*, actor, org: Org | None = None) -> QuerySet:
    q = Q(org__isnull=True) | in_or_above_scope_q(actor)
    if org is not None:
        q = Q(org__isnull=True) | Q(org__path__in=ancestor_paths(org.path))
    return WorkMethod.objects.filter(q, is_active=True).select_related("org").order_by("id")


def work_record_list(*, actor, org: Org | None = None, year: int | None = None) -> QuerySet:
    qs = _under(WorkMethodRecord.objects.filter(scope_q(actor, field="org__path")), org)
    if year:
        qs = qs.filter(year=year)
    return (qs.select_related("org", "method").annotate(steps_done=Count("step_records"))
            .order_by("-year", "-id"))


def work_record_get(*, actor, record_id) -> WorkMethodRecord:
    return _one(WorkMethodRecord.objects.filter(scope_q(actor, field="org__path"))
                .select_related("org", "method").prefetch_related("step_records"), record_id)


def brand_list(*, actor, org: Org | None = None, rating: str | None = None, year: int | None = None,
               q: str = "") -> QuerySet:
    qs = _under(ServiceBrand.objects.filter(scope_q(actor, field="org__path")), org)
    if rating is not None:
        qs = qs.filter(rating=rating)
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs.select_related("org").order_by("org__path", "id")


def brand_get(*, actor, brand_id) -> ServiceBrand:
    return _one(ServiceBrand.objects.filter(scope_q(actor, field="org__path")).select_related("org"), brand_id)


def brand_coverage(*, actor, org: Org) -> dict:
    """Seed 002's figures: brands, 优秀, 提名, and the share of directly-led orgs with a brand."""
    brands = ServiceBrand.objects.filter(subtree_q(org.path, field="org__path"), scope_q(actor, field="org__path"))
    counts = brands.aggregate(total=Count("id"), excellent=Count("id", filter=Q(rating="excellent")),
                              nominated=Count("id", filter=Q(rating="nominated")))
    direct = list(org.get_children().filter(is_active=True).values_list("id", flat=True))
    with_brand = set(brands.values_list("org_id", flat=True))
    all_orgs = Org.objects.filter(subtree_q(org.path), is_active=True).exclude(pk=org.pk).count()
    direct_covered = sum(1 for i in direct if i in with_brand)
    all_covered = len(with_brand - {org.id})
    return {**counts, "direct_total": len(direct), "direct_covered": direct_covered,
            "direct_percent": rules.coverage_percent(direct_covered, len(direct)),
            "from_direct": brands.filter(org_id__in=direct).count(),
            "from_others": brands.exclude(org_id__in=direct).count(),
            "all_total": all_orgs, "all_covered": all_covered,
            "all_percent": rules.coverage_percent(all_covered, all_orgs)}


def public_brands(*, root: Org | None = None) -> QuerySet:
    """The published 服务品牌 for the portal (no login): those an upper committee rated 优秀 or 提名奖, excellent
    first, newest first. Name, org, year, rating, 理念/做法/成效 only: the photo and who rated it stay private."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import Rating

    qs = _under(ServiceBrand.objects.filter(rating__in=[Rating.EXCELLENT, Rating.NOMINATED], org__is_active=True),
                root)
    return (qs.select_related("org").only("id", "name", "idea", "practices", "results", "year", "rating", "org__name",
                                          "org__path")
            .annotate(rank=Case(When(rating=Rating.EXCELLENT, then=Value(0)), default=Value(1),
                                output_field=IntegerField()))
            .order_by("rank", "-year", "org__path", "id"))


def honor_list(*, actor, org: Org | None = None, state: str = "", year: int | None = None,
               award: str = "") -> QuerySet:
    qs = _under(Honor.objects.filter(scope_q(actor, field="org__path")), org)
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    if award:
        qs = qs.filter(award=award)
    return qs.select_related("org", "member").order_by("-year", "-id")


def honor_get(*, actor, honor_id) -> Honor:
    return _one(Honor.objects.filter(scope_q(actor, field="org__path")).select_related("org", "member"), honor_id)


def showcase_list(*, root: Org | None = None, year: int | None = None, award: str = "") -> QuerySet:
    """The public 榜样 page: approved honors marked public. No actor: anyone may read it."""
    qs = Honor.objects.filter(state=Honor.State.APPROVED, is_public=True, org__is_active=True)
    qs = _under(qs, root)
    if year:
        qs = qs.filter(year=year)
    if award:
        qs = qs.filter(award=award)
    return qs.select_related("org").order_by("-year", "-awarded_on", "-id")


# --- 党小组长责任清单 (seed 001) -------------------------------------------------------------------

def led_groups(user) -> QuerySet:
    """The 党小组 the user leads: their own group when its 党小组长 is them (PartyGroup.leader holds the leader's
    name; the leader is the group's member of that name with this account)."""
    from dangjian.members.selectors import member_of_user
    from dangjian.orgs.models import PartyGroup

    member = member_of_user(user)
    if member is None or member.party_group_id is None or member.status not in ACTIVE_STATUSES:
        return PartyGroup.objects.none()
    return PartyGroup.objects.filter(pk=member.party_group_id, leader=member.name, org__is_active=True)


def _group_lists_q(actor) -> Q:
    """Lists the actor may open: issued in or above their scope, or above a group they lead."""
    q = in_or_above_scope_q(actor)
    for group in led_groups(actor).select_related("org"):
        q |= Q(org__path__in=ancestor_paths(group.org.path))
    return q


def group_duty_lists(*, actor, org: Org | None = None, year: int | None = None) -> QuerySet:
    qs = GroupDutyList.objects.filter(_group_lists_q(actor))
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, field="org__path")) | Q(org__path__in=ancestor_paths(org.path)))
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("org").annotate(item_count=Count("items", distinct=True)).order_by("-year", "-id")


def group_duty_list_get(*, actor, list_id) -> GroupDutyList:
    return _one(GroupDutyList.objects.filter(_group_lists_q(actor)).select_related("org")
                .prefetch_related("items"), list_id)


def groups_of_list(*, actor, duty_list: GroupDutyList, org: Org | None = None) -> QuerySet:
    """The 党小组 the list applies to (every group in a branch under the issuing org) that the actor sees."""
    from dangjian.orgs.models import PartyGroup

    qs = PartyGroup.objects.filter(subtree_q(duty_list.org.path, field="org__path"), org__is_active=True)
    qs = qs.filter(scope_q(actor, field="org__path") | Q(id__in=led_groups(actor).values("id")))
    if org is not None:
        qs = qs.filter(subtree_q(org.path, field="org__path"))
    return qs.select_related("org").order_by("org__path", "id")


def group_of_list(*, actor, duty_list: GroupDutyList, group_id):
    return _one(groups_of_list(actor=actor, duty_list=duty_list), group_id)


def may_record_for(actor, group) -> bool:
    """The group's leader, or whoever may edit duties in its branch."""
    from dangjian.accounts.scope import can

    return can(actor, "duties.edit", group.org) or led_groups(actor).filter(pk=group.pk).exists()


def group_duty_board(*, actor, duty_list: GroupDutyList, org: Org | None = None, on: date | None = None) -> dict:
    """Completion across groups: per group the items due so far this year, those done, the rate, and what is still
    open in the current period. 4 queries whatever the number of groups."""
    on = min(on or today(), date(duty_list.year, 12, 31))
    items = list(duty_list.items.all())
    groups = list(groups_of_list(actor=actor, duty_list=duty_list, org=org))
    due = {i.id: set(rules.periods_due(i.frequency, duty_list.year, on=on)) for i in items}
    done: dict[int, set] = defaultdict(set)
    for gid, item_id, period in (GroupDutyRecord.objects.filter(duty_list=duty_list, party_group__in=groups)
                                 .values_list("party_group_id", "item_id", "period")):
        if period in due.get(item_id, ()):
            done[gid].add((item_id, period))
    current = {i.id: rules.duty_period_of(i.frequency, on) for i in items} if on.year == duty_list.year else {}
    rows = []
    for g in groups:
        total = sum(len(p) for p in due.values())
        n = len(done[g.id])
        open_now = [i for i in items if i.id in current and (i.id, current[i.id]) not in done[g.id]]
        rows.append({"group": g, "group_id": g.id, "name": g.name, "org_id": g.org_id, "org_name": g.org.name,
                     "leader": g.leader, "due": total, "done": n, "percent": rules.coverage_percent(n, total),
                     "open_now": open_now})
    total_due = sum(r["due"] for r in rows)
    total_done = sum(r["done"] for r in rows)
    return {"on": on, "items": items, "rows": rows, "due": total_due, "done": total_done,
            "percent": rules.coverage_percent(total_done, total_due)}


def group_duty_sheet(*, duty_list: GroupDutyList, group, on: date | None = None) -> list[dict]:
    """One group's sheet: per item every period of the year with its record (or due / not yet due)."""
    on = on or today()
    records = {(r.item_id, r.period): r for r in GroupDutyRecord.objects.filter(duty_list=duty_list, party_group=group)
               .select_related("recorded_by")}
    out = []
    for item in duty_list.items.all():
        cells = []
        for period in rules.duty_periods(item.frequency, duty_list.year):
            record = records.get((item.id, period))
            started = rules.period_start(period) <= on
            ended = rules.period_end(period) < on
            state = "done" if record else ("missed" if ended else ("open" if started else "future"))
            cells.append({"period": period, "record": record, "state": state})
        done = sum(1 for c in cells if c["state"] == "done")
        due = sum(1 for c in cells if c["state"] != "future")
        out.append({"item": item, "cells": cells, "done": done, "due": due,
                    "recordable": [c["period"] for c in cells if c["state"] in ("open", "missed")]})
    return out


# --- 工作台 -----------------------------------------------------------------------------------

def home_cards(*, actor, org: Org) -> list[dict]:
    if not in_scope(actor, org):
        return []
    overdue = rectification_list(actor=actor, org=org, overdue=True).count()
    unsigned = pledge_list(actor=actor, org=org, year=today().year, state="issued").count()
    return [{"label": "逾期未整改", "value": overdue, "icon": "ti-alarm"},
            {"label": "本年度待签责任书", "value": unsigned, "icon": "ti-file-certificate"}]
