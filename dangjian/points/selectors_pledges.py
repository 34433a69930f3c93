"""Reads of 三亮一评 (pledges and 群众评议), scoped by the actor: 404 outside, 403 inside without the right."""
from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts.scope import as_id, org_get_visible, require, scope_q
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import Pledge, PublicRating, Publication


def pledges_in_subtree(org: Org) -> QuerySet[Pledge]:
    return Pledge.objects.filter(subtree_q(org.path, field="member__org__path"))


def ratings_in_subtree(org: Org) -> QuerySet[PublicRating]:
    return PublicRating.objects.filter(subtree_q(org.path, field="member__org__path"))


def pledge_board(*, actor, org_id) -> tuple[Org, QuerySet]:
    """Members on the rolls under org (paginate it, then pledges_for(page, year))."""
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, "points.view", org)
    return org, members_on_rolls(org).select_related("org").order_by("org__path", "name_pinyin", "id")


def pledges_for(members, year: int) -> dict[int, Pledge]:
    ids = [m.id for m in members]
    return {p.member_id: p for p in Pledge.objects.filter(member_id__in=ids, year=year)}


def pledge_list(*, actor, org_id, year: int | None = None, fulfilment: str | None = None) -> tuple[Org, QuerySet]:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, "points.view", org)
    qs = pledges_in_subtree(org).select_related("member", "member__org", "org")
    if year is not None:
        qs = qs.filter(year=year)
    if fulfilment is not None and fulfilment in Pledge.Fulfilment.values:
        qs = qs.filter(fulfilment=fulfilment)
    return org, qs.order_by("-year", "member__org__path", "member__name_pinyin", "id")


def pledge_get(*, actor, pledge_id) -> Pledge:
    pledge_id = as_id(pledge_id)
    p = (Pledge.objects.filter(scope_q(actor, field="member__org__path", perm="points.view"), id=pledge_id)
         .select_related("member", "member__org", "org").first())
    if p is None:
        raise Http404
    return p


def rating_list(*, actor, org_id, period: rules.Period | None = None) -> tuple[Org, QuerySet]:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, "points.view", org)
    qs = ratings_in_subtree(org).select_related("member", "member__org", "entry", "created_by")
    if period is not None:
        qs = qs.filter(rated_on__range=(period.start, period.end))
    return org, qs.order_by("-rated_on", "-id")


def publication_pledges(pub: Publication) -> list[dict]:
    """三亮一评 on a member-level 公示: each pledge of the period's year for members under the org, with the
    member's 群众评议 result of the period (if any). Two queries."""
    if pub.level != Publication.Level.MEMBER:
        return []
    year = pub.period_start.year
    pledges = list(pledges_in_subtree(pub.org).filter(year=year).select_related("member", "member__org")
                   .order_by("member__org__path", "member__name_pinyin", "id"))
    ratings = {r.member_id: r for r in ratings_in_subtree(pub.org).filter(
        rated_on__range=(pub.period_start, pub.period_end), member_id__in=[p.member_id for p in pledges])}
    return [{"pledge": p, "rating": ratings.get(p.member_id)} for p in pledges]


def my_pledge(member, year: int) -> Pledge | None:
    return Pledge.objects.filter(member=member, year=year).first()


def my_ratings(member) -> QuerySet[PublicRating]:
    return PublicRating.objects.filter(member=member).order_by("-rated_on")[:4]
