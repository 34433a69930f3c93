"""Reads of 民情走访, always scoped by the actor (DESIGN rule 2): outside scope is a 404."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from dangjian.accounts.scope import as_id, can, org_get_visible, scope_q
from dangjian.members.models import Member
from dangjian.members.selectors import member_of_user, members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import (AnalysisMeeting, HelpRecord, Household, MonthlyPublication, Pairing, Resident, SpotCheck,
                     SpotCheckItem, VisitLog, VisitPlan)
from .services import in_area, settings_for


def _visible(actor, model) -> QuerySet:
    return model.objects.filter(scope_q(actor, field="org__path", perm="visits.view"))


def households_in_subtree(org: Org) -> QuerySet[Household]:
    return Household.objects.filter(subtree_q(org.path, field="org__path"))


def logs_in_subtree(org: Org) -> QuerySet[VisitLog]:
    return VisitLog.objects.filter(subtree_q(org.path, field="org__path"))


# --- Households ------------------------------------------------------------------------------

@dataclass
class HouseholdFilters:
    q: str = ""
    grid: str = ""
    tag: str = ""
    unpaired: bool = False

    def apply(self, qs: QuerySet[Household]) -> QuerySet[Household]:
        if self.grid:
            qs = qs.filter(grid=self.grid)
        if self.tag in rules.TAG_LABELS:
            qs = qs.filter(tags__contains=f",{self.tag},")
        if self.unpaired:
            qs = qs.exclude(id__in=Pairing.objects.filter(ended_on__isnull=True).values("household_id"))
        if self.q.strip():
            text = self.q.strip()
            qs = qs.filter(Q(name__contains=text) | Q(address__contains=text)
                           | Q(id__in=Resident.objects.filter(name=text).values("household_id")))
        return qs


def household_list(*, actor, org: Org, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    qs = (filters or HouseholdFilters()).apply(households_in_subtree(org).filter(is_active=True))
    return qs.select_related("org").annotate(
        active_pairs=Count("pairings", filter=Q(pairings__ended_on__isnull=True), distinct=True)
    ).order_by("grid", "address", "id")


def household_get(*, actor, household_id) -> Household:
    return get_object_or_404(_visible(actor, Household).select_related("org"), id=as_id(household_id))


def household_for_member(*, actor, member: Member, household_id) -> Household:
    """A household the actor may log a visit to for `member`: in the actor's scope, or (self-service) in
    the member's own area. Anything else is a 404 that confirms nothing."""
    household = Household.objects.select_related("org").filter(id=as_id(household_id)).first()
    if household is None:
        raise Http404
    if can(actor, "visits.view", household.org):
        return household
    if member.user_id == getattr(actor, "pk", None) and in_area(member, household):
        return household
    raise Http404


def household_detail(*, household: Household) -> dict:
    pairings = list(household.pairings.select_related("member", "member__org").order_by("-started_on"))
    helps = list(HelpRecord.objects.filter(pairing__household=household).select_related("pairing__member")[:50])
    logs = list(household.visit_logs.select_related("member").order_by("-visited_on", "-id")[:30])
    return {"residents": list(household.residents.all()), "pairings": pairings, "helps": helps, "logs": logs}


def grids_of(org: Org) -> list[str]:
    return list(households_in_subtree(org).exclude(grid="").values_list("grid", flat=True).distinct().order_by("grid"))


# --- Members (for forms) ---------------------------------------------------------------------

def member_for_visits(*, actor, member_id) -> Member:
    """A member the actor may plan or log for: in visits scope, or the actor themself."""
    member = Member.objects.select_related("org").filter(id=as_id(member_id)).first()
    if member is None:
        raise Http404
    if can(actor, "visits.view", member.org) or (member.user_id and member.user_id == getattr(actor, "pk", None)):
        return member
    raise Http404


def members_for_org(org: Org) -> QuerySet[Member]:
    return members_on_rolls(org).select_related("org").order_by("org__path", "name", "id")


# --- Pairings and coverage -------------------------------------------------------------------

def pairing_get(*, actor, pairing_id) -> Pairing:
    return get_object_or_404(_visible(actor, Pairing).select_related("org", "member", "household"),
                             id=as_id(pairing_id))


def pairing_list(*, actor, org: Org, active: bool = True) -> QuerySet[Pairing]:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    qs = Pairing.objects.filter(subtree_q(org.path, field="org__path"))
    if active:
        qs = qs.filter(ended_on__isnull=True)
    return qs.select_related("member", "household", "org").annotate(
        help_total=Sum("help_records__amount")).order_by("org__path", "member__name", "id")


def coverage(*, actor, org: Org, month: str) -> dict:
    """R-PAIRING and the month's plan coverage: households planned / visited, members without a pair,
    困难 households without a member."""
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    first, last = rules.parse_month(month)
    households = households_in_subtree(org).filter(is_active=True)
    plans = VisitPlan.objects.filter(subtree_q(org.path, field="org__path"), month=month)
    planned_ids = set(VisitPlan.households.through.objects.filter(visitplan__in=plans)
                      .values_list("household_id", flat=True))
    visited_ids = set(logs_in_subtree(org).filter(visited_on__range=(first, last), household__isnull=False)
                      .values_list("household_id", flat=True))
    active_pairs = Pairing.objects.filter(ended_on__isnull=True)
    members = members_on_rolls(org)
    paired_member_ids = set(active_pairs.filter(member__in=members).values_list("member_id", flat=True))
    unpaired_members = members.exclude(id__in=paired_member_ids).select_related("org").order_by("org__path", "name")
    hardship = households.filter(tags__contains=f",{rules.HARDSHIP_TAG},")
    hardship_unpaired = hardship.exclude(id__in=active_pairs.values("household_id")).select_related("org")
    return {
        "month": month,
        "households_total": households.count(),
        "households_planned": len(planned_ids),
        "households_visited": len(visited_ids),
        "planned_visited": len(planned_ids & visited_ids),
        "members_total": members.count(),
        "members_paired": len(paired_member_ids),
        "pairing_required": settings_for(org).pairing_required,
        "members_without_pairing": list(unpaired_members[:500]),
        "hardship_total": hardship.count(),
        "hardship_without_pairing": list(hardship_unpaired[:500]),
    }


# --- Plans -----------------------------------------------------------------------------------

def plan_list(*, actor, org: Org, month: str) -> QuerySet[VisitPlan]:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    return (VisitPlan.objects.filter(subtree_q(org.path, field="org__path"), month=month)
            .select_related("member", "org").annotate(planned=Count("households", distinct=True))
            .order_by("org__path", "member__name"))


def plan_get(*, actor, plan_id) -> VisitPlan:
    plan = VisitPlan.objects.select_related("member", "org").filter(id=as_id(plan_id)).first()
    if plan is None:
        raise Http404
    if can(actor, "visits.view", plan.org) or plan.member.user_id == getattr(actor, "pk", None):
        return plan
    raise Http404


def plan_progress(plan: VisitPlan) -> list[dict]:
    """Each planned household with the member's visits to it in the plan's month."""
    first, last = rules.parse_month(plan.month)
    visits = {}
    for log in VisitLog.objects.filter(member=plan.member, visited_on__range=(first, last),
                                       household__isnull=False).order_by("visited_on"):
        visits.setdefault(log.household_id, []).append(log)
    return [{"household": h, "visits": visits.get(h.id, [])}
            for h in plan.households.select_related("org").order_by("grid", "address")]


def plans_progress(plans: list[VisitPlan], *, month: str) -> dict[int, tuple[int, int]]:
    """{plan id: (planned, visited)} for many plans of one month in two queries (no N+1)."""
    first, last = rules.parse_month(month)
    through = VisitPlan.households.through.objects.filter(visitplan__in=plans).values_list("visitplan_id",
                                                                                          "household_id")
    members = {p.id: p.member_id for p in plans}
    visited = set(VisitLog.objects.filter(member_id__in=set(members.values()), visited_on__range=(first, last),
                                          household__isnull=False).values_list("member_id", "household_id"))
    out = {p.id: [0, 0] for p in plans}
    for plan_id, household_id in through:
        out[plan_id][0] += 1
        out[plan_id][1] += (members[plan_id], household_id) in visited
    return {k: (v[0], v[1]) for k, v in out.items()}


def my_plan(*, actor, month: str) -> tuple[Member | None, VisitPlan | None, list[dict]]:
    member = member_of_user(actor)
    if member is None:
        return None, None, []
    plan = VisitPlan.objects.select_related("member", "org").filter(member=member, month=month).first()
    return member, plan, plan_progress(plan) if plan else []


def my_pairings(member: Member) -> QuerySet[Pairing]:
    return member.pairings.filter(ended_on__isnull=True).select_related("household")


# --- Logs --------------------------------------------------------------------------------------

@dataclass
class LogFilters:
    month: str = ""
    member: int | None = None
    household: int | None = None
    with_needs: bool = False
    q: str = ""

    def apply(self, qs: QuerySet[VisitLog]) -> QuerySet[VisitLog]:
        if self.month:
            first, last = rules.parse_month(self.month)
            qs = qs.filter(visited_on__range=(first, last))
        if self.member:
            qs = qs.filter(member_id=self.member)
        if self.household:
            qs = qs.filter(household_id=self.household)
        if self.with_needs:
            qs = qs.exclude(needs="")
        if self.q.strip():
            text = self.q.strip()
            qs = qs.filter(Q(notes__contains=text) | Q(needs__contains=text) | Q(household__name__contains=text))
        return qs


def log_list(*, actor, org: Org, filters: LogFilters | None = None) -> QuerySet[VisitLog]:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    qs = (filters or LogFilters()).apply(logs_in_subtree(org))
    return qs.select_related("member", "household", "org").order_by("-visited_on", "-id")


def log_get(*, actor, log_id) -> VisitLog:
    log = VisitLog.objects.select_related("member", "household", "org").filter(id=as_id(log_id)).first()
    if log is None:
        raise Http404
    if can(actor, "visits.view", log.org) or log.member.user_id == getattr(actor, "pk", None):
        return log
    raise Http404


def logs_by_ids(*, actor, org: Org, ids) -> list[VisitLog]:
    ids = {as_id(i) for i in ids or []}
    found = list(logs_in_subtree(org).filter(id__in=ids).select_related("org"))
    if len(found) != len(ids):
        raise Http404
    return found


# --- Meetings, publications, spot checks -----------------------------------------------------

def meeting_list(*, actor, org: Org) -> QuerySet[AnalysisMeeting]:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    return (AnalysisMeeting.objects.filter(subtree_q(org.path, field="org__path")).select_related("org")
            .annotate(log_count=Count("logs")).order_by("-held_on", "-id"))


def meeting_get(*, actor, meeting_id) -> AnalysisMeeting:
    return get_object_or_404(_visible(actor, AnalysisMeeting).select_related("org"), id=as_id(meeting_id))


def meeting_gaps(*, org: Org, start: date, end: date) -> list[str]:
    held = list(AnalysisMeeting.objects.filter(subtree_q(org.path, field="org__path"),
                                               held_on__range=(start, end)).values_list("held_on", flat=True))
    return rules.weeks_without_meeting(held, start=start, end=end)


def publication_list(*, actor, org: Org) -> QuerySet[MonthlyPublication]:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    return MonthlyPublication.objects.filter(subtree_q(org.path, field="org__path")).select_related("org")


def publication_get(*, actor, publication_id) -> MonthlyPublication:
    return get_object_or_404(_visible(actor, MonthlyPublication).select_related("org"), id=as_id(publication_id))


def month_figures(*, org: Org, month: str) -> dict:
    """The month's results for 公示 (seed 001), computed, never typed."""
    first, last = rules.parse_month(month)
    logs = logs_in_subtree(org).filter(visited_on__range=(first, last))
    plans = VisitPlan.objects.filter(subtree_q(org.path, field="org__path"), month=month)
    planned = set(VisitPlan.households.through.objects.filter(visitplan__in=plans)
                  .values_list("household_id", flat=True))
    visited = set(logs.filter(household__isnull=False).values_list("household_id", flat=True))
    items = SpotCheckItem.objects.filter(spot_check__org__in=Org.objects.filter(subtree_q(org.path)),
                                         spot_check__month=month)
    from dangjian.petitions.models import Petition

    return {
        "month": month,
        "members_planned": plans.count(),
        "households_planned": len(planned),
        "households_visited": len(visited),
        "planned_visited": len(planned & visited),
        "visits": logs.filter(household__isnull=False).count(),
        "visit_logs": logs.count(),
        "needs_raised": logs.exclude(needs="").count(),
        "petitions_from_logs": Petition.objects.filter(visit_log__in=logs).count(),
        "members_visiting": logs.values("member_id").distinct().count(),
        "spot_checked": items.exclude(confirmed__isnull=True).count(),
        "spot_confirmed": items.filter(confirmed=True).count(),
    }


def spot_check_list(*, actor, org: Org) -> QuerySet[SpotCheck]:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "visits.view", org):
        raise Http404
    return (SpotCheck.objects.filter(subtree_q(org.path, field="org__path")).select_related("org", "reviewer")
            .annotate(checked=Count("items", filter=Q(items__confirmed__isnull=False)),
                      confirmed=Count("items", filter=Q(items__confirmed=True)), total=Count("items")))


def spot_check_get(*, actor, check_id) -> SpotCheck:
    items = SpotCheckItem.objects.select_related("log", "log__member", "log__household", "checked_by")
    qs = _visible(actor, SpotCheck).select_related("org", "reviewer").prefetch_related(Prefetch("items", items))
    return get_object_or_404(qs, id=as_id(check_id))


def spot_check_item_get(*, actor, check: SpotCheck, item_id) -> SpotCheckItem:
    return get_object_or_404(check.items.select_related("spot_check", "spot_check__org"), id=as_id(item_id))


def spot_check_redraw(check: SpotCheck) -> list[int]:
    """The sample the recorded seed and population draw again: equals the stored items (reproducible)."""
    return rules.spot_check_sample(check.population_ids, size=check.sample_size, seed=check.seed)


# --- Home page -----------------------------------------------------------------------------

def home_cards(*, actor, org: Org) -> list[dict]:
    if not can(actor, "visits.view", org):
        return []
    from django.utils import timezone

    today = timezone.localdate()
    first = today.replace(day=1)
    return [
        {"label": "在册居民户", "value": households_in_subtree(org).filter(is_active=True).count(), "icon": "ti-home-heart"},
        {"label": "本月民情日记", "value": logs_in_subtree(org).filter(visited_on__range=(first, today)).count(),
         "icon": "ti-notebook"},
    ]
