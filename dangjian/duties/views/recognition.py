from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, require
from dangjian.core.files import file_response
from dangjian.core.pagination import page_of
from dangjian.orgs.models import Org

from .. import rules, selectors, services
from ..forms import BrandForm, DecideForm, HonorForm, RateForm, StepForm, WorkRecordForm
from ..models import Honor, Rating
from ..services.common import require_above
from .common import int_param, need, page_org, post_action, query_without_page, run_form
from .pledges import _invalid


def _may_rate(actor, org) -> bool:
    try:
        require_above(actor, org, "duties.edit", message="")
    except (Http404, PermissionDenied):
        return False
    return True


# --- 服务品牌 ---------------------------------------------------------------------------------

@login_required
def brands(request):
    need(request)
    org = page_org(request)
    rating = request.GET.get("rating")
    rating = rating if rating in Rating.values else None
    q = request.GET.get("q", "").strip()[:50]
    page = page_of(selectors.brand_list(actor=request.user, org=org, rating=rating, q=q), request)
    return render(request, "duties/brands.html", {
        "org": org, "page": page, "rating": rating, "ratings": Rating.choices, "q": q,
        "query": query_without_page(request), "coverage": selectors.brand_coverage(actor=request.user, org=org),
        "can_create": can(request.user, "duties.edit", org)})


@login_required
def brand_create(request):
    need(request)
    org = page_org(request)
    require(request.user, "duties.edit", org)
    form = BrandForm(request.POST or None, request.FILES or None)
    return run_form(request, form, lambda d: services.brand_create(actor=request.user, org=org, **d),
                    success="服务品牌已创建", redirect_to=lambda b: reverse("duties:brand_detail", args=[b.id]),
                    context={"title": f"{org.name} · 创建党建服务品牌", "back": reverse("duties:brands")})


@login_required
def brand_detail(request, brand_id: int):
    brand = selectors.brand_get(actor=request.user, brand_id=brand_id)
    return render(request, "duties/brand_detail.html", {
        "brand": brand, "can_rate": _may_rate(request.user, brand.org),
        "form": RateForm(initial={"rating": brand.rating})})


@login_required
@require_POST
def brand_rate(request, brand_id: int):
    brand = selectors.brand_get(actor=request.user, brand_id=brand_id)
    return post_action(request, lambda: services.brand_rate(actor=request.user, brand=brand,
                                                            rating=request.POST.get("rating", "")),
                       success="评定结果已保存", back=reverse("duties:brand_detail", args=[brand.id]))


# --- 表彰 / 榜样 -----------------------------------------------------------------------------

@login_required
def honors(request):
    need(request)
    org = page_org(request)
    state = request.GET.get("state", "") if request.GET.get("state") in Honor.State.values else ""
    year = int_param(request, "year", low=2000)
    page = page_of(selectors.honor_list(actor=request.user, org=org, state=state, year=year), request)
    return render(request, "duties/honors.html", {
        "org": org, "page": page, "state": state, "states": Honor.State.choices, "year": year,
        "query": query_without_page(request), "can_create": can(request.user, "duties.edit", org)})


@login_required
def honor_create(request):
    from dangjian.members.selectors import members_on_rolls

    need(request)
    org = page_org(request)
    require(request.user, "duties.edit", org)
    members = members_on_rolls(org).select_related("org").order_by("org__path", "name")[:1000]
    form = HonorForm(request.POST or None, request.FILES or None, members=members)

    def action(d):
        d = dict(d)
        member_id = d.pop("member_id", None)
        member = members_on_rolls(org).filter(pk=member_id).first() if member_id else None
        return services.honor_nominate(actor=request.user, org=member.org if member else org, member=member, **d)

    return run_form(request, form, action, success="已提交推荐",
                    redirect_to=lambda h: reverse("duties:honor_detail", args=[h.id]),
                    context={"title": f"{org.name} · 推荐表彰", "back": reverse("duties:honors"),
                             "award_suggestions": rules.AWARD_SUGGESTIONS})


@login_required
def honor_detail(request, honor_id: int):
    honor = selectors.honor_get(actor=request.user, honor_id=honor_id)
    return render(request, "duties/honor_detail.html", {
        "honor": honor, "can_decide": honor.state == "nominated" and _may_rate(request.user, honor.org),
        "form": DecideForm()})


@login_required
@require_POST
def honor_decide(request, honor_id: int):
    honor = selectors.honor_get(actor=request.user, honor_id=honor_id)
    form = DecideForm(request.POST)
    back = reverse("duties:honor_detail", args=[honor.id])
    if not form.is_valid():
        return post_action(request, lambda: _invalid(form), success="", back=back)
    return post_action(request, lambda: services.honor_decide(actor=request.user, honor=honor, **form.cleaned_data),
                       success="审批结果已保存", back=back)


def showcase(request):
    """The public 榜样的力量 page (no login): approved honors chosen for display."""
    root = None
    if request.GET.get("root"):
        root = Org.objects.filter(pk=int_param(request, "root", high=2 ** 62) or 0, is_active=True).first()
    award = request.GET.get("award", "").strip()[:50]
    page = page_of(selectors.showcase_list(root=root, award=award), request, per_page=24)
    return render(request, "duties/showcase.html", {"page": page, "award": award, "root": root,
                                                    "awards": rules.AWARD_SUGGESTIONS,
                                                    "query": query_without_page(request)})


# --- Photos: never a public /media/ URL; downloads with nosniff and a sandbox CSP (core.files) ---------

@login_required
def brand_photo(request, brand_id: int):
    need(request)
    return file_response(selectors.brand_get(actor=request.user, brand_id=brand_id).photo)


@login_required
def honor_photo(request, honor_id: int):
    need(request)
    return file_response(selectors.honor_get(actor=request.user, honor_id=honor_id).photo)


def public_showcase_photo(request, honor_id: int):
    """The photo of an honor on the public 榜样 page: only approved honors marked public (404 otherwise)."""
    honor = selectors.showcase_list().filter(pk=honor_id).first()
    if honor is None:
        raise Http404
    return file_response(honor.photo)


# --- 支部工作法 ------------------------------------------------------------------------------

@login_required
def work_methods(request):
    need(request)
    org = page_org(request)
    year = int_param(request, "year", low=2000)
    page = page_of(selectors.work_record_list(actor=request.user, org=org, year=year), request)
    methods = selectors.work_methods_for(actor=request.user, org=org)
    return render(request, "duties/work_methods.html", {
        "org": org, "page": page, "year": year, "methods": methods, "query": query_without_page(request),
        "can_create": can(request.user, "duties.edit", org)})


@login_required
def work_record_create(request):
    need(request)
    org = page_org(request)
    require(request.user, "duties.edit", org)
    methods = selectors.work_methods_for(actor=request.user, org=org)
    form = WorkRecordForm(request.POST or None, methods=methods)
    return run_form(request, form, lambda d: services.work_record_create(
        actor=request.user, method=methods.get(pk=d["method_id"]), org=org, title=d["title"], year=d["year"]),
        success="已按工作法建立工作事项", redirect_to=lambda r: reverse("duties:work_record_detail", args=[r.id]),
        context={"title": f"{org.name} · 按支部工作法开展工作", "back": reverse("duties:work_methods")})


@login_required
def work_record_detail(request, record_id: int):
    record = selectors.work_record_get(actor=request.user, record_id=record_id)
    done = {s.step_no: s for s in record.step_records.all()}
    steps = [{"no": n, "name": name, "record": done.get(n)} for n, name in enumerate(record.method.steps, start=1)]
    return render(request, "duties/work_record_detail.html", {
        "record": record, "steps": steps, "editable": can(request.user, "duties.edit", record.org),
        "can_rate": _may_rate(request.user, record.org), "ratings": Rating.choices, "form": StepForm()})


@login_required
@require_POST
def work_record_step(request, record_id: int):
    record = selectors.work_record_get(actor=request.user, record_id=record_id)
    form = StepForm(request.POST)
    back = reverse("duties:work_record_detail", args=[record.id])
    if not form.is_valid():
        return post_action(request, lambda: _invalid(form), success="", back=back)
    return post_action(request, lambda: services.work_step_record(actor=request.user, record=record,
                                                                  **form.cleaned_data),
                       success="步骤记录已保存", back=back)


@login_required
@require_POST
def work_record_rate(request, record_id: int):
    record = selectors.work_record_get(actor=request.user, record_id=record_id)
    if not _may_rate(request.user, record.org):
        raise PermissionDenied("支部工作法须由上级党组织评定")
    return post_action(request, lambda: services.work_record_rate(actor=request.user, record=record,
                                                                  rating=request.POST.get("rating", "")),
                       success="评定结果已保存", back=reverse("duties:work_record_detail", args=[record.id]))
