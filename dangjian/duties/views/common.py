"""Helpers shared by the duties pages."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.scope import has_any, org_get_visible
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.shell import current_org


def need(request, perm: str = "duties.view") -> None:
    """Pages of the area exist only for actors holding its right somewhere (404 otherwise)."""
    if not has_any(request.user, perm):
        raise Http404


def page_org(request):
    """?org= (in scope) or the org chosen in the picker."""
    if request.GET.get("org"):
        return org_get_visible(actor=request.user, org_id=request.GET["org"])
    org = current_org(request)
    if org is None:
        raise Http404
    return org


def int_param(request, name: str, *, low: int = 1, high: int = 2999) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def this_year() -> int:
    return timezone.localdate().year


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def run_form(request, form, action, *, success: str, redirect_to, template="duties/form.html", context=None,
             refused_status: int = 400):
    """POST: validate, call the service, show its refusal on the form with `refused_status` (400, as every other
    form of the site, so a client can tell nothing was saved); GET: show the form."""
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return render(request, template, {"form": form, **(context or {})},
                  status=refused_status if request.method == "POST" else 200)


def post_action(request, action, *, success: str, back: str):
    """A small POST form on a detail page: messages carry the outcome, then back to the page."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, success)
    return redirect(back)
