"""Reads of report tasks, ledger jobs and the scheduler, scoped by the actor (404 outside)."""
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, scope_q
from dangjian.core.models import JobRun
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import LedgerJob, ReportSubmission, ReportTask, TaskFailure

SUBMITTED = ReportSubmission.State.SUBMITTED


# --- Report tasks -------------------------------------------------------------------------------------

def task_get(*, actor, task_id) -> ReportTask:
    """A task the actor may manage: issued by an org in their scope."""
    task = (ReportTask.objects.select_related("org", "created_by")
            .filter(scope_q(actor, field="org__path", perm="reports.view"), id=as_id(task_id)).first())
    if task is None:
        raise Http404
    return task


def tasks_issued(*, actor, org: Org) -> QuerySet[ReportTask]:
    """Tasks issued by org or orgs below it, with their submission counts (one query)."""
    return (ReportTask.objects.filter(scope_q(actor, field="org__path", perm="reports.view"),
                                      subtree_q(org.path, field="org__path"))
            .select_related("org")
            .annotate(n_targets=Count("submissions"),
                      n_submitted=Count("submissions", filter=Q(submissions__state=SUBMITTED)))
            .order_by("-created_at", "-id"))


def submissions_to_fill(*, actor, org: Org) -> QuerySet[ReportSubmission]:
    """Forms that org or the orgs below it have to fill in (open tasks first, nearest deadline first)."""
    return (ReportSubmission.objects.filter(scope_q(actor, field="org__path", perm="reports.view"),
                                            subtree_q(org.path, field="org__path"))
            .select_related("task", "task__org", "org")
            .order_by("task__state", "task__deadline", "org__path", "id"))


def submission_get(*, actor, submission_id) -> ReportSubmission:
    row = (ReportSubmission.objects.select_related("task", "task__org", "org", "submitted_by")
           .filter(scope_q(actor, field="org__path", perm="reports.view"), id=as_id(submission_id)).first())
    if row is None:
        raise Http404
    return row


def submission_status(s: ReportSubmission, today: date) -> dict:
    submitted_on = timezone.localtime(s.submitted_at).date() if s.submitted_at and s.state == SUBMITTED else None
    overdue = rules.is_overdue(deadline=s.task.deadline, submitted_on=submitted_on, today=today)
    return {"submitted_on": submitted_on, "overdue": overdue,
            "label": ("逾期上报" if overdue else "按时上报") if submitted_on else ("已逾期" if overdue else s.get_state_display())}


def task_progress(task: ReportTask, *, today: date | None = None) -> dict:
    """Each target org's state; who has not submitted; overdue ones flagged (R-REPORT-DEADLINE)."""
    today = today or timezone.localdate()
    rows = []
    for s in task.submissions.select_related("org", "task", "submitted_by").order_by("org__path", "id"):
        rows.append({"submission": s, **submission_status(s, today)})
    missing = [r for r in rows if r["submission"].state != SUBMITTED]
    return {"rows": rows, "total": len(rows), "submitted": len(rows) - len(missing), "missing": len(missing),
            "overdue": sum(1 for r in missing if r["overdue"])}


def _merged_rows(task: ReportTask, today: date | None):
    progress = task_progress(task, today=today)
    headers = ["序号", "填报组织", "状态", "上报时间"] + [f["label"] for f in task.fields]
    rows = []
    for n, r in enumerate(progress["rows"], start=1):
        s = r["submission"]
        when = timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M") if s.submitted_at else ""
        rows.append([n, s.org.name, r["label"], when] + [s.values.get(f["key"], "") for f in task.fields])
    title = f"{task.title}（汇总，截止 {task.deadline:%Y-%m-%d}）"
    return progress, title, headers, rows


def task_workbook(task: ReportTask, *, today: date | None = None):
    """The merged result: one row per target org with its state and every field (submitted values;
    drafts are shown as drafts, empty for orgs that have not started)."""
    from dangjian.core.xlsx import build_workbook

    _progress, title, headers, rows = _merged_rows(task, today)
    widths = [6, 28, 10, 17] + [max(10, min(30, len(f["label"]) * 2 + 2)) for f in task.fields]
    return build_workbook(title=title, headers=headers, rows=rows, widths=widths, sheet_title="汇总")


def task_workbook_bytes(task: ReportTask, *, today: date | None = None) -> bytes:
    """The merged workbook's bytes: for an Excel-sheet task, the template filled per submitted org plus the
    汇总 sheet (sheets.merged); for a form task, the 汇总 sheet alone."""
    import io

    if task.kind == ReportTask.Kind.SHEET and task.template:
        from . import sheets

        progress, title, headers, rows = _merged_rows(task, today)
        submitted = [r["submission"] for r in progress["rows"] if r["submission"].state == SUBMITTED]
        return sheets.merged(task, title=title, headers=headers, rows=rows, submissions=submitted)
    buf = io.BytesIO()
    task_workbook(task, today=today).save(buf)
    return buf.getvalue()


def submission_sheet(sub: ReportSubmission) -> bytes:
    """The task's template pre-filled for this org: its saved values, or our data where a field maps (a
    submission not started yet), like the online form."""
    from . import prefill, sheets

    values = dict(sub.values)
    if sub.state == ReportSubmission.State.PENDING:
        values = {**prefill.prefill(sub.task.fields, org=sub.org, year=sub.task.deadline.year), **values}
    return sheets.filled(sub.task, org=sub.org, values=values)


# --- Ledger jobs ----------------------------------------------------------------------------------------

def ledger_job_get(*, actor, job_id) -> LedgerJob:
    job = (LedgerJob.objects.select_related("org", "created_by")
           .filter(scope_q(actor, field="org__path", perm="reports.export"), id=as_id(job_id)).first())
    if job is None:
        raise Http404
    return job


def ledger_jobs_recent(*, actor, org: Org, limit: int = 10) -> list[LedgerJob]:
    return list(LedgerJob.objects.filter(scope_q(actor, field="org__path", perm="reports.export"),
                                         subtree_q(org.path, field="org__path"))
                .select_related("org").order_by("-created_at", "-id")[:limit])


# --- Scheduler ------------------------------------------------------------------------------------------

WEEKDAYS = "日一二三四五六"
STALE_AFTER = timedelta(hours=2)


def _cron_sets(fn, depth: int = 0):
    """The (month, day, weekday, hour, minute) sets inside a huey crontab() test function, found in its
    closures (huey keeps no other record of the schedule); None when it is not a crontab."""
    if depth > 3 or fn is None:
        return None
    for cell in getattr(fn, "__closure__", None) or ():
        value = cell.cell_contents
        if isinstance(value, list) and len(value) == 5 and all(isinstance(s, (set, list)) for s in value):
            return [set(s) for s in value]
        if callable(value):
            found = _cron_sets(value, depth + 1)
            if found:
                return found
    return None


def _fmt_set(values: set, full: range, unit: str) -> str:
    """{1, 2, 3, 7} → "1-3、7日"."""
    if set(full) <= values:
        return "每" + unit
    runs: list[list[int]] = []
    for v in sorted(values):
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return "、".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else "、".join(map(str, r)) for r in runs) + unit


def describe_schedule(sets) -> str:
    if not sets:
        return "自定义"
    months, days, weekdays, hours, minutes = sets
    parts = []
    if not set(range(1, 13)) <= months:
        parts.append(_fmt_set(months, range(1, 13), "月"))
    if not set(range(1, 32)) <= days:
        parts.append(_fmt_set(days, range(1, 32), "日"))
    if not set(range(7)) <= {d % 7 for d in weekdays}:
        parts.append("每周" + "、".join(WEEKDAYS[d] for d in sorted({d % 7 for d in weekdays})))
    if len(hours) == 1 and len(minutes) == 1:
        parts.append(f"{next(iter(hours)):02d}:{next(iter(minutes)):02d}")
    else:
        parts.append(f"{_fmt_set(hours, range(24), '时')} {_fmt_set(minutes, range(60), '分')}")
    return ("每天 " if len(parts) == 1 else "") + " ".join(parts)


def next_run(sets, now: datetime) -> datetime | None:
    """The next minute matching the crontab sets (within 400 days)."""
    if not sets:
        return None
    months, days, weekdays, hours, minutes = sets
    day = now.date()
    for _ in range(400):
        if day.month in months and day.day in days and (day.isoweekday() % 7) in {d % 7 for d in weekdays}:
            for h in sorted(hours):
                for m in sorted(minutes):
                    at = datetime(day.year, day.month, day.day, h, m)
                    if at > now.replace(tzinfo=None, second=0, microsecond=0):
                        return at
        day += timedelta(days=1)
    return None


def _aware(at: datetime | None, zone) -> datetime | None:
    return timezone.localtime(at.replace(tzinfo=zone)) if at else None


def periodic_jobs(*, now: datetime | None = None) -> list[dict]:
    """Every periodic task registered with Huey, with its schedule, next run and the JobRun rows of its
    app (core.JobRun job names start with the app label: "dues.arrears_scan")."""
    from datetime import timezone as dt_timezone

    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")  # the consumer imports every app's tasks module; a web process may not have
    now = now or timezone.now()
    # Huey evaluates crontabs in UTC unless HUEY["utc"] is False: show the next run in local time.
    zone = dt_timezone.utc if getattr(HUEY, "utc", True) else timezone.get_current_timezone()
    base = now.astimezone(zone)
    tasks = []
    for task_class in HUEY._registry._periodic_tasks:
        module = task_class.__module__
        app = module.split(".")[1] if module.startswith("dangjian.") else module.split(".")[0]
        sets = _cron_sets(getattr(task_class, "validate_datetime", None))
        doc = (getattr(task_class, "__doc__", "") or "").strip().splitlines()
        tasks.append({"name": task_class.__name__, "module": module, "app": app,
                      "schedule": describe_schedule(sets) + ("（UTC）" if zone is dt_timezone.utc and sets else ""),
                      "next_run": _aware(next_run(sets, base), zone),
                      "doc": doc[0] if doc and not doc[0].startswith("Task") else ""})
    return sorted(tasks, key=lambda t: (t["app"], t["name"]))


def job_runs(*, now: datetime | None = None) -> list[dict]:
    """The latest run of each job in core.JobRun, with its result; a run started long ago and never
    finished is flagged as failed (the worker died)."""
    now = now or timezone.now()
    latest = JobRun.objects.values("job").annotate(last=Max("run_on"), runs=Count("id")).order_by("job")
    last_rows = {(r.job, r.run_on): r for r in JobRun.objects.filter(
        run_on__in={x["last"] for x in latest}, job__in=[x["job"] for x in latest])}
    out = []
    for x in latest:
        r = last_rows.get((x["job"], x["last"]))
        stale = r is not None and r.finished_at is None and now - r.started_at > STALE_AFTER
        out.append({"job": x["job"], "app": x["job"].split(".")[0], "runs": x["runs"], "run_on": x["last"],
                    "started_at": r.started_at if r else None, "finished_at": r.finished_at if r else None,
                    "result": r.result if r else None, "stale": stale,
                    "state": "未完成（可能已中断）" if stale else ("运行中" if r and not r.finished_at else "完成")})
    return out


def job_failures(*, limit: int = 50) -> list[TaskFailure]:
    return list(TaskFailure.objects.all()[:limit])
