"""JSON API of the reports app: the dashboard (all charts or one), the year-end statistics, the ledger list
and a report task's progress. Org-scoped: 404 outside the actor's scope."""
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from dangjian.accounts.scope import can, org_get_visible, require
from dangjian.core.api import Detail
from dangjian.core.errors import DomainError

from . import ledgers, rules, selectors, selectors_tasks, stats

router = Router(tags=["统计报表"])
ERR = {400: Detail, 403: Detail, 404: Detail}


def _org(request, org: int):
    found = org_get_visible(actor=request.user, org_id=org)
    require(request.user, "reports.view", found)
    return found


def _year(year: int | None) -> int:
    return rules.parse_year(year, default=timezone.localdate().year)


def _source(source: str) -> str:
    if source not in selectors.SOURCES:
        raise DomainError("数据来源参数应为 auto、live 或 rollup", field="source")
    return source


@router.get("/reports/dashboard", response={200: dict, **ERR})
def dashboard(request, org: int, year: int | None = None, source: str = "auto"):
    """Every available chart of the org's dashboard as plain data (see reports.selectors)."""
    found = _org(request, org)
    return selectors.dashboard(actor=request.user, org=found, year=_year(year), source=_source(source))


@router.get("/reports/dashboard/{chart}", response={200: dict, **ERR})
def dashboard_chart(request, chart: str, org: int, year: int | None = None, source: str = "auto"):
    if chart not in selectors.charts_available():
        raise Http404
    found = _org(request, org)
    data = selectors.chart_data(chart, actor=request.user, org=found, year=_year(year), source=_source(source))
    return {"key": chart, "title": selectors.CHARTS[chart][0], "org_id": found.id, "data": data}


@router.get("/reports/statistics", response={200: dict, **ERR})
def statistics(request, org: int, year: int | None = None):
    found = _org(request, org)
    return stats.year_end_tables(actor=request.user, org=found, year=_year(year))


class LedgerOut(Schema):
    key: str
    title: str
    count: int
    period: str
    personal: bool


@router.get("/reports/ledgers", response={200: list[LedgerOut], **ERR})
def ledger_list(request, org: int, period: str = ""):
    found = _org(request, org)
    p = rules.parse_period(period or str(timezone.localdate().year))
    return [{"key": lg.key, "title": lg.title, "count": lg.count(found, p), "period": ledgers.period_label(lg, p),
             "personal": lg.personal}
            for lg in ledgers.available() if can(request.user, lg.perm, found)]


@router.get("/reports/tasks/{report_task_id}", response={200: dict, **ERR})
def task_progress(request, report_task_id: int):
    task = selectors_tasks.task_get(actor=request.user, task_id=report_task_id)
    progress = selectors_tasks.task_progress(task)
    return {"id": task.id, "title": task.title, "org_id": task.org_id, "deadline": task.deadline,
            "state": task.state, "total": progress["total"], "submitted": progress["submitted"],
            "missing": progress["missing"], "overdue": progress["overdue"],
            "orgs": [{"org_id": r["submission"].org_id, "name": r["submission"].org.name,
                      "state": r["submission"].state, "status": r["label"], "overdue": r["overdue"]}
                     for r in progress["rows"]]}
