"""Helpers shared by the volunteer pages."""
from django.http import Http404

from dangjian.accounts.scope import require, scope_q
from dangjian.core.shell import current_org
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

CHOICES_MAX = 500


def staff_org(request, perm: str = "volunteers.view") -> Org:
    """The current org of the picker for staff pages (404 for someone without an org scope)."""
    org = current_org(request)
    if org is None:
        raise Http404
    require(request.user, perm, org)
    return org


def editable_orgs(request, org: Org):
    """Orgs under the current one where the actor may edit volunteer data (for form choices)."""
    return (Org.objects.filter(scope_q(request.user, perm="volunteers.edit")).filter(subtree_q(org.path))
            .order_by("path")[:CHOICES_MAX])


def query_string(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()
