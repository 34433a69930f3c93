"""The one scope module every selector uses (DESIGN rule 2).

An actor sees the subtrees of the orgs where they hold an org role (admin, secretary,
committee member); a plain member sees no org, only themself. Anything outside is a 404.
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtrees_q

from .permissions import role_allows

ORG_ROLES = ("admin", "secretary", "committee_member")


def _roles(actor) -> list[tuple[str, str, int]]:
    """(role, org path, org id) of the actor's org roles, cached on the user object per request."""
    if not getattr(actor, "is_authenticated", False):
        return []
    cached = getattr(actor, "_dj_roles", None)
    if cached is None:
        cached = [
            (r.role, r.org.path, r.org_id)
            for r in actor.roles.select_related("org").filter(role__in=ORG_ROLES, org__is_active=True)
        ]
        actor._dj_roles = cached
    return cached


def is_global(actor) -> bool:
    return bool(getattr(actor, "is_superuser", False) and actor.is_active)


def scope_paths(actor, perm: str | None = None) -> list[str] | None:
    """Paths of the subtrees the actor may act in (None = everything, for superusers)."""
    if is_global(actor):
        return None
    return [path for role, path, _ in _roles(actor) if perm is None or role_allows(role, perm)]


def scope_q(actor, *, field: str = "path", perm: str | None = None) -> Q:
    """Q restricting `field` (an org path, e.g. "org__path") to the actor's scope."""
    paths = scope_paths(actor, perm)
    if paths is None:
        return Q()
    return subtrees_q(paths, field=field)


def orgs_visible(actor) -> QuerySet[Org]:
    return Org.objects.filter(scope_q(actor))


def as_id(value) -> int:
    """An id from a URL or a form; a malformed one is a row that does not exist (404)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404


def org_get_visible(*, actor, org_id) -> Org:
    """The org if the actor may see it; otherwise 404 (never a 403 that confirms it exists)."""
    org_id = as_id(org_id)
    org = Org.objects.filter(scope_q(actor), id=org_id).first()
    if org is None:
        raise Http404
    return org


def in_scope(actor, org: Org, perm: str | None = None) -> bool:
    paths = scope_paths(actor, perm)
    if paths is None:
        return True
    return any(org.path.startswith(p) for p in paths)


def can(actor, perm: str, org: Org) -> bool:
    return in_scope(actor, org, perm)


def require(actor, perm: str, org: Org) -> None:
    """404 outside scope, 403 inside scope without the right."""
    if not in_scope(actor, org):
        raise Http404
    if not can(actor, perm, org):
        raise PermissionDenied("您没有执行此操作的权限")


def scoped_get(qs: QuerySet, *, actor, pk, perm: str, org_field: str = "org"):
    """The row `pk` of qs whose org (reached through `org_field`, e.g. "meeting__org") is in the actor's
    scope, requiring `perm` there: 404 for a malformed id or a row outside the scope (its existence is not
    disclosed), 403 inside the scope without the right."""
    pk = as_id(pk)
    obj = qs.filter(scope_q(actor, field=f"{org_field}__path"), id=pk).first()
    if obj is None:
        raise Http404
    org = obj
    for name in org_field.split("__"):
        org = getattr(org, name)
    require(actor, perm, org)
    return obj


def has_any(actor, perm: str) -> bool:
    """Whether the actor holds perm anywhere (used for menus)."""
    paths = scope_paths(actor, perm)
    return paths is None or bool(paths)


def home_org(actor) -> Org | None:
    """The highest org the actor sees: the default of the org picker."""
    if is_global(actor):
        return Org.get_first_root_node()
    roles = sorted(_roles(actor), key=lambda r: (len(r[1]), r[1]))
    if not roles:
        return None
    return Org.objects.filter(id=roles[0][2]).first()
