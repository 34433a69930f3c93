from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import org_get_visible

from .shell import current_org


def favicon(request):
    """The party-emblem icon of the portal, for browsers that ask /favicon.ico (pages without an icon link)."""
    return redirect(static("portal/icon.svg"))


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "detail": "数据库不可用"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    org = current_org(request)
    if org is None:
        # A member with self-service only has no org pages: send them to their own portal page.
        from django.urls import NoReverseMatch, reverse

        try:
            return redirect(reverse("members:me"))
        except NoReverseMatch:
            return render(request, "core/no_scope.html")
    from .dashboard import home_summary

    return render(request, "core/home.html", {"org": org, "summary": home_summary(actor=request.user, org=org)})


@login_required
@require_POST
def pick_org(request):
    try:
        org = org_get_visible(actor=request.user, org_id=request.POST.get("org_id"))
    except Http404:
        raise
    request.session["org_id"] = org.id
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return redirect(nxt)
