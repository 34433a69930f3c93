"""Pages of the ledger side: ranking, ledgers, a member's points, the approval queue, exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, org_get_visible, require
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.files import file_response
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.core.xlsx import build_workbook, xlsx_response
from dangjian.orgs.models import Org

from . import ranking, rules, selectors, services
from .forms import EntryForm, period_choices
from .models import Category, PointEntry, PointRule

EXPORT_MAX_ROWS = 50_000


def org_from(request, key: str = "org") -> Org:
    """?org= when given (404 outside scope), else the org chosen in the picker."""
    org_id = request.GET.get(key) or request.POST.get(key)
    if org_id:
        return org_get_visible(actor=request.user, org_id=org_id)
    org = current_org(request)
    if org is None:
        raise Http404
    return org


def bad_request(request, detail: str):
    return render(request, "points/error.html", {"detail": detail}, status=400)


def period_from(request, scheme) -> rules.Period:
    """?period= (DomainError on junk), else the scheme's current period."""
    text = request.GET.get("period", "").strip()
    if not text:
        return rules.period_of(selectors.today(), scheme.period_kind)
    return selectors.parse_period_or_400(text)


def safe_next(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or default
    return nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else default


def reversed_ids(entries) -> set[int]:
    return set(PointEntry.objects.filter(reverses__in=[e.id for e in entries]).values_list("reverses_id", flat=True))


@login_required
def index(request):
    return redirect("points:ranking")


@login_required
def ranking_view(request):
    try:
        org = org_from(request)
        require(request.user, "points.view", org)
        scheme = selectors.scheme_for(org)
        period = period_from(request, scheme)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    default_level = "member" if org.kind == Org.Kind.BRANCH else "branch"
    level = request.GET.get("level") or default_level
    if level not in ranking.LEVELS or (level != "member" and org.kind == Org.Kind.BRANCH):
        return bad_request(request, "排名层级应为党员、党支部或党委")
    page = None
    if level == "member":
        page = page_of(ranking.member_ranking(org, period, scheme), request, per_page=50)
        rows = [ranking.member_row(m, scheme) for m in page]
    else:
        rows = ranking.org_ranking(org, period, scheme, level)
    top = rows[:30] if page is None or page.number == 1 else [
        ranking.member_row(m, scheme) for m in ranking.member_ranking(org, period, scheme)[:30]]
    chart = [{"name": r["name"], "score": str(r["score"])} for r in top]
    query = urlencode({"org": org.id, "period": period.label, "level": level})
    periods = period_choices(scheme.period_kind, selectors.today())
    if period.label not in dict(periods):
        periods.insert(0, (period.label, f"{period.display}（{period.label}）"))
    return render(request, "points/ranking.html", {
        "org": org, "scheme": scheme, "period": period, "level": level, "rows": rows, "page": page,
        "query": query, "chart": chart, "chart_height": max(260, 24 * len(chart)),
        "formula": selectors.formula_text(scheme), "periods": periods, "stars": scheme.stars(),
        "levels": [("member", "党员")] + ([] if org.kind == Org.Kind.BRANCH else
                                         [("branch", "党支部"), ("village", "村党支部"),
                                          ("committee", "党委（总支）")]),
    })


def _filters(request) -> selectors.EntryFilters:
    period = request.GET.get("period", "").strip()
    member_id = request.GET.get("member", "")
    return selectors.EntryFilters(
        period=selectors.parse_period_or_400(period) if period else None, status=request.GET.get("status", ""),
        source=request.GET.get("source", ""), category=request.GET.get("category", ""),
        member_id=int(member_id) if member_id.isdigit() else None, q=request.GET.get("q", "").strip()[:50])


@login_required
def ledger_view(request):
    try:
        org = org_from(request)
        filters = _filters(request)
        org, qs = selectors.ledger(actor=request.user, org_id=org.id, filters=filters)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    page = page_of(qs, request, per_page=50)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    params["org"] = org.id
    scheme = selectors.scheme_for(org)
    return render(request, "points/ledger.html", {
        "org": org, "page": page, "query": urlencode(params), "f": request.GET, "reversed": reversed_ids(page),
        "statuses": PointEntry.Status.choices, "sources": PointEntry.Source.choices + [("reversal", "冲正")],
        "categories": Category.choices, "periods": period_choices(scheme.period_kind, selectors.today()),
        "can_export": can(request.user, "points.export", org), "can_edit": can(request.user, "points.edit", org),
        "org_entry_versions": [v for v in selectors.catalog_for(org) if v.rule.subject == PointRule.Subject.ORG]
        if can(request.user, "points.edit", org) else [],
    })


@login_required
def ledger_export(request):
    try:
        org = org_from(request)
        org, qs = selectors.ledger(actor=request.user, org_id=org.id, filters=_filters(request), perm="points.export")
    except DomainError as exc:
        return bad_request(request, exc.detail)
    total = qs.count()
    if total > EXPORT_MAX_ROWS:
        return bad_request(request, f"共 {total} 条，超过单次导出上限 {EXPORT_MAX_ROWS} 条，请按考评周期筛选后导出")
    rows = ([e.occurred_on, e.period, e.member.name if e.member_id else "（组织）", e.member.org.name if e.member_id
             else e.org.name, e.rule_code, e.rule_version.name, e.rule_version.version, e.get_category_display(),
             e.points, "冲正" if e.reverses_id else e.get_source_display(), e.get_status_display(), e.note, e.reason,
             e.created_by_name, e.decided_by_name]
            for e in qs.iterator(chunk_size=2000))
    wb = build_workbook(title=f"{org.name} 党员积分台账", headers=[
        "发生日期", "考评周期", "党员", "所在组织", "标准编码", "积分标准", "版本", "类别", "分值", "来源", "状态", "事由",
        "冲正原因", "录入人", "审核人"], rows=rows, widths=[12, 10, 10, 20, 10, 24, 6, 10, 8, 10, 8, 30, 20, 10, 10],
        sheet_title="积分台账")
    with transaction.atomic():
        audit(actor=request.user, verb="points.export", org=org, target=org,
              after={"rows": total, "filters": {k: v for k, v in request.GET.items() if v}})
    return xlsx_response(wb, f"{org.name}积分台账.xlsx")


@login_required
def member_view(request, member_id: int):
    try:
        scheme_member = selectors.member_get(actor=request.user, member_id=member_id)
        period = period_from(request, selectors.scheme_for(scheme_member.org))
    except DomainError as exc:
        return bad_request(request, exc.detail)
    data = selectors.member_points(actor=request.user, member_id=member_id, period=period)
    member = data["member"]
    can_edit = can(request.user, "points.edit", member.org)
    versions = [v for v in selectors.catalog_for(member.org) if v.rule.subject == PointRule.Subject.MEMBER]
    form = EntryForm(request.POST or None, request.FILES or None, versions=versions,
                     initial={"occurred_on": selectors.today()})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                entry = services.entry_create(actor=request.user, member=member, evidence=form.cleaned_data["evidence"],
                                              rule_code=form.cleaned_data["rule_code"],
                                              occurred_on=form.cleaned_data["occurred_on"],
                                              note=form.cleaned_data["note"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已记录：{entry.rule_version.name} {entry.points:+}"
                                          f"（{entry.get_status_display()}）")
                return redirect(f"{reverse('points:member', args=[member.id])}?period={entry.period}")
        status = 400
    entries = list(data["entries"])
    return render(request, "points/member.html", {
        **data, "entries": entries, "reversed": reversed_ids(entries), "can_edit": can_edit, "form": form,
        "formula": selectors.formula_text(data["scheme"]),
        "periods": period_choices(data["scheme"].period_kind, selectors.today()),
    }, status=status)


@login_required
def queue_view(request):
    org = org_from(request)
    org, qs = selectors.pending_queue(actor=request.user, org_id=org.id)
    page = page_of(qs, request, per_page=50)
    return render(request, "points/queue.html", {"org": org, "page": page, "query": urlencode({"org": org.id})})


def _entry_action(request, point_entry_id: int, action: str):
    entry = selectors.entry_get(actor=request.user, entry_id=point_entry_id)
    default = reverse("points:member", args=[entry.member_id]) if entry.member_id else reverse("points:ledger")
    error = ""
    try:
        if action == "reverse":
            services.entry_reverse(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
            done = "已冲正"
        else:
            note = request.POST.get("note", "")
            fn = services.entry_approve if action == "approve" else services.entry_reject
            fn(actor=request.user, entry=entry, note=note)
            done = "已通过" if action == "approve" else "已驳回"
    except DomainError as exc:
        error = exc.detail
    if request.htmx:  # the queue swaps the row in place (htmx does not swap 4xx bodies, so 200 with the error)
        entry.refresh_from_db()
        return render(request, "points/_partials/queue_row.html", {"e": entry, "error": error})
    if error:
        return bad_request(request, error)
    messages.success(request, done)
    return redirect(safe_next(request, default))


@login_required
@require_POST
def entry_approve(request, point_entry_id: int):
    return _entry_action(request, point_entry_id, "approve")


@login_required
@require_POST
def entry_reject(request, point_entry_id: int):
    return _entry_action(request, point_entry_id, "reject")


@login_required
@require_POST
def entry_reverse(request, point_entry_id: int):
    return _entry_action(request, point_entry_id, "reverse")


@login_required
@require_POST
def org_entry(request):
    """A deduction or reward to a branch itself (org-subject rules), from the ledger page."""
    org = org_from(request)
    form = EntryForm(request.POST, versions=[v for v in selectors.catalog_for(org)
                                             if v.rule.subject == PointRule.Subject.ORG])
    back = f"{reverse('points:ledger')}?org={org.id}"
    if not form.is_valid():
        messages.error(request, "请选择积分标准并填写发生日期")
        return redirect(back)
    try:
        entry = services.entry_create(actor=request.user, org=org, rule_code=form.cleaned_data["rule_code"],
                                      occurred_on=form.cleaned_data["occurred_on"], note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"已为{org.name}记录：{entry.rule_version.name} {entry.points:+}")
    return redirect(back)


@login_required
def evidence(request, point_entry_id: int):
    """The evidence file, to those who may see the entry (never a public /media/ URL): a download with nosniff and
    a sandbox CSP (core.files)."""
    entry = selectors.entry_get(actor=request.user, entry_id=point_entry_id)
    return file_response(entry.evidence)
