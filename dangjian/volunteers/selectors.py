"""Reads of volunteer service, scoped by the actor (DESIGN rule 2): 404 outside.

Staff (admin, secretary, committee member) see their orgs' subtrees. A plain member sees their own
volunteer record, the activities and posts of their own org and its ancestors (to sign up and claim),
their own claims and the needs assigned to them.
"""
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import in_scope, org_get_visible, scope_q
from dangjian.members.models import Member
from dangjian.members.selectors import member_of_user, members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import matching, rules
from .models import (Activity, Demand, GoodDeed, HoursEntry, Post, PostClaim, Signup, UnitMembership,
                     VolunteerProfile, VolunteerUnit)

ZERO = Decimal("0.00")


def _h(value) -> Decimal:
    """A sum of hours as a Decimal to 0.01 (SQLite returns sums without their scale)."""
    return (Decimal(value) if value is not None else ZERO).quantize(rules.HOUR_STEP)


MAX_ID = 2 ** 63 - 1


def _id(value) -> int:
    """An id from input, or 404 (a junk or out-of-range id finds nothing; it never reaches the database)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404
    if not 0 < number <= MAX_ID:
        raise Http404
    return number


def checked_id(value) -> int:
    """A positive database id from input, or 404."""
    return _id(value)


def org_visible(*, actor, org_id) -> Org:
    """org_get_visible with the id checked first (404 outside scope or for a junk id)."""
    return org_get_visible(actor=actor, org_id=_id(org_id))


def clean_q(value) -> str:
    """A search string from the query string: trimmed, without NUL (PostgreSQL refuses it)."""
    return (value or "").replace("\x00", "").strip()[:100]


def _chain_paths(org: Org) -> list[str]:
    """Paths of org and its ancestors."""
    return [org.path[: i * Org.steplen] for i in range(1, org.depth + 1)]


def own_member(actor) -> Member | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    if not hasattr(actor, "_dj_vol_member"):
        actor._dj_vol_member = member_of_user(actor)
    return actor._dj_vol_member


def own_volunteer(actor) -> VolunteerProfile | None:
    member = own_member(actor)
    if member is None:
        return None
    return VolunteerProfile.objects.select_related("org", "member").filter(member=member).first()


def _scope(actor, field: str = "org__path") -> Q:
    return scope_q(actor, field=field)


def _member_chain_q(actor, field: str = "org__path") -> Q:
    member = own_member(actor)
    if member is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": _chain_paths(member.org)})


# --- Units --------------------------------------------------------------------------------------

def units_visible(actor) -> QuerySet[VolunteerUnit]:
    return VolunteerUnit.objects.filter(_scope(actor)).select_related("org", "parent")


def unit_list(*, actor, org: Org) -> QuerySet[VolunteerUnit]:
    org = org_visible(actor=actor, org_id=org.id)
    return (VolunteerUnit.objects.filter(subtree_q(org.path, field="org__path")).select_related("org", "parent")
            .annotate(n_members=Count("memberships")).order_by("org__path", "level", "name", "id"))


def unit_get(*, actor, unit_id) -> VolunteerUnit:
    unit = units_visible(actor).filter(id=_id(unit_id)).first()
    if unit is None:
        raise Http404
    return unit


def unit_parent_get(*, actor, parent_id, org: Org) -> VolunteerUnit:
    """A parent for a new unit at org: a unit the actor sees, or one of an ancestor org (404 otherwise)."""
    unit = VolunteerUnit.objects.select_related("org").filter(id=_id(parent_id)).first()
    if unit is None or not (in_scope(actor, unit.org) or org.path.startswith(unit.org.path)):
        raise Http404
    return unit


def unit_tree(*, actor, org: Org) -> list[dict]:
    """Units under org, in tree order with depth, plus ancestor-org units they hang from."""
    units = list(unit_list(actor=actor, org=org))
    by_parent: dict[int | None, list] = {}
    ids = {u.id for u in units}
    for u in units:
        by_parent.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    out = []

    def walk(parent_id, depth):
        for u in by_parent.get(parent_id, []):
            out.append({"unit": u, "depth": depth})
            walk(u.id, depth + 1)

    walk(None, 0)
    return out


def unit_members(*, unit: VolunteerUnit) -> QuerySet[UnitMembership]:
    return unit.memberships.select_related("volunteer", "volunteer__org", "volunteer__member")


# --- Volunteers ---------------------------------------------------------------------------------

def volunteers_visible(actor) -> QuerySet[VolunteerProfile]:
    q = _scope(actor)
    if q == Q():
        return VolunteerProfile.objects.all()
    member = own_member(actor)
    own = Q(member=member) if member is not None else Q(pk__in=[])
    return VolunteerProfile.objects.filter(q | own)


def volunteer_get(*, actor, volunteer_id) -> VolunteerProfile:
    v = volunteers_visible(actor).select_related("org", "member").filter(id=_id(volunteer_id)).first()
    if v is None:
        raise Http404
    return v


def volunteer_list(*, actor, org: Org, q: str = "", skill: str = "", grid: str = "", kind: str = "",
                   weekday: int | None = None) -> QuerySet[VolunteerProfile] | list:
    """The org's volunteers; skill/weekday filters are applied in Python on the JSON (portable)."""
    org = org_visible(actor=actor, org_id=org.id)
    qs = VolunteerProfile.objects.filter(subtree_q(org.path, field="org__path"), is_active=True)
    q, skill, grid = clean_q(q), clean_q(skill), clean_q(grid)
    if q:
        low = q.lower()
        if low.isascii() and low.isalpha():
            qs = qs.filter(Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low))
        elif q.isdigit():
            qs = qs.filter(phone__endswith=q)
        else:
            qs = qs.filter(name__contains=q)
    if grid:
        qs = qs.filter(grid=grid.strip())
    if kind == "member":
        qs = qs.filter(member__isnull=False)
    elif kind == "resident":
        qs = qs.filter(member__isnull=True)
    qs = qs.select_related("org", "member").order_by("org__path", "name", "id")
    if skill or weekday:
        ids = [row["id"] for row in qs.values("id", "skills", "availability")
               if (not skill or skill in (row["skills"] or []))
               and (not weekday or any(s.weekday == weekday for s in rules.slots_from_json(row["availability"])))]
        qs = qs.filter(id__in=ids)
    return qs


def skill_choices(*, org: Org) -> list[str]:
    """Skills in use under org, most common first (for the roster's filter)."""
    counts: dict[str, int] = {}
    rows = VolunteerProfile.objects.filter(subtree_q(org.path, field="org__path"), is_active=True)
    for skills in rows.values_list("skills", flat=True)[:20000]:
        for s in skills or []:
            counts[s] = counts.get(s, 0) + 1
    return [s for s, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


# --- Registration rate (R-VOL-REG-RATE) ------------------------------------------------------------

def _eligible(org: Org, *, employed_only: bool = False) -> QuerySet[Member]:
    qs = members_on_rolls(org).filter(is_exempt=False)
    return qs.filter(is_retired=False) if employed_only else qs


def registration_stats(*, org: Org, employed_only: bool = False) -> dict:
    """{"registered", "eligible", "rate"} for org's subtree (rate a Decimal fraction, or None)."""
    eligible = _eligible(org, employed_only=employed_only)
    counts = eligible.aggregate(eligible=Count("id"),
                                registered=Count("id", filter=Q(volunteer__isnull=False, volunteer__is_active=True)))
    rate = rules.registration_rate(registered=counts["registered"], eligible=counts["eligible"])
    return {**counts, "rate": rate, "percent": percent(rate)}


def registration_by_org(*, actor, org: Org) -> list[dict]:
    """The rate of each branch under org (one grouped query), lowest first."""
    org = org_visible(actor=actor, org_id=org.id)
    rows = (_eligible(org).values("org_id")
            .annotate(eligible=Count("id"),
                      registered=Count("id", filter=Q(volunteer__isnull=False, volunteer__is_active=True))))
    names = dict(Org.objects.filter(id__in=[r["org_id"] for r in rows]).values_list("id", "name"))
    out = [{"org_id": r["org_id"], "org_name": names.get(r["org_id"], ""), "eligible": r["eligible"],
            "registered": r["registered"],
            "rate": rules.registration_rate(registered=r["registered"], eligible=r["eligible"])} for r in rows]
    for r in out:
        r["percent"] = percent(r["rate"])
    return sorted(out, key=lambda r: (r["rate"] if r["rate"] is not None else Decimal(2), r["org_name"]))


def percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def home_cards(*, actor, org: Org) -> list[dict]:
    stats = registration_stats(org=org)
    teams = VolunteerUnit.objects.filter(subtree_q(org.path, field="org__path"), is_active=True).count()
    year = timezone.localdate().year
    hours = _h(HoursEntry.objects.filter(subtree_q(org.path, field="org__path"), served_on__year=year)
               .aggregate(h=Sum("hours"))["h"])
    return [
        {"label": "志愿者注册率", "value": percent(stats["rate"]), "icon": "ti-user-heart"},
        {"label": "志愿服务组织", "value": teams, "icon": "ti-heart-handshake"},
        {"label": f"{year}年志愿服务时长", "value": f"{hours.quantize(Decimal('1'))} 小时", "icon": "ti-clock-heart"},
    ]


# --- Activities ---------------------------------------------------------------------------------

def activities_visible(actor) -> QuerySet[Activity]:
    q = _scope(actor)
    if q == Q():
        return Activity.objects.all()
    return Activity.objects.filter(q | _member_chain_q(actor))


def activity_get(*, actor, activity_id) -> Activity:
    a = activities_visible(actor).select_related("org", "unit").filter(id=_id(activity_id)).first()
    if a is None:
        raise Http404
    return a


def activity_list(*, actor, org: Org | None, state: str = "", month: str = "", q: str = "") -> QuerySet[Activity]:
    if org is not None:
        org = org_visible(actor=actor, org_id=org.id)
        qs = Activity.objects.filter(subtree_q(org.path, field="org__path"))
    else:
        qs = activities_visible(actor)
    if state:
        qs = qs.filter(state=clean_q(state))
    if month:
        try:
            y, m = (int(x) for x in month.split("-"))
        except ValueError:
            y, m = 0, 0
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            qs = qs.filter(starts_at__year=y, starts_at__month=m)
    if clean_q(q):
        qs = qs.filter(title__contains=clean_q(q))
    return (qs.select_related("org", "unit")
            .annotate(n_signed=Count("signups", filter=Q(signups__state=Signup.State.SIGNED_UP)))
            .order_by("-starts_at", "-id"))


def activity_signups(*, activity: Activity) -> list[Signup]:
    signups = list(activity.signups.filter(state=Signup.State.SIGNED_UP).select_related("volunteer"))
    credited = dict(HoursEntry.objects.filter(activity=activity).values("volunteer_id")
                    .annotate(h=Sum("hours")).values_list("volunteer_id", "h"))
    for s in signups:
        s.credited = _h(credited.get(s.volunteer_id))
    return signups


def credited_hours(*, activity: Activity, volunteer: VolunteerProfile) -> Decimal:
    return _h(HoursEntry.objects.filter(activity=activity, volunteer=volunteer).aggregate(h=Sum("hours"))["h"])


def good_deeds(*, actor, org: Org, year: int | None = None) -> QuerySet[GoodDeed]:
    org = org_visible(actor=actor, org_id=org.id)
    qs = GoodDeed.objects.filter(subtree_q(org.path, field="org__path"))
    if year and 1900 <= year <= 2100:
        qs = qs.filter(done_on__year=year)
    return qs.select_related("volunteer", "unit", "org")


# --- Totals per person / team / org / year -------------------------------------------------------

def totals(*, actor, org: Org, year: int | None, by: str = "person") -> list[dict]:
    """Hours, activities and good deeds grouped by person, team or org (rows sorted by hours)."""
    org = org_visible(actor=actor, org_id=org.id)
    hours = HoursEntry.objects.filter(subtree_q(org.path, field="org__path"))
    deeds = GoodDeed.objects.filter(subtree_q(org.path, field="org__path"))
    if year and 1900 <= year <= 2100:
        hours, deeds = hours.filter(served_on__year=year), deeds.filter(done_on__year=year)
    key, name_key, deed_key = {
        "person": ("volunteer_id", "volunteer__name", "volunteer_id"),
        "team": ("activity__unit_id", "activity__unit__name", "unit_id"),
        "org": ("org_id", "org__name", "org_id"),
    }[by if by in ("person", "team", "org") else "person"]
    rows: dict = {}
    for r in hours.values(key, name_key).annotate(h=Sum("hours"), n=Count("activity", distinct=True)):
        rows[r[key]] = {"id": r[key], "name": r[name_key] or "（未指定服务队）", "hours": _h(r["h"]),
                        "activities": r["n"], "deeds": 0}
    deed_name = {"volunteer_id": "volunteer__name", "unit_id": "unit__name", "org_id": "org__name"}[deed_key]
    for r in deeds.values(deed_key, deed_name).annotate(n=Count("id")):
        row = rows.setdefault(r[deed_key], {"id": r[deed_key], "name": r[deed_name] or "（未指定服务队）",
                                            "hours": ZERO, "activities": 0, "deeds": 0})
        row["deeds"] = r["n"]
    return sorted(rows.values(), key=lambda r: (-r["hours"], -r["deeds"], str(r["name"])))


def totals_by_year(*, actor, org: Org) -> list[dict]:
    org = org_visible(actor=actor, org_id=org.id)
    out: dict[int, dict] = {}
    for r in (HoursEntry.objects.filter(subtree_q(org.path, field="org__path"))
              .annotate(y=ExtractYear("served_on")).values("y").annotate(h=Sum("hours"),
                                                                       n=Count("activity", distinct=True))):
        out[r["y"]] = {"year": r["y"], "hours": _h(r["h"]), "activities": r["n"], "deeds": 0}
    for r in (GoodDeed.objects.filter(subtree_q(org.path, field="org__path"))
              .annotate(y=ExtractYear("done_on")).values("y").annotate(n=Count("id"))):
        out.setdefault(r["y"], {"year": r["y"], "hours": ZERO, "activities": 0, "deeds": 0})["deeds"] = r["n"]
    return [out[y] for y in sorted(out)]


def volunteer_year_hours(*, volunteer: VolunteerProfile, year: int) -> Decimal:
    return _h(volunteer.hours_entries.filter(served_on__year=year).aggregate(h=Sum("hours"))["h"])


def volunteer_hours_for(*, member, start: date, end: date) -> Decimal:
    """Hook for the points app: hours credited to a member's volunteer record, served from start to end
    (both inclusive). No actor: the points app calls it for members it already holds."""
    total = (HoursEntry.objects.filter(volunteer__member=member, served_on__gte=start, served_on__lte=end)
             .aggregate(h=Sum("hours"))["h"])
    return _h(total)


# --- Posts and claims ----------------------------------------------------------------------------

def posts_visible(actor) -> QuerySet[Post]:
    q = _scope(actor)
    if q == Q():
        return Post.objects.all()
    return Post.objects.filter(q | _member_chain_q(actor))


def post_get(*, actor, post_id) -> Post:
    p = posts_visible(actor).select_related("org").filter(id=_id(post_id)).first()
    if p is None:
        raise Http404
    return p


def in_force_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(state=PostClaim.State.CONFIRMED, ends_on__gte=today)


def post_list(*, actor, org: Org | None, active_only: bool = True) -> QuerySet[Post]:
    if org is not None:
        org = org_visible(actor=actor, org_id=org.id)
        qs = Post.objects.filter(subtree_q(org.path, field="org__path"))
    else:
        qs = posts_visible(actor)
    if active_only:
        qs = qs.filter(is_active=True)
    today = timezone.localdate()
    return (qs.select_related("org")
            .annotate(n_held=Count("claims", filter=Q(claims__state=PostClaim.State.CONFIRMED,
                                                      claims__ends_on__gte=today)),
                      n_pending=Count("claims", filter=Q(claims__state=PostClaim.State.PENDING)))
            .order_by("org__path", "title", "id"))


def claims_visible(actor) -> QuerySet[PostClaim]:
    q = _scope(actor)
    if q == Q():
        return PostClaim.objects.all()
    member = own_member(actor)
    own = Q(member=member) if member is not None else Q(pk__in=[])
    return PostClaim.objects.filter(q | own)


def claim_get(*, actor, claim_id) -> PostClaim:
    c = (claims_visible(actor).select_related("post", "org", "member", "member__org", "decided_by")
         .filter(id=_id(claim_id)).first())
    if c is None:
        raise Http404
    return c


def claim_list(*, actor, org: Org | None, state: str = "", post: Post | None = None) -> QuerySet[PostClaim]:
    if org is not None:
        org = org_visible(actor=actor, org_id=org.id)
        qs = PostClaim.objects.filter(subtree_q(org.path, field="org__path"))
    else:
        qs = claims_visible(actor)
    if state:
        qs = qs.filter(state=clean_q(state))
    if post is not None:
        qs = qs.filter(post=post)
    return qs.select_related("post", "org", "member", "member__org").order_by("-created_at", "-id")


def public_claims(*, org: Org) -> QuerySet[PostClaim]:
    """The public list for supervision (no login): confirmed claims in force, names and pledges only."""
    return (PostClaim.objects.filter(in_force_q(), subtree_q(org.path, field="org__path"))
            .select_related("post", "org", "member").order_by("org__path", "post__title", "member__name"))


def public_org_get(*, org_id) -> Org:
    org = Org.objects.filter(id=_id(org_id), is_active=True).first()
    if org is None:
        raise Http404
    return org


# --- Needs and matching ----------------------------------------------------------------------------

def demands_visible(actor) -> QuerySet[Demand]:
    q = _scope(actor)
    if q == Q():
        return Demand.objects.all()
    member = own_member(actor)
    own = Q(volunteer__member=member) if member is not None else Q(pk__in=[])
    return Demand.objects.filter(q | own)


def demand_get(*, actor, demand_id) -> Demand:
    d = demands_visible(actor).select_related("org", "volunteer").filter(id=_id(demand_id)).first()
    if d is None:
        raise Http404
    return d


def demand_list(*, actor, org: Org | None, state: str = "") -> QuerySet[Demand]:
    if org is not None:
        org = org_visible(actor=actor, org_id=org.id)
        qs = Demand.objects.filter(subtree_q(org.path, field="org__path"))
    else:
        qs = demands_visible(actor)
    if state:
        qs = qs.filter(state=clean_q(state))
    return qs.select_related("org", "volunteer").order_by("state", "-urgency", "starts_at", "id")


def need_spec(demand: Demand) -> matching.NeedSpec:
    return matching.NeedSpec(starts_at=demand.starts_at, ends_at=demand.ends_at, skills=tuple(demand.skills or ()),
                             grid=demand.grid)


def open_loads(volunteer_ids) -> dict[int, int]:
    return dict(Demand.objects.filter(state=Demand.State.ASSIGNED, volunteer_id__in=list(volunteer_ids))
                .values("volunteer_id").annotate(n=Count("id")).values_list("volunteer_id", "n"))


def candidate_of(v: VolunteerProfile, load: int = 0) -> matching.Candidate:
    return matching.Candidate(volunteer_id=v.id, skills=tuple(v.skills or ()),
                              slots=tuple(rules.slots_from_json(v.availability)), grid=v.grid, load=load,
                              max_load=v.max_load, name=v.name)


def demand_matches(*, actor, demand: Demand, limit: int = 20) -> list[matching.Match]:
    """Volunteers of the need's org subtree that the actor sees, ranked by the matcher."""
    pool = (VolunteerProfile.objects.filter(subtree_q(demand.org.path, field="org__path"), is_active=True)
            .filter(_scope(actor)).values("id", "name", "skills", "availability", "grid", "max_load"))
    rows = list(pool)
    loads = open_loads([r["id"] for r in rows]) if rows else {}
    spec = need_spec(demand)
    cands = [matching.Candidate(volunteer_id=r["id"], skills=tuple(r["skills"] or ()),
                                slots=tuple(rules.slots_from_json(r["availability"])), grid=r["grid"],
                                load=loads.get(r["id"], 0), max_load=r["max_load"], name=r["name"]) for r in rows]
    return matching.rank(spec, cands)[:limit]


def ledger_rows(*, actor, org: Org, year: int) -> list[list]:
    """志愿服务台账: one row per volunteer (for the xlsx export)."""
    org = org_visible(actor=actor, org_id=org.id)
    vols = list(VolunteerProfile.objects.filter(subtree_q(org.path, field="org__path"))
                .select_related("org").order_by("org__path", "name", "id"))
    under = subtree_q(org.path, field="volunteer__org__path")
    hours = dict(HoursEntry.objects.filter(under, served_on__year=year)
                 .values("volunteer_id").annotate(h=Sum("hours")).values_list("volunteer_id", "h"))
    deeds = dict(GoodDeed.objects.filter(under, done_on__year=year)
                 .values("volunteer_id").annotate(n=Count("id")).values_list("volunteer_id", "n"))
    units: dict[int, list[str]] = {}
    for vid, name in UnitMembership.objects.filter(under).values_list("volunteer_id", "unit__name"):
        units.setdefault(vid, []).append(name)
    rows = []
    for i, v in enumerate(vols, start=1):
        rows.append([i, v.name, "党员" if v.member_id else "群众", v.org.name, v.phone, "、".join(v.skills or []),
                     "、".join(v.interests or []), v.capacity,
                     "；".join(s.label() for s in rules.slots_from_json(v.availability)), v.grid,
                     "、".join(units.get(v.id, [])), _h(hours.get(v.id)), deeds.get(v.id, 0),
                     v.get_registered_via_display(), "有效" if v.is_active else "停用"])
    return rows

