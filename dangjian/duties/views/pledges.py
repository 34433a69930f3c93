from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, require
from dangjian.core.pagination import page_of
from dangjian.orgs.models import Org

from .. import selectors, services
from ..forms import PledgeIssueForm, PledgeProgressForm, PledgeSignForm
from ..models import PledgeTemplate, ResponsibilityPledge
from .common import int_param, need, page_org, post_action, query_without_page, run_form


@login_required
def pledges(request):
    need(request)
    org = page_org(request)
    year = int_param(request, "year", low=2000)
    state = request.GET.get("state", "") if request.GET.get("state") in ResponsibilityPledge.State.values else ""
    page = page_of(selectors.pledge_list(actor=request.user, org=org, year=year, state=state), request)
    page.object_list = selectors.pledges_with_completion(page.object_list)
    issued = (PledgeTemplate.objects.filter(org=org)
              .annotate(total=Count("pledges"), signed=Count("pledges", filter=Q(pledges__state="signed")))
              .order_by("-year", "-id")[:10])
    return render(request, "duties/pledges.html", {
        "org": org, "page": page, "year": year, "state": state, "states": ResponsibilityPledge.State.choices,
        "issued": issued, "query": query_without_page(request),
        "can_issue": org.kind != Org.Kind.BRANCH and can(request.user, "duties.edit", org)})


@login_required
def pledge_issue(request):
    need(request)
    org = page_org(request)
    require(request.user, "duties.edit", org)
    form = PledgeIssueForm(request.POST or None, children=org.get_children().filter(is_active=True))

    def action(data):
        targets = [int(t) for t in data["targets"]] or None
        return services.pledge_template_issue(actor=request.user, org=org, year=data["year"], title=data["title"],
                                              items=data["items"], target_org_ids=targets)

    return run_form(request, form, action, success="责任书已发放", redirect_to=reverse("duties:pledges"),
                    context={"title": f"{org.name} · 发放党建工作责任书", "back": reverse("duties:pledges"),
                             "intro": "年初向下级党组织颁发责任书，明确全年党建重点任务（三明市直机关工委做法）。"})


@login_required
def pledge_detail(request, pledge_id: int):
    pledge = selectors.pledge_get(actor=request.user, pledge_id=pledge_id)
    editable = can(request.user, "duties.edit", pledge.org)
    return render(request, "duties/pledge_detail.html", {
        "pledge": pledge, "editable": editable, "sign_form": PledgeSignForm(initial={"signer": pledge.org.secretary}),
        "progress_form": PledgeProgressForm()})


@login_required
@require_POST
def pledge_sign(request, pledge_id: int):
    pledge = selectors.pledge_get(actor=request.user, pledge_id=pledge_id)
    form = PledgeSignForm(request.POST)
    back = reverse("duties:pledge_detail", args=[pledge.id])
    if not form.is_valid():
        return post_action(request, lambda: _invalid(form), success="", back=back)
    return post_action(request, lambda: services.pledge_sign(actor=request.user, pledge=pledge, **form.cleaned_data),
                       success="责任书已签订", back=back)


@login_required
@require_POST
def pledge_progress(request, pledge_id: int):
    pledge = selectors.pledge_get(actor=request.user, pledge_id=pledge_id)
    form = PledgeProgressForm(request.POST)
    back = reverse("duties:pledge_detail", args=[pledge.id])
    if not form.is_valid():
        return post_action(request, lambda: _invalid(form), success="", back=back)
    return post_action(request, lambda: services.pledge_progress_update(actor=request.user, pledge=pledge,
                                                                        **form.cleaned_data),
                       success="进度已更新", back=back)


def _invalid(form):
    from dangjian.core.errors import DomainError

    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    raise DomainError(f"{label or '输入'}：{errors[0]}")


@login_required
def index(request):
    return redirect("duties:pledges")
