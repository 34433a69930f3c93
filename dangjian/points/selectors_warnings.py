"""Reads of 预警 (R-POINTS-WARN), scoped by the actor: 404 outside, 403 inside without the right."""
from decimal import Decimal

from django.db.models import DecimalField, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from dangjian.accounts.scope import as_id, org_get_visible, require, scope_q
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import PointEntry, PointScheme, PointWarning

DEC = DecimalField(max_digits=14, decimal_places=2)
RELATED = ("member", "member__org", "org", "disposal")


def warning_candidates(org: Org, period: rules.Period, scheme: PointScheme) -> QuerySet:
    """Members on the rolls under org whose index is below the warning line or who carry a grave deduction,
    with `score` and `worst` (their largest approved, unreversed deduction) annotated: one SQL aggregate."""
    from .ranking import weighted

    approved = Q(point_entries__status=PointEntry.Status.APPROVED, point_entries__occurred_on__gte=period.start,
                 point_entries__occurred_on__lte=period.end)
    score = Value(scheme.base, output_field=DEC) + Coalesce(
        Sum(weighted(scheme, "point_entries__"), filter=approved, output_field=DEC), Value(Decimal("0"), output_field=DEC))
    worst = Min("point_entries__points", output_field=DEC,
                filter=approved & Q(point_entries__points__lt=0, point_entries__reverses__isnull=True,
                                    point_entries__reversed_by__isnull=True))
    return (members_on_rolls(org).select_related("org").only("id", "name", "org_id", "org__name", "org__path")
            .annotate(score=score, worst=worst)
            .filter(Q(score__lt=max(scheme.warn_below, scheme.unqualified_below)) | Q(worst__lte=rules.GRAVE_DEDUCTION))
            .order_by("score", "id"))


def warnings_in_subtree(org: Org) -> QuerySet[PointWarning]:
    return PointWarning.objects.filter(subtree_q(org.path, field="member__org__path"))


def warning_list(*, actor, org_id, period: rules.Period | None = None, state: str = "") -> tuple[Org, QuerySet]:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, "points.view", org)
    qs = warnings_in_subtree(org)
    if period is not None:
        qs = qs.filter(period=period.label)
    if state in PointWarning.State.values:
        qs = qs.filter(state=state)
    return org, qs.select_related(*RELATED).order_by("-period_start", "state", "score", "id")


def warning_get(*, actor, warning_id) -> PointWarning:
    warning_id = as_id(warning_id)
    w = (PointWarning.objects.filter(scope_q(actor, field="member__org__path", perm="points.view"), id=warning_id)
         .select_related(*RELATED).first())
    if w is None:
        raise Http404
    return w
