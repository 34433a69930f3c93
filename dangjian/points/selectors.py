"""Reads of the points app, scoped by the actor (DESIGN rule 2): catalog, ledger, queue, publications."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.accounts.scope import as_id, org_get_visible, require, scope_paths, scope_q
from dangjian.core.errors import DomainError
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, member_of_user, members_visible
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import Category, Objection, PointEntry, PointRule, PointRuleVersion, PointScheme, Publication


def today() -> date:
    return timezone.localdate()


def ancestor_paths(org: Org) -> list[str]:
    """Paths of org and every org above it (treebeard's fixed-width steps)."""
    return [org.path[: i * Org.steplen] for i in range(1, len(org.path) // Org.steplen + 1)]


def parse_period_or_400(text: str) -> rules.Period:
    try:
        return rules.parse_period(text)
    except rules.PeriodError:
        raise DomainError(f"考评周期格式不正确：{text or '（空）'}，应如 2026Q3（季度）、2026-07（月）或 2026（年）",
                          field="period")


# --- scheme -------------------------------------------------------------------------------------------

def scheme_for(org: Org) -> PointScheme:
    """The nearest scheme at or above org; the defaults (unsaved) when no committee has set one."""
    scheme = (PointScheme.objects.filter(org__path__in=ancestor_paths(org)).select_related("org")
              .order_by("-org__depth").first())
    return scheme or PointScheme(org=org)


def formula_text(scheme: PointScheme) -> str:
    weights = {k: v for k, v in (scheme.category_weights or {}).items() if Decimal(str(v)) != 1}
    weighted = "Σ(类别权重×加减分)" if weights else "Σ加减分"
    return f"先锋指数 = 基础分 {scheme.base} + 本期已生效的{weighted}"


# --- rule catalog -------------------------------------------------------------------------------------

def _in_force_q(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (Q(**{f"{prefix}valid_to__isnull": True})
                                                     | Q(**{f"{prefix}valid_to__gt": day}))


def rule_version_in_force(*, org: Org, code: str, day: date, include_self: bool = True) -> PointRuleVersion | None:
    """The version of `code` that applies to org on `day`: the deepest org (self or ancestor) whose
    rule has a version in force that day (R-POINTS-OVERRIDE: a lower org's override wins)."""
    paths = ancestor_paths(org)
    if not include_self:
        paths = paths[:-1]
    return (PointRuleVersion.objects.filter(_in_force_q(day), rule__code=code, rule__org__path__in=paths)
            .select_related("rule", "rule__org").order_by("-rule__org__depth").first())


def catalog_for(org: Org, *, day: date | None = None) -> list[PointRuleVersion]:
    """Every rule version that applies to org on `day` (one per code), with `.origin` set to
    own / override / inherited for display."""
    day = day or today()
    versions = (PointRuleVersion.objects.filter(_in_force_q(day), rule__org__path__in=ancestor_paths(org))
                .select_related("rule", "rule__org").order_by("rule__code", "-rule__org__depth"))
    chosen: dict[str, PointRuleVersion] = {}
    for v in versions:
        chosen.setdefault(v.rule.code, v)
    out = list(chosen.values())
    for v in out:
        v.origin = ("override" if v.rule.overrides_id else "own") if v.rule.org_id == org.id else "inherited"
    order = {c: i for i, c in enumerate(Category.values)}
    out.sort(key=lambda v: (order.get(v.category, 99), v.points < 0, v.rule.code))
    return out


def rule_catalog(*, actor, org_id, day: date | None = None) -> tuple[Org, list[PointRuleVersion]]:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, "points.view", org)
    return org, catalog_for(org, day=day)


def rule_get(*, actor, rule_id) -> PointRule:
    rule_id = as_id(rule_id)
    # A rule is visible in the subtree where it applies: to the org's own scope and to everyone below it.
    above: set[str] = set()
    for path in scope_paths(actor) or []:
        above.update(path[: i * Org.steplen] for i in range(1, len(path) // Org.steplen + 1))
    rule = (PointRule.objects.filter(scope_q(actor, field="org__path") | Q(org__path__in=above), id=rule_id)
            .select_related("org", "overrides", "overrides__org").first())
    if rule is None:
        raise Http404
    return rule


def rule_versions(rule: PointRule) -> list[PointRuleVersion]:
    return list(rule.versions.order_by("-version"))


def self_report_rules(member: Member, *, day: date | None = None) -> list[PointRuleVersion]:
    return [v for v in catalog_for(member.org, day=day)
            if v.self_report_allowed and v.rule.subject == PointRule.Subject.MEMBER]


# --- ledger -------------------------------------------------------------------------------------------

ENTRY_RELATED = ("member", "org", "rule_version", "created_by", "decided_by", "reverses")


@dataclass
class EntryFilters:
    period: rules.Period | None = None
    status: str = ""
    source: str = ""
    category: str = ""
    member_id: int | None = None
    q: str = ""

    def apply(self, qs: QuerySet[PointEntry]) -> QuerySet[PointEntry]:
        if self.period:
            qs = qs.filter(occurred_on__range=(self.period.start, self.period.end))
        if self.status in PointEntry.Status.values:
            qs = qs.filter(status=self.status)
        if self.source in PointEntry.Source.values:
            qs = qs.filter(source=self.source)
        if self.source == "reversal":
            qs = qs.filter(reverses__isnull=False)
        if self.category:
            qs = qs.filter(category=self.category)
        if self.member_id:
            qs = qs.filter(member_id=self.member_id)
        if self.q:
            qs = qs.filter(Q(member__name__contains=self.q) | Q(rule_version__name__contains=self.q)
                           | Q(member__name_pinyin__startswith=self.q.lower())
                           | Q(member__name_initials__startswith=self.q.lower()))
        return qs


def entries_in_subtree(org: Org) -> QuerySet[PointEntry]:
    """Entries of members now under org, and entries of orgs under org (org-subject rules)."""
    return PointEntry.objects.filter(subtree_q(org.path, field="member__org__path")
                                     | (Q(member__isnull=True) & subtree_q(org.path, field="org__path")))


def ledger(*, actor, org_id, filters: EntryFilters | None = None, perm: str = "points.view") -> tuple[Org, QuerySet]:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, perm, org)
    qs = (filters or EntryFilters()).apply(entries_in_subtree(org))
    return org, qs.select_related(*ENTRY_RELATED, "member__org").order_by("-occurred_on", "-id")


def pending_queue(*, actor, org_id) -> tuple[Org, QuerySet]:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, "points.edit", org)
    qs = entries_in_subtree(org).filter(status=PointEntry.Status.PENDING)
    return org, qs.select_related(*ENTRY_RELATED, "member__org").order_by("created_at", "id")


def entry_get(*, actor, entry_id) -> PointEntry:
    """An entry the actor may see: in scope, or the actor's own (a member sees their own ledger)."""
    entry_id = as_id(entry_id)
    visible = (Q(member__in=members_visible(actor).values("id"))
               | (Q(member__isnull=True) & scope_q(actor, field="org__path")))
    entry = PointEntry.objects.filter(visible, id=entry_id).select_related(*ENTRY_RELATED, "member__org").first()
    if entry is None:
        raise Http404
    return entry


def member_score(member: Member, period: rules.Period, scheme: PointScheme | None = None) -> Decimal:
    scheme = scheme or scheme_for(member.org)
    rows = (PointEntry.objects.filter(member=member, status=PointEntry.Status.APPROVED,
                                      occurred_on__range=(period.start, period.end))
            .values("category").annotate(total=Sum("points")))
    weighted = sum((scheme.weight(r["category"]) * r["total"] for r in rows), Decimal("0"))
    return rules.vanguard_index(base=scheme.base, weighted_points=weighted)


def member_points(*, actor, member_id, period: rules.Period) -> dict:
    """A member's index for the period and their entries (themselves, or anyone in the actor's scope)."""
    member = member_get(actor=actor, member_id=member_id)
    scheme = scheme_for(member.org)
    entries = (PointEntry.objects.filter(member=member, occurred_on__range=(period.start, period.end))
               .select_related(*ENTRY_RELATED).order_by("-occurred_on", "-id"))
    score = member_score(member, period, scheme)
    return {"member": member, "scheme": scheme, "period": period, "score": score,
            "stars": rules.star_level(score, scheme.stars()), "warn": score < scheme.warn_below,
            "entries": entries}


def cap_used(*, member: Member | None, org: Org | None, code: str, period: str) -> Decimal:
    qs = PointEntry.objects.filter(rule_code=code, period=period).exclude(status=PointEntry.Status.REJECTED)
    qs = qs.filter(member=member) if member is not None else qs.filter(member__isnull=True, org=org)
    return qs.aggregate(total=Sum("points"))["total"] or Decimal("0")


# --- publications ---------------------------------------------------------------------------------------

def _home_paths(actor) -> list[str]:
    """Paths of every org the actor belongs to: any role (members too) and their member record's branch."""
    paths = list(Role.objects.filter(user=actor, org__is_active=True).values_list("org__path", flat=True))
    member = member_of_user(actor)
    if member is not None:
        paths.append(member.org.path)
    return paths


def publications_visible(actor) -> QuerySet[Publication]:
    """公示 is public within the org: staff see those of orgs in scope; anyone sees those of the orgs they
    belong to and of every org above (a branch member sees the committee's branch ranking)."""
    if not getattr(actor, "is_authenticated", False):
        return Publication.objects.none()
    above: set[str] = set()
    for path in _home_paths(actor):
        above.update(path[: i * Org.steplen] for i in range(1, len(path) // Org.steplen + 1))
    return Publication.objects.filter(scope_q(actor, field="org__path") | Q(org__path__in=above))


def publication_get(*, actor, publication_id) -> Publication:
    publication_id = as_id(publication_id)
    pub = publications_visible(actor).select_related("org", "published_by").filter(id=publication_id).first()
    if pub is None:
        raise Http404
    return pub


def publication_list(*, actor) -> QuerySet[Publication]:
    return (publications_visible(actor).select_related("org")
            .annotate(open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN)))
            .order_by("-period_start", "org__path", "level"))


def publication_state(pub: Publication, *, on: date | None = None) -> dict:
    on = on or today()
    open_count = getattr(pub, "open_objections", None)
    if open_count is None:
        open_count = pub.objections.filter(status=Objection.Status.OPEN).count()
    return {"window_open": rules.objection_open(published_on=pub.published_on, until=pub.objection_until, today=on),
            "locked": rules.period_locked(until=pub.objection_until, today=on, open_objections=open_count),
            "open_objections": open_count}


def locking_publication(org: Org, day: date, *, on: date | None = None) -> Publication | None:
    """R-POINTS-LOCK: a publication at or above org covering `day` whose window has closed with every
    objection answered."""
    on = on or today()
    return (Publication.objects.filter(org__path__in=ancestor_paths(org), period_start__lte=day,
                                       period_end__gte=day, objection_until__lt=on)
            .exclude(objections__status=Objection.Status.OPEN).select_related("org").first())


def open_publications(org: Org, day: date, *, on: date | None = None) -> QuerySet[Publication]:
    """Publications at or above org covering `day` that are not locked yet (their rows follow the ledger)."""
    on = on or today()
    return (Publication.objects.filter(org__path__in=ancestor_paths(org), period_start__lte=day, period_end__gte=day)
            .filter(Q(objection_until__gte=on) | Q(objections__status=Objection.Status.OPEN)).distinct()
            .select_related("org"))


# --- home ---------------------------------------------------------------------------------------------------

def home_cards(*, actor, org: Org) -> list[dict]:
    from dangjian.accounts.scope import can

    if not can(actor, "points.view", org):
        return []
    period = rules.period_of(today(), scheme_for(org).period_kind)
    entries = entries_in_subtree(org)
    cards = [{"label": f"{period.display}积分记录",
              "value": entries.filter(occurred_on__range=(period.start, period.end)).count(),
              "icon": "ti-list-numbers"}]
    if can(actor, "points.edit", org):
        cards.append({"label": "积分待审核", "value": entries.filter(status=PointEntry.Status.PENDING).count(),
                      "icon": "ti-checklist"})
    return cards


def members_on_rolls_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}stage__in": [Stage.PROBATIONARY, Stage.FULL], f"{prefix}status__in": ACTIVE_STATUSES})
