"""Residents' pages without login: the public form (honeypot, per-IP hourly limit) and the status lookup."""
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.middleware import client_ip_of

from . import public
from .forms import PublicPetitionForm


@require_http_methods(["GET", "POST"])
def public_form(request):
    queues = list(public.public_queues()[:300])
    initial = {"org_id": request.GET.get("org"), "kind": request.GET.get("kind", "demand")}
    form = PublicPetitionForm(request.POST or None, queues=queues, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                p = public.submit(ip=client_ip_of(request), org_id=data["org_id"], honeypot=data["website"], data={
                    "kind": data["kind"], "category": data["category"], "title": data["title"],
                    "content": data["content"], "submitter_name": data["name"], "submitter_phone": data["phone"],
                    "anonymous": data["anonymous"], "allow_public": data["allow_public"]})
            except Http404:
                form.add_error("org_id", "请选择要反映到的社区或党委")
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                return render(request, "petitions/public_done.html",
                              {"p": p, "code": public.format_code(p.tracking_code)})
    return render(request, "petitions/public_form.html", {"form": form}, status=status)


def track(request):
    code = request.GET.get("code", "").strip()[:40]
    if not code:
        return render(request, "petitions/track.html", {"code": ""})
    try:
        status = public.track(ip=client_ip_of(request), code=code)
    except Http404:
        return render(request, "petitions/track.html", {"code": code, "missing": True}, status=404)
    except DomainError as exc:
        return render(request, "petitions/track.html", {"code": code, "error": exc.detail}, status=exc.status)
    return render(request, "petitions/track.html", {"code": code, "s": status,
                                                    "pretty": public.format_code(status["tracking_code"])})
