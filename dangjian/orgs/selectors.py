"""Reads of the org tree, always limited to the actor's scope."""
from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts.scope import org_get_visible, scope_q

from .models import Org, PartyGroup
from .tree import subtree_q


def org_get(*, actor, org_id) -> Org:
    return org_get_visible(actor=actor, org_id=org_id)


def org_children(*, actor, org: Org) -> QuerySet[Org]:
    org = org_get_visible(actor=actor, org_id=org.id)
    return org.get_children().select_related("unit")


def org_subtree(*, actor, org: Org, kind: str | None = None, q: str = "") -> QuerySet[Org]:
    """The org and everything below it, in tree order (an index range on path)."""
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = Org.objects.filter(subtree_q(org.path)).select_related("unit").order_by("path")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs


def org_list(*, actor) -> QuerySet[Org]:
    return Org.objects.filter(scope_q(actor)).order_by("path")


def org_parent_ids(orgs) -> dict[int, int | None]:
    """parent id for each org in one query (no N+1)."""
    orgs = list(orgs)
    parent_paths = {o.path[: -Org.steplen] for o in orgs if o.depth > 1}
    by_path = dict(Org.objects.filter(path__in=parent_paths).values_list("path", "id"))
    return {o.id: by_path.get(o.path[: -Org.steplen]) for o in orgs}


def org_ancestors(*, actor, org: Org) -> list[Org]:
    """Breadcrumb: ancestors the actor may see, top first."""
    visible = Org.objects.filter(scope_q(actor))
    paths = [org.path[: i * Org.steplen] for i in range(1, org.depth)]
    return list(visible.filter(path__in=paths).order_by("depth"))


def party_groups_of(*, actor, org: Org) -> QuerySet[PartyGroup]:
    org = org_get_visible(actor=actor, org_id=org.id)
    return PartyGroup.objects.filter(org=org)


def party_group_get(*, actor, group_id) -> PartyGroup:
    group = PartyGroup.objects.select_related("org").filter(org__in=Org.objects.filter(scope_q(actor)),
                                                             id=group_id).first()
    if group is None:
        raise Http404
    return group

