from django.apps import apps
from django.conf import settings

from dangjian.accounts.scope import home_org

from .shell import current_org, menu_for


def shell(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"DEMO": settings.DEMO}
    org = current_org(request)
    top = home_org(request.user)
    unread = 0
    if apps.is_installed("dangjian.notify"):
        from dangjian.notify.services import unread_count

        unread = unread_count(actor=request.user)
    return {"DEMO": settings.DEMO, "current_org": org, "menu": menu_for(request), "scope_top": top, "unread": unread}
