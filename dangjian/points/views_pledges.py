"""Pages of 三亮一评 (pledges, 群众评议) and of 预警 → 处置: thin — parse, call one service or selector, render."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.members.models import Disposal
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org

from . import rules, selectors, services
from .forms import AssessForm, DisposeForm, HandleForm, PledgeForm, RatingForm, finished_period_choices, period_choices
from .models import Pledge, PointWarning, PublicRating
from .selectors_pledges import pledge_board, pledge_get, pledges_for, rating_list
from .selectors_warnings import warning_get, warning_list
from .services_warnings import DISPOSAL_KINDS
from .views import bad_request, org_from


def _year(request) -> int:
    text = (request.GET.get("year") or "").strip()
    if not text:
        return selectors.today().year
    if not text.isdigit() or rules.pledge_year_problem(year=int(text), today=selectors.today()):
        raise DomainError(f"年度不正确：{text[:10]}")
    return int(text)


def _branch_members(org: Org, can_edit: bool):
    """The members a form may pick: only on a branch's page (a township has too many for one list)."""
    if not can_edit or org.kind != Org.Kind.BRANCH:
        return []
    return list(members_on_rolls(org).only("id", "name", "name_pinyin").order_by("name_pinyin", "id"))


@login_required
def pledges_view(request):
    """三亮一评 board: every member on the rolls with their pledge of the year; the branch records pledges."""
    try:
        org = org_from(request)
        year = _year(request)
        org, members = pledge_board(actor=request.user, org_id=org.id)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    can_edit = can(request.user, "points.edit", org)
    choices = _branch_members(org, can_edit)
    form = None
    status = 200
    if choices:
        form = PledgeForm(request.POST or None, members=choices, initial={"year": year})
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            member = next(m for m in choices if str(m.id) == form.cleaned_data["member"])
            try:
                services.pledge_save(actor=request.user, member=member, year=form.cleaned_data["year"],
                                     data={k: form.cleaned_data[k] for k in ("identity", "text", "standard")})
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已保存 {member.name} {form.cleaned_data['year']} 年的承诺")
                return redirect(f"{reverse('points:pledges')}?{urlencode({'org': org.id, 'year': year})}")
        status = 400
    page = page_of(members, request, per_page=50)
    mine = pledges_for(page, year)
    rows = [{"member": m, "pledge": mine.get(m.id)} for m in page]
    made = Pledge.objects.filter(member__in=members.values("id"), year=year)
    return render(request, "points/pledges.html", {
        "org": org, "year": year, "rows": rows, "page": page, "form": form, "can_edit": can_edit,
        "query": urlencode({"org": org.id, "year": year}), "total": page.paginator.count, "made": made.count(),
        "fulfilled": made.filter(fulfilment=Pledge.Fulfilment.FULFILLED).count(),
        "years": list(range(selectors.today().year + 1, selectors.today().year - 4, -1)),
    }, status=status)


@login_required
def pledge_view(request, pledge_id: int):
    pledge = pledge_get(actor=request.user, pledge_id=pledge_id)
    can_edit = can(request.user, "points.edit", pledge.org)
    form = AssessForm(request.POST or None, initial={
        "fulfilment": pledge.fulfilment or Pledge.Fulfilment.FULFILLED, "result": pledge.result,
        "assessed_on": pledge.assessed_on or selectors.today()})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.pledge_assess(actor=request.user, pledge=pledge, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已评定践诺情况")
                return redirect("points:pledge", pledge_id=pledge.id)
        status = 400
    ratings = PublicRating.objects.filter(member=pledge.member, rated_on__year=pledge.year).select_related("entry")
    return render(request, "points/pledge.html", {"pledge": pledge, "org": pledge.org, "form": form,
                                                  "can_edit": can_edit, "ratings": ratings}, status=status)


@login_required
def ratings_view(request):
    """群众评议: the tallies recorded for a period, and the form to record one (on a branch's page)."""
    try:
        org = org_from(request)
        scheme = selectors.scheme_for(org)
        text = request.GET.get("period", "").strip()
        period = selectors.parse_period_or_400(text) if text else rules.period_of(selectors.today(),
                                                                                   scheme.period_kind)
        org, qs = rating_list(actor=request.user, org_id=org.id, period=period)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    can_edit = can(request.user, "points.edit", org)
    choices = _branch_members(org, can_edit)
    form = RatingForm(request.POST or None, members=choices, initial={"rated_on": selectors.today()}) if choices \
        else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            member = next(m for m in choices if str(m.id) == d["member"])
            try:
                r = services.rating_record(actor=request.user, member=member, rated_on=d["rated_on"],
                                           satisfied=d["satisfied"], basically_satisfied=d["basically_satisfied"],
                                           unsatisfied=d["unsatisfied"], note=d["note"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已记录 {member.name} 群众评议：{r.get_grade_display()}（满意度 {r.score}），"
                                          f"{r.points_note}")
                return redirect(f"{reverse('points:ratings')}?{urlencode({'org': org.id, 'period': r.period})}")
        status = 400
    page = page_of(qs, request, per_page=50)
    periods = period_choices(scheme.period_kind, selectors.today())
    return render(request, "points/ratings.html", {
        "org": org, "period": period, "page": page, "form": form, "can_edit": can_edit, "periods": periods,
        "query": urlencode({"org": org.id, "period": period.label}), "grades": rules.RATING_GRADES,
        "codes": rules.RATING_RULE_CODES, "grade_labels": dict(PublicRating.Grade.choices),
    }, status=status)


@login_required
def warnings_view(request):
    """预警名单 of an ended period; the secretary draws it (again) and handles each warning."""
    try:
        org = org_from(request)
        scheme = selectors.scheme_for(org)
        periods = finished_period_choices(scheme.period_kind, selectors.today())
        text = (request.POST.get("period") or request.GET.get("period") or "").strip()
        period = selectors.parse_period_or_400(text) if text else selectors.parse_period_or_400(periods[0][0])
        org, qs = warning_list(actor=request.user, org_id=org.id, period=period,
                               state=request.GET.get("state", ""))
    except DomainError as exc:
        return bad_request(request, exc.detail)
    can_edit = can(request.user, "points.edit", org)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            c = services.warnings_scan(actor=request.user, org=org, period=period.label)
        except DomainError as exc:
            return bad_request(request, exc.detail)
        messages.success(request, f"{c['period']} 预警名单已生成：新增 {c['created']}，更新 {c['updated']}，"
                                  f"解除 {c['cleared']}；已通知党支部书记 {c['notified']} 人次")
        return redirect(f"{reverse('points:warnings')}?{urlencode({'org': org.id, 'period': period.label})}")
    page = page_of(qs, request, per_page=50)
    if period.label not in dict(periods):
        periods.insert(0, (period.label, f"{period.display}（{period.label}）"))
    return render(request, "points/warnings.html", {
        "org": org, "period": period, "page": page, "scheme": scheme, "can_edit": can_edit, "periods": periods,
        "states": PointWarning.State.choices, "state": request.GET.get("state", ""), "grave": rules.GRAVE_DEDUCTION,
        "query": urlencode({"org": org.id, "period": period.label, "state": request.GET.get("state", "")}),
    })


@login_required
def warning_view(request, point_warning_id: int):
    """One warning: the member's index, and the secretary's action — a disposal or a note of the talk."""
    w = warning_get(actor=request.user, warning_id=point_warning_id)
    can_edit = can(request.user, "points.edit", w.member.org)
    kinds = [(k, Disposal.Kind(k).label) for k in DISPOSAL_KINDS]
    suggested = Disposal.Kind.RECTIFY
    form = DisposeForm(request.POST if request.POST.get("action") == "dispose" else None, kinds=kinds, initial={
        "kind": suggested, "decided_on": selectors.today(),
        "reason": f"{w.period} 先锋指数 {w.score} 分，{w.get_level_display()}（分数线 {w.threshold} 分）"})
    handle = HandleForm(request.POST if request.POST.get("action") == "handle" else None)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        target = form if request.POST.get("action") == "dispose" else handle
        if target.is_valid():
            try:
                if target is form:
                    services.warning_dispose(actor=request.user, warning=w, **form.cleaned_data)
                    messages.success(request, "已启动处置，可在党员档案的处置记录中跟进")
                else:
                    services.warning_handle(actor=request.user, warning=w, note=handle.cleaned_data["note"])
                    messages.success(request, "已记录处理情况，预警解除")
            except DomainError as exc:
                apply_domain_error(target, exc)
            else:
                return redirect("points:warning", point_warning_id=w.id)
        status = 400
    return render(request, "points/warning.html", {"w": w, "org": w.org, "form": form, "handle": handle,
                                                   "can_edit": can_edit}, status=status)

