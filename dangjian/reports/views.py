"""Pages of the dashboard, the ledger center and the year-end statistics (thin: parse, call, render)."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from dangjian.accounts.scope import can, org_get_visible, require
from dangjian.core.errors import DomainError
from dangjian.core.shell import current_org
from dangjian.core.xlsx import XLSX_TYPE, xlsx_response
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import org_ancestors
from dangjian.core.files import download_response

from . import ledgers, rules, selectors, selectors_tasks, services, stats
from .models import LedgerJob

PREVIEW_PAGE = 50
CONTENT_TYPES = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


def org_from(request, perm: str = "reports.view") -> Org:
    """?org= when given (404 outside scope or junk), else the org of the picker; then the right."""
    org_id = request.GET.get("org") or request.POST.get("org")
    if org_id:
        org = org_get_visible(actor=request.user, org_id=org_id)
    else:
        org = current_org(request)
        if org is None:
            raise Http404
    require(request.user, perm, org)
    return org


def bad_request(request, detail: str):
    return render(request, "reports/error.html", {"detail": detail}, status=400)


def year_from(request) -> int:
    return rules.parse_year(request.GET.get("year"), default=timezone.localdate().year)


def source_from(request) -> str:
    source = request.GET.get("source") or "auto"
    if source not in selectors.SOURCES:
        raise DomainError("数据来源参数应为 auto、live 或 rollup", field="source")
    return source


def period_from(request):
    text = (request.GET.get("period") or request.POST.get("period") or "").strip()
    return rules.parse_period(text or str(timezone.localdate().year))


def crumbs(request, org: Org, url_name: str, **params) -> list[dict]:
    out = []
    for o in org_ancestors(actor=request.user, org=org) + [org]:
        out.append({"name": o.name, "url": reverse(url_name) + "?" + urlencode({"org": o.id, **params})})
    return out


@login_required
def index(request):
    return redirect("reports:dashboard")


# --- Dashboard -----------------------------------------------------------------------------------------

@login_required
@require_GET
def dashboard(request):
    org = org_from(request)
    try:
        year, source = year_from(request), source_from(request)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    charts = [{"key": k, "title": selectors.CHARTS[k][0],
               "url": reverse("reports:dashboard_data", args=[k]) + "?" + urlencode(
                   {"org": org.id, "year": year, "source": source})}
              for k in selectors.charts_available() if not (k == "members_by_child" and org.kind == Org.Kind.BRANCH)]
    this_year = timezone.localdate().year
    return render(request, "reports/dashboard.html", {
        "org": org, "year": year, "source": source, "charts": charts,
        "years": list(range(this_year, this_year - 6, -1)),
        "crumbs": crumbs(request, org, "reports:dashboard", year=year),
        "drill_base": reverse("reports:dashboard") + "?" + urlencode({"year": year, "source": source}),
    })


@login_required
@require_GET
def dashboard_data(request, chart: str):
    if chart not in selectors.charts_available():
        raise Http404
    org = org_from(request)
    try:
        year, source = year_from(request), source_from(request)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=400)
    data = selectors.chart_data(chart, actor=request.user, org=org, year=year, source=source)
    return JsonResponse({"key": chart, "title": selectors.CHARTS[chart][0], "org_id": org.id, "data": data})


# --- Ledgers -------------------------------------------------------------------------------------------

def _ledger_rows(request, org: Org, period) -> list[dict]:
    out = []
    for ledger in ledgers.available():
        if not can(request.user, ledger.perm, org):
            continue
        out.append({"ledger": ledger, "count": ledger.count(org, period),
                    "period_label": ledgers.period_label(ledger, period)})
    return out


@login_required
@require_GET
def ledger_list(request):
    org = org_from(request)
    try:
        period = period_from(request)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    return render(request, "reports/ledgers.html", {
        "org": org, "period": period, "rows": _ledger_rows(request, org, period),
        "can_export": can(request.user, "reports.export", org), "sync_max": services.SYNC_MAX_ROWS,
        "jobs": selectors_tasks.ledger_jobs_recent(actor=request.user, org=org),
        "crumbs": crumbs(request, org, "reports:ledgers", period=period.code)})


@login_required
@require_GET
def ledger_preview(request, key: str):
    org = org_from(request)
    ledger = ledgers.get(key)
    if ledger is None:
        raise Http404
    require(request.user, ledger.perm, org)
    try:
        period = period_from(request)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    count = ledger.count(org, period)
    pages = max(1, (count + PREVIEW_PAGE - 1) // PREVIEW_PAGE)
    try:
        page = min(pages, max(1, int(request.GET.get("page") or 1)))
    except ValueError:
        page = 1
    rows = list(ledger.rows(org, period, request.user, offset=(page - 1) * PREVIEW_PAGE, limit=PREVIEW_PAGE))
    return render(request, "reports/ledger_preview.html", {
        "org": org, "period": period, "ledger": ledger, "rows": rows, "count": count, "page": page, "pages": pages,
        "period_label": ledgers.period_label(ledger, period), "can_export": can(request.user, "reports.export", org),
        "query": urlencode({"org": org.id, "period": period.code})})


@login_required
@require_POST
def ledger_export(request, key: str):
    org = org_from(request, perm="reports.export")
    try:
        period = period_from(request)
        kind, result = services.ledger_export(actor=request.user, org=org, key=key, period=period,
                                              fmt=request.POST.get("format", ""))
    except DomainError as exc:
        return bad_request(request, exc.detail)
    if kind == "job":
        return redirect("reports:ledger_job", ledger_job_id=result.pk)
    content, filename = result
    fmt = filename.rsplit(".", 1)[1]
    return download_response(content, filename=filename, content_type=CONTENT_TYPES[fmt])


@login_required
@require_GET
def ledger_job(request, ledger_job_id: int):
    job = selectors_tasks.ledger_job_get(actor=request.user, job_id=ledger_job_id)
    ledger = ledgers.get(job.ledger)
    return render(request, "reports/ledger_job.html", {"job": job, "ledger": ledger})


@login_required
@require_GET
def ledger_job_progress(request, ledger_job_id: int):
    job = selectors_tasks.ledger_job_get(actor=request.user, job_id=ledger_job_id)
    return render(request, "reports/_partials/job_progress.html", {"job": job})


@login_required
@require_GET
def ledger_job_download(request, ledger_job_id: int):
    job = selectors_tasks.ledger_job_get(actor=request.user, job_id=ledger_job_id)
    if job.state != LedgerJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=CONTENT_TYPES.get(job.fmt, "application/octet-stream"))


# --- Year-end statistics -----------------------------------------------------------------------------

@login_required
@require_GET
def statistics(request):
    org = org_from(request)
    try:
        year = year_from(request)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    data = stats.year_end_tables(actor=request.user, org=org, year=year)
    this_year = timezone.localdate().year
    return render(request, "reports/statistics.html", {
        "org": org, "year": year, "data": data, "years": list(range(this_year, this_year - 6, -1)),
        "can_export": can(request.user, "reports.export", org),
        "crumbs": crumbs(request, org, "reports:statistics", year=year)})


@login_required
@require_GET
def statistics_export(request):
    org = org_from(request, perm="reports.export")
    try:
        year = year_from(request)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    data = stats.year_end_tables(actor=request.user, org=org, year=year)
    return xlsx_response(stats.tables_workbook(data), f"{org.name}党内统计_{year}.xlsx")
