"""Pages of 矛盾纠纷调解: the register, entry, follow-up and the written agreement as a PDF."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.files import pdf_response

from . import selectors, services
from .forms import MediationForm
from .models import Mediation
from .views import scoped_org


@login_required
def mediations(request):
    org = scoped_org(request)
    outcome = request.GET.get("outcome", "")
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    qs = selectors.mediation_list(actor=request.user, org=org, outcome=outcome, year=year)
    totals = qs.aggregate(n=Count("id"), oral=Count("id", filter=Q(outcome="oral")),
                          written=Count("id", filter=Q(outcome="written")), people=Sum("people_involved"),
                          amount=Sum("amount"))
    query = "&".join(f"{k}={request.GET[k]}" for k in ("outcome", "year") if request.GET.get(k))
    return render(request, "petitions/mediations.html", {
        "org": org, "page": page_of(qs, request), "totals": totals, "outcome": outcome, "year": year or "",
        "outcomes": Mediation.Outcome.choices, "query": query, "can_edit": can(request.user, "petitions.edit", org)})


@login_required
def mediation_create(request):
    org = scoped_org(request, "petitions.edit")
    form = MediationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.mediation_create(actor=request.user, org=org, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "调解记录已登记")
            return redirect("petitions:mediation", mediation_id=m.id)
    return render(request, "petitions/form.html", {"form": form, "title": f"登记矛盾纠纷调解（{org.name}）",
                                                   "back": "petitions:mediations"}, status=400 if form.errors else 200)


@login_required
def mediation_detail(request, mediation_id: int):
    m = selectors.mediation_get(actor=request.user, mediation_id=mediation_id)
    return render(request, "petitions/mediation_detail.html",
                  {"m": m, "can_edit": can(request.user, "petitions.edit", m.org), "today": timezone.localdate()})


@login_required
@require_POST
def mediation_follow_up(request, mediation_id: int):
    m = selectors.mediation_get(actor=request.user, mediation_id=mediation_id)
    try:
        day = parse_date(request.POST.get("follow_up_on") or "") or timezone.localdate()
    except ValueError:
        day = None
    try:
        if day is None:
            raise DomainError("回访日期格式不正确")
        services.mediation_follow_up(actor=request.user, mediation=m, follow_up_on=day,
                                     note=request.POST.get("note", ""))
        messages.success(request, "回访情况已记录")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("petitions:mediation", mediation_id=m.id)


@login_required
def mediation_pdf(request, mediation_id: int):
    """人民调解协议书 for a written agreement (WeasyPrint, Debian CJK fonts: DESIGN stack)."""
    m = selectors.mediation_get(actor=request.user, mediation_id=mediation_id)
    if m.outcome != Mediation.Outcome.WRITTEN:
        raise Http404
    response = pdf_response(render_to_string("petitions/mediation_pdf.html", {"m": m}), request=request,
                            filename=f"调解协议书-{m.id}.pdf")
    audit(actor=request.user, verb="mediation.pdf", target=m, org=m.org)
    return response
