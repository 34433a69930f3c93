"""Reads of the member registry, always scoped by the actor (DESIGN rule 2)."""
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, org_get_visible, scope_q
from dangjian.core.crypto import blind_index
from dangjian.core.idnumber import normalize_id_number
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .choices import ACTIVE_STATUSES, Stage
from .models import ChangeRequest, Member

AGE_BANDS = {"lt35": (None, 35), "35-45": (35, 46), "46-55": (46, 56), "56-65": (56, 66), "gt65": (66, None)}
PARTY_YEAR_BANDS = {"lt10": (None, 10), "10-29": (10, 30), "30-49": (30, 50), "50+": (50, None)}


def members_visible(actor) -> QuerySet[Member]:
    """Every member the actor may see: the scope's subtrees, or themself for a plain member."""
    q = scope_q(actor, field="org__path")
    if q == Q():
        return Member.objects.all()
    own = Q(user_id=actor.pk) if getattr(actor, "is_authenticated", False) else Q(pk__in=[])
    return Member.objects.filter(q | own)


def members_in_subtree(org: Org) -> QuerySet[Member]:
    """All member rows under org (no actor check: callers have already scoped org).

    The path range is put on the joined org itself (not an `org_id IN (subquery)`), so PostgreSQL
    walks the path index inside the range and the roster's ORDER BY org path comes presorted.
    """
    qs = Member.objects.filter(subtree_q(org.path, field="org__path"))
    # region_id narrows the search indexes (region_id, name_pinyin/initials, stage) to this county; nested
    # county-level orgs inside the subtree bring their own region ids. The path range stays even for a whole
    # region: it lets PostgreSQL walk the org path index for the roster's ORDER BY (page 1 in < 1 ms).
    if org.region_id:
        regions = {org.region_id} | set(
            Org.objects.filter(subtree_q(org.path), is_region=True).values_list("id", flat=True))
        qs = qs.filter(region_id__in=regions) if len(regions) > 1 else qs.filter(region_id=org.region_id)
    return qs


def members_on_rolls(org: Org) -> QuerySet[Member]:
    """Probationary and full members on the rolls under org (those expected at meetings, paying dues)."""
    return members_in_subtree(org).filter(stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES)


def member_get(*, actor, member_id) -> Member:
    member_id = as_id(member_id)
    member = members_visible(actor).select_related("org", "party_group").filter(id=member_id).first()
    if member is None:
        raise Http404
    return member


def member_of_user(user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("org", "party_group").filter(user=user).first()


@dataclass
class MemberFilters:
    q: str = ""
    stage: str = ""
    status: str = ""
    education: str = ""
    gender: str = ""
    party_group: int | None = None
    age_band: str = ""
    party_years: str = ""
    flag: str = ""

    def apply(self, qs: QuerySet[Member], *, today: date | None = None) -> QuerySet[Member]:
        today = today or timezone.localdate()
        if self.stage:
            qs = qs.filter(stage=self.stage)
        if self.status:
            qs = qs.filter(status=self.status)
        if self.education:
            qs = qs.filter(education=self.education)
        if self.gender:
            qs = qs.filter(gender=self.gender)
        if self.party_group:
            qs = qs.filter(party_group_id=self.party_group)
        if self.age_band in AGE_BANDS:
            lo, hi = AGE_BANDS[self.age_band]
            if lo is not None:  # age >= lo  <=> born on or before today - lo years
                qs = qs.filter(birth_date__lte=today - relativedelta(years=lo))
            if hi is not None:  # age < hi  <=> born after today - hi years
                qs = qs.filter(birth_date__gt=today - relativedelta(years=hi))
        if self.party_years in PARTY_YEAR_BANDS:
            lo, hi = PARTY_YEAR_BANDS[self.party_years]
            qs = qs.filter(joined_on__isnull=False)
            if lo is not None:
                qs = qs.filter(joined_on__lte=today - relativedelta(years=lo))
            if hi is not None:
                qs = qs.filter(joined_on__gt=today - relativedelta(years=hi))
        if self.flag in ("in_hardship", "is_retired", "is_cadre", "is_exempt"):
            qs = qs.filter(**{self.flag: True})
        if self.flag == "veteran":
            qs = qs.filter(joined_on__lte=today - relativedelta(years=50))
        if self.q:
            qs = qs.filter(search_q(self.q))
        return qs


def search_q(text: str) -> Q:
    """Name / pinyin / initials prefix, phone tail (4+ digits) or an exact ID number."""
    text = text.strip()
    if not text:
        return Q()
    if text.isdigit() and 4 <= len(text) <= 11:
        return Q(phone__endswith=text) if len(text) < 11 else Q(phone=text)
    normalized = normalize_id_number(text)
    if len(normalized) == 18 and normalized[:17].isdigit():
        return Q(id_index=blind_index(normalized))
    lowered = text.lower()
    if lowered.isascii() and lowered.isalpha():
        return Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    return Q(name__startswith=text) | Q(name__contains=text)


def member_list(*, actor, org: Org, filters: MemberFilters | None = None) -> QuerySet[Member]:
    """The org's whole subtree, filtered; a plain member gets 404 (they have no org scope)."""
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = (filters or MemberFilters()).apply(members_in_subtree(org))
    return qs.select_related("org", "party_group").order_by("org__path", "name", "id")


def change_requests_pending(*, actor, org: Org) -> QuerySet[ChangeRequest]:
    org = org_get_visible(actor=actor, org_id=org.id)
    return ChangeRequest.objects.filter(state=ChangeRequest.State.PENDING,
                                        member__in=members_in_subtree(org)).select_related("member", "member__org")


def home_cards(*, actor, org: Org) -> list[dict]:
    qs = members_in_subtree(org)
    on_rolls = qs.filter(stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES)
    return [
        {"label": "党员（含预备）", "value": on_rolls.count(), "icon": "ti-users"},
        {"label": "预备党员", "value": on_rolls.filter(stage=Stage.PROBATIONARY).count(), "icon": "ti-user-plus"},
        {"label": "入党积极分子", "value": qs.filter(stage=Stage.ACTIVIST).count(), "icon": "ti-seeding"},
    ]


def change_request_get(*, actor, request_id) -> ChangeRequest:
    """For the secretary's decision: only org roles see requests (a member sees only their own list)."""
    req = ChangeRequest.objects.select_related("member", "member__org").filter(
        id=request_id, member__org__in=Org.objects.filter(scope_q(actor))).first()
    if req is None:
        raise Http404
    return req
