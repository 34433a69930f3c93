from django.conf import settings

from dangjian.accounts.scope import home_org

from .shell import current_org, menu_for


def shell(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"DEMO": settings.DEMO}
    org = current_org(request)
    top = home_org(request.user)
    return {"DEMO": settings.DEMO, "current_org": org, "menu": menu_for(request), "scope_top": top}
