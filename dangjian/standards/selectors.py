"""Reads of checklists, coverage, venues, model designations and size warnings, scoped by the actor."""
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, org_get_visible, require, scoped_get
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import (Evidence, ModelDesignation, StandardCheck, StandardChecklist, StandardItem, Venue, VenuePhoto)


def today() -> date:
    return timezone.localdate()


def standards_org_get(*, actor, org_id, perm: str = "standards.view") -> Org:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, perm, org)
    return org


# --- checklists and coverage -----------------------------------------------------------------------

def targets_for(org: Org, *, target_kinds: list[str], unit_kinds: list[str]) -> QuerySet[Org]:
    """The orgs below the issuing org a checklist applies to (never the issuer itself)."""
    qs = Org.objects.filter(subtree_q(org.path), is_active=True, kind__in=target_kinds).exclude(pk=org.pk)
    if unit_kinds:
        qs = qs.filter(unit__kind__in=unit_kinds)
    return qs.order_by("path")


def checklists_covering(*, actor, org: Org) -> QuerySet[StandardChecklist]:
    """Checklists issued by org (or above it) whose targets include orgs in org's subtree, newest first."""
    org = standards_org_get(actor=actor, org_id=org.id)
    ids = (StandardCheck.objects.filter(subtree_q(org.path, field="org__path"))
           .values_list("checklist_id", flat=True).distinct())
    return (StandardChecklist.objects.filter(Q(id__in=ids) | subtree_q(org.path, field="org__path"))
            .select_related("org").order_by("-year", "-id"))


def checklist_get(*, actor, checklist_id, perm: str = "standards.view") -> StandardChecklist:
    return scoped_get(StandardChecklist.objects.select_related("org", "previous"), actor=actor, pk=checklist_id,
                      perm=perm)


@dataclass
class CoverageRow:
    org: Org
    cells: list = field(default_factory=list)   # StandardCheck per item (None when not a target)
    met: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return rules.percent(self.met, self.total)

    @property
    def gaps(self) -> int:
        return self.total - self.met


def coverage(*, actor, org: Org, checklist: StandardChecklist) -> dict:
    """Orgs × items of one checklist for the orgs in org's subtree: 3 queries, whatever the size."""
    org = standards_org_get(actor=actor, org_id=org.id)
    items = list(checklist.items.all())
    checks = (StandardCheck.objects.filter(subtree_q(org.path, field="org__path"), checklist=checklist)
              .select_related("org").annotate(evidence_count=Count("evidence")).order_by("org__path"))
    rows: dict[int, CoverageRow] = {}
    index = {item.id: i for i, item in enumerate(items)}
    for c in checks:
        row = rows.setdefault(c.org_id, CoverageRow(org=c.org, cells=[None] * len(items)))
        row.cells[index[c.item_id]] = c
        row.total += 1
        row.met += c.verdict == rules.MET
    per_item = []
    for i, item in enumerate(items):
        cells = [r.cells[i] for r in rows.values() if r.cells[i] is not None]
        met = sum(1 for c in cells if c.verdict == rules.MET)
        per_item.append({"item": item, "met": met, "total": len(cells), "percent": rules.percent(met, len(cells))})
    met = sum(r.met for r in rows.values())
    total = sum(r.total for r in rows.values())
    return {"items": items, "rows": list(rows.values()), "per_item": per_item, "met": met, "total": total,
            "percent": rules.percent(met, total), "orgs_complete": sum(1 for r in rows.values() if r.gaps == 0)}


def org_standards(org: Org) -> tuple[StandardChecklist | None, list[StandardCheck]]:
    """The latest checklist that applies to org, with its checks (and evidence counts) in item order."""
    latest = (StandardCheck.objects.filter(org=org).select_related("checklist")
              .order_by("-checklist__year", "-checklist__issued_on", "-checklist_id").first())
    if latest is None:
        return None, []
    checks = list(StandardCheck.objects.filter(org=org, checklist=latest.checklist).select_related("item")
                  .annotate(evidence_count=Count("evidence")).order_by("item__order", "item_id"))
    return latest.checklist, checks


def check_get(*, actor, check_id, perm: str = "standards.view") -> StandardCheck:
    return scoped_get(StandardCheck.objects.select_related("org", "item", "checklist", "checklist__org"),
                      actor=actor, pk=check_id, perm=perm)


def evidence_get(*, actor, evidence_id) -> Evidence:
    return scoped_get(Evidence.objects.select_related("org"), actor=actor, pk=evidence_id, perm="standards.view")


# --- venues ----------------------------------------------------------------------------------------

def venue_list(*, actor, org: Org) -> QuerySet[Venue]:
    org = standards_org_get(actor=actor, org_id=org.id)
    return (Venue.objects.filter(subtree_q(org.path, field="org__path")).select_related("org")
            .annotate(photo_count=Count("photos")).order_by("org__path", "name"))


def venue_get(*, actor, venue_id, perm: str = "standards.view") -> Venue:
    return scoped_get(Venue.objects.select_related("org"), actor=actor, pk=venue_id, perm=perm)


def venue_photo_get(*, actor, venue_photo_id) -> VenuePhoto:
    return scoped_get(VenuePhoto.objects.select_related("org"), actor=actor, pk=venue_photo_id, perm="standards.view")


def public_venues(*, org_id=None) -> QuerySet[Venue]:
    """Public 阵地 for the portal (no login): public, in use; photos by their tokens only."""
    from django.db.models import Prefetch

    qs = Venue.objects.filter(is_public=True, is_active=True, org__is_active=True)
    if org_id:
        org = Org.objects.filter(id=as_id(org_id)).first()
        if org is None:
            raise Http404
        qs = qs.filter(subtree_q(org.path, field="org__path"))
    return (qs.select_related("org").prefetch_related(Prefetch("photos", queryset=VenuePhoto.objects.only(
        "id", "venue_id", "token", "caption"))).order_by("org__path", "name"))


def public_photo(token: str) -> VenuePhoto:
    photo = (VenuePhoto.objects.select_related("venue").filter(token=str(token)[:32], venue__is_public=True,
                                                               venue__is_active=True).first())
    if photo is None:
        raise Http404
    return photo


# --- model posts and branches --------------------------------------------------------------------

def designation_list(*, actor, org: Org) -> QuerySet[ModelDesignation]:
    org = standards_org_get(actor=actor, org_id=org.id)
    return (ModelDesignation.objects.filter(subtree_q(org.path, field="org__path"))
            .select_related("org", "member").order_by("-starts_on", "-id"))


def designation_get(*, actor, model_designation_id, perm: str = "standards.view") -> ModelDesignation:
    return scoped_get(ModelDesignation.objects.select_related("org", "member"), actor=actor,
                      pk=model_designation_id, perm=perm)


def public_designations(*, on: date | None = None) -> QuerySet[ModelDesignation]:
    """Named, public and current: only what the org chose to publish (names, titles, criteria, story)."""
    on = on or today()
    return (ModelDesignation.objects.filter(state=ModelDesignation.State.APPROVED, is_public=True,
                                            starts_on__lte=on, ends_on__gte=on, org__is_active=True)
            .select_related("org").only("id", "kind", "title", "public_name", "criteria", "story", "starts_on",
                                        "ends_on", "org__name", "org__path").order_by("kind", "org__path", "title"))


# --- size warnings (RULES §2) ----------------------------------------------------------------------

@dataclass
class OrgSize:
    org: Org
    on_rolls: int
    full: int
    committee_seats: int
    warnings: list


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(Org.steplen, len(path) + 1, Org.steplen)]


def committee_min_many(orgs: list[Org]) -> dict[int, int]:
    """R-COMMITTEE-100 ⚙: the threshold in force for each org: the nearest org at or above it with its own
    setting, else 100. One query."""
    from .models import SizeSettings

    paths = {p for o in orgs for p in _ancestor_paths(o.path)}
    own = dict(SizeSettings.objects.filter(org__path__in=paths).values_list("org__path", "committee_min_members"))
    out = {}
    for o in orgs:
        found = next((own[p] for p in reversed(_ancestor_paths(o.path)) if p in own), None)
        out[o.id] = rules.BASE_COMMITTEE_MIN_MEMBERS if found is None else found
    return out


def size_report(org: Org, *, kinds=(Org.Kind.BRANCH, Org.Kind.GENERAL_BRANCH)) -> list[OrgSize]:
    """Every branch and general branch under org (org included) with its counts and warnings: R-BRANCH-50,
    R-BRANCH-3, R-COMMITTEE-7, R-GENERAL-50, R-COMMITTEE-100. A 党总支 counts the members of its whole subtree.
    4 queries, whatever the size."""
    from dangjian.elections.selectors import committee_seat_counts

    orgs = list(Org.objects.filter(subtree_q(org.path), kind__in=kinds, is_active=True).order_by("path"))
    counts = (Member.objects.filter(subtree_q(org.path, field="org__path"), status__in=ACTIVE_STATUSES,
                                    stage__in=[Stage.PROBATIONARY, Stage.FULL])
              .values("org__path").annotate(n=Count("id"), full=Count("id", filter=Q(stage=Stage.FULL))))
    by_path = {row["org__path"]: row for row in counts}
    # A 党总支's subtree is the range of sorted paths starting with its own: running sums over the sorted paths
    # give its totals by two bisections (scanning every path per 党总支 took 34 s for a province's 3 300 of them).
    paths = sorted(by_path)
    run_n, run_full = [0], [0]
    for p in paths:
        run_n.append(run_n[-1] + by_path[p]["n"])
        run_full.append(run_full[-1] + by_path[p]["full"])
    seats = committee_seat_counts(org)
    thresholds = committee_min_many(orgs)
    out = []
    for o in orgs:
        if o.kind == Org.Kind.BRANCH:
            row = by_path.get(o.path, {"n": 0, "full": 0})
            n, full = row["n"], row["full"]
        else:
            lo = bisect_left(paths, o.path)
            hi = bisect_left(paths, o.path + "\U0010ffff")  # past every path that starts with o.path
            n, full = run_n[hi] - run_n[lo], run_full[hi] - run_full[lo]
        warnings = rules.org_warnings(org_kind=o.kind, on_rolls=n, full=full, committee_seats=seats.get(o.id, 0),
                                      committee_min=thresholds[o.id])
        out.append(OrgSize(org=o, on_rolls=n, full=full, committee_seats=seats.get(o.id, 0), warnings=warnings))
    return out


def org_size(org: Org) -> OrgSize:
    """One org's counts and warnings (the org page and the committee page); a 党委 gets none."""
    if org.kind == Org.Kind.COMMITTEE:
        return OrgSize(org=org, on_rolls=0, full=0, committee_seats=0, warnings=[])
    return next((s for s in size_report(org) if s.org.id == org.id),
                OrgSize(org=org, on_rolls=0, full=0, committee_seats=0, warnings=[]))


def size_warnings(*, actor, org: Org) -> list[OrgSize]:
    """The branches and general branches under org with at least one size warning (pages, API, home_cards)."""
    org = standards_org_get(actor=actor, org_id=org.id)
    return [s for s in size_report(org) if s.warnings]


def home_cards(*, actor, org: Org) -> list[dict]:
    from dangjian.accounts.scope import can

    if not can(actor, "standards.view", org):
        return []
    cards = [{"label": "支部规模预警", "value": len(size_warnings(actor=actor, org=org)), "icon": "ti-alert-circle"}]
    checklist = checklists_covering(actor=actor, org=org).first()
    if checklist is not None:
        data = coverage(actor=actor, org=org, checklist=checklist)
        cards.append({"label": f"{checklist.year}年标准化达标率", "value": f"{data['percent']}%", "icon": "ti-checklist"})
    return cards
