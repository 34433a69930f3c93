"""The page shell: the current org (org picker) and the left menu built from each app's `menu`."""
from django.apps import apps
from django.urls import NoReverseMatch, reverse

from dangjian.accounts.scope import home_org, in_scope, has_any
from dangjian.orgs.models import Org


def current_org(request) -> Org | None:
    """The org chosen in the picker, if still in scope; else the actor's highest org."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = getattr(request, "_dj_current_org", None)
    if cached is not None:
        return cached
    org = None
    org_id = request.session.get("org_id")
    if org_id:
        org = Org.objects.filter(id=org_id).first()
        if org is not None and not in_scope(user, org):
            org = None
    if org is None:
        org = home_org(user)
    request._dj_current_org = org
    return org


def redirect_to_current_org(request, url_name: str, perm: str):
    """An area's index page: its page for the org chosen in the picker (404 without the right)."""
    from django.http import Http404
    from django.shortcuts import redirect

    from dangjian.accounts.scope import can

    org = current_org(request)
    if org is None or not can(request.user, perm, org):
        raise Http404
    return redirect(url_name, org_id=org.id)


def menu_for(request) -> list[dict]:
    items = []
    for config in apps.get_app_configs():
        for label, url_name, icon, perm in getattr(config, "menu", []):
            if perm and not has_any(request.user, perm):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "icon": icon,
                          "active": request.path.startswith(url) and url != "/"})
    return items
