"""Writes of the reports app: the nightly member roll-up, ledger exports (audited; big ones as jobs) and
report tasks (issue, fill in, submit, close). Every write is audited in its own transaction."""
from collections import defaultdict
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import can, require
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import ledgers, prefill, rules
from .models import LedgerJob, MemberStatsDaily, ReportSubmission, ReportTask
from .selectors import DIMENSIONS, dimension_expr, population

SYNC_MAX_ROWS = 2000        # larger ledgers are built by a background job (LedgerJob)
ROLLUP_KEEP_DAYS = 40       # daily roll-up rows kept this long; the 1st of each month is kept for trends


# --- Nightly member roll-up ----------------------------------------------------------------------------

def member_stats_compute(*, on: date) -> dict:
    """Rebuild MemberStatsDaily for `on`: per dimension, one GROUP BY (org, value) over the members, then
    each count is added to the member's org and all its ancestors (subtree totals). Replaces the date's
    rows in one transaction, so running it twice for a date gives the same rows."""
    orgs = {oid: (path, region) for oid, path, region in Org.objects.values_list("id", "path", "region_id")}
    by_path = {path: oid for oid, (path, _r) in orgs.items()}
    step = Org.steplen
    totals: dict[tuple[int, str, str], int] = defaultdict(int)
    for dimension in DIMENSIONS:
        rows = (population(Member.objects.all(), dimension).annotate(v=dimension_expr(dimension, on))
                .values("org_id", "v").annotate(n=Count("id")).order_by())
        for r in rows:
            path = orgs[r["org_id"]][0]
            for k in range(step, len(path) + 1, step):
                ancestor = by_path.get(path[:k])
                if ancestor is not None:
                    totals[(ancestor, dimension, r["v"])] += r["n"]
    objs = [MemberStatsDaily(org_id=oid, region_id=orgs[oid][1], date=on, dimension=dim, value=value, count=n)
            for (oid, dim, value), n in totals.items() if n]
    with transaction.atomic():
        MemberStatsDaily.objects.filter(date=on).delete()
        MemberStatsDaily.objects.bulk_create(objs, batch_size=5000)
        pruned, _ = (MemberStatsDaily.objects.filter(date__lt=on - timedelta(days=ROLLUP_KEEP_DAYS))
                     .exclude(date__day=1).delete())
    return {"date": on.isoformat(), "rows": len(objs), "orgs": len({k[0] for k in totals}), "pruned": pruned}


# --- Ledger exports --------------------------------------------------------------------------------------

def ledger_for(*, actor, org: Org, key: str) -> ledgers.Ledger:
    """The ledger if its app is installed and the actor may export it at org (404 / 403 otherwise)."""
    ledger = ledgers.get(key)
    if ledger is None:
        raise Http404
    require(actor, "reports.export", org)
    require(actor, ledger.perm, org)
    return ledger


def ledger_filename(ledger: ledgers.Ledger, org: Org, period: rules.Period, fmt: str) -> str:
    when = period.code if ledger.uses_period else f"{timezone.localdate():%Y%m%d}"
    return f"{org.name}{ledger.title}_{when}.{fmt}"


def ledger_render(ledger: ledgers.Ledger, *, org: Org, period: rules.Period, fmt: str, actor=None,
                  total: int | None = None, progress=None) -> bytes:
    """The ledger file's bytes (xlsx through core.xlsx, formula-injection safe; PDF through pdf.py)."""
    rows = ledger.rows(org, period, actor)
    title = f"{org.name}{ledger.title}"
    if fmt == "pdf":
        from .pdf import render_ledger_pdf

        return render_ledger_pdf(title=title, org_name=org.name, period_display=ledgers.period_label(ledger, period),
                                 headers=ledger.headers, widths_mm=ledger.pdf_widths, rows=rows,
                                 left=ledger.pdf_left, total=total, progress=progress)
    import io

    from dangjian.core.xlsx import build_workbook

    def counted():
        for n, row in enumerate(rows, start=1):
            if progress and n % 500 == 0:
                progress(n)
            yield row

    wb = build_workbook(title=f"{title}（{ledgers.period_label(ledger, period)}）", headers=ledger.headers,
                        rows=counted(), widths=ledger.xlsx_widths, sheet_title=ledger.title)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _export_audit(actor, org, ledger, period, fmt, count, background):
    audit(actor=actor, verb="reports.ledger_export", org=org,
          after={"ledger": ledger.key, "period": period.code, "format": fmt, "count": count,
                 "personal": ledger.personal, "background": background})


def ledger_export(*, actor, org: Org, key: str, period: rules.Period, fmt: str) -> tuple[str, object]:
    """Export a ledger: ("file", (bytes, filename)) when it has at most SYNC_MAX_ROWS rows, else
    ("job", LedgerJob) queued for the background. Audited either way (DESIGN rule 7)."""
    if fmt not in LedgerJob.Format.values:
        raise DomainError("导出格式应为 xlsx 或 pdf", field="format")
    ledger = ledger_for(actor=actor, org=org, key=key)
    count = ledger.count(org, period)
    if count > SYNC_MAX_ROWS:
        with transaction.atomic():
            job = LedgerJob.objects.create(org=org, ledger=key, period=period.code, fmt=fmt, total_rows=count,
                                           created_by=actor, filename=ledger_filename(ledger, org, period, fmt))
            _export_audit(actor, org, ledger, period, fmt, count, True)
            transaction.on_commit(lambda: _enqueue(job.pk))
        return "job", job
    content = ledger_render(ledger, org=org, period=period, fmt=fmt, actor=actor, total=count)
    with transaction.atomic():
        _export_audit(actor, org, ledger, period, fmt, count, False)
    return "file", (content, ledger_filename(ledger, org, period, fmt))


def _enqueue(job_id: int) -> None:
    from .tasks import ledger_job_run

    ledger_job_run(job_id)


def ledger_job_build(job_id: int) -> str:
    """Build a queued job's file (called by the Huey task). Progress 0–100 is written as plain UPDATEs
    so the polling page sees it at once; any failure ends in state failed with a Chinese message."""
    job = LedgerJob.objects.select_related("org", "created_by").filter(pk=job_id).first()
    if job is None or job.state != LedgerJob.State.PENDING:
        return job.state if job else "missing"
    LedgerJob.objects.filter(pk=job.pk).update(state=LedgerJob.State.RUNNING, progress=1)
    total = max(1, job.total_rows)
    share = 60 if job.fmt == "pdf" else 90  # the WeasyPrint pass itself reports no progress

    def progress(n: int) -> None:
        LedgerJob.objects.filter(pk=job.pk).update(progress=min(share, max(1, n * share // total)))

    try:
        ledger = ledgers.get(job.ledger)
        if ledger is None:
            raise DomainError("该台账所属模块未启用")
        period = rules.parse_period(job.period)
        content = ledger_render(ledger, org=job.org, period=period, fmt=job.fmt, actor=job.created_by,
                                total=job.total_rows, progress=progress)
        LedgerJob.objects.filter(pk=job.pk).update(progress=95)
        job.file.save(f"ledger-{job.pk}.{job.fmt}", ContentFile(content), save=False)
        LedgerJob.objects.filter(pk=job.pk).update(state=LedgerJob.State.DONE, progress=100, file=job.file.name,
                                                   finished_at=timezone.now())
        return LedgerJob.State.DONE
    except DomainError as exc:
        error = exc.detail
    except Exception:  # the job must never stay "running"
        import logging

        logging.getLogger(__name__).exception("ledger job %s failed", job_id)
        error = "生成失败：系统错误，请联系管理员"
    LedgerJob.objects.filter(pk=job.pk).update(state=LedgerJob.State.FAILED, error=error[:300],
                                               finished_at=timezone.now())
    return LedgerJob.State.FAILED


# --- Report tasks --------------------------------------------------------------------------------------

def _targets(org: Org, target: str):
    below = Org.objects.filter(subtree_q(org.path), is_active=True).exclude(pk=org.pk)
    if target == ReportTask.Target.CHILDREN:
        return below.filter(depth=org.depth + 1)
    return below.filter(kind=Org.Kind.BRANCH)


def _check_issue(*, actor, org: Org, title: str, deadline: date, target: str, today: date | None) -> tuple[str, list]:
    """R-REPORT-ISSUE: a committee (not a branch) issues to the orgs below it, due today or later."""
    require(actor, "reports.edit", org)
    today = today or timezone.localdate()
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise DomainError("报表名称不能为空且不超过 100 个字", field="title", rule="R-REPORT-ISSUE")
    if org.kind == Org.Kind.BRANCH:
        raise DomainError("党支部没有下级组织，不能下发报表任务", rule="R-REPORT-ISSUE")
    if target not in ReportTask.Target.values:
        raise DomainError("填报范围不正确", field="target", rule="R-REPORT-ISSUE")
    if deadline is None or deadline < today:
        raise DomainError("截止日期不能早于今天", field="deadline", rule="R-REPORT-ISSUE")
    targets = list(_targets(org, target).order_by("path"))
    if not targets:
        raise DomainError("该组织下没有可填报的下级组织", field="target", rule="R-REPORT-ISSUE")
    return title, targets


def _issue(*, actor, org: Org, title: str, instructions: str, deadline: date, target: str, fields: list,
           targets: list, audit_extra: dict | None = None, **extra) -> ReportTask:
    task = ReportTask.objects.create(org=org, title=title, instructions=(instructions or "").strip()[:2000],
                                     fields=fields, deadline=deadline, target=target, created_by=actor, **extra)
    ReportSubmission.objects.bulk_create([ReportSubmission(task=task, org=t, region_id=t.region_id)
                                          for t in targets])
    audit(actor=actor, verb="reports.task_issue", target=task, org=org,
          after={"title": title, "deadline": deadline, "targets": len(targets), "fields": len(fields),
                 **(audit_extra or {})})
    _notify_targets(task, targets)
    return task


@transaction.atomic
def report_task_issue(*, actor, org: Org, title: str, instructions: str, fields_text: str, deadline: date,
                      target: str, today: date | None = None) -> ReportTask:
    """R-REPORT-ISSUE: a committee (not a branch) issues a form to the orgs below it, due on `deadline`
    (today or later). One submission row per target org; their secretaries get a notification."""
    title, targets = _check_issue(actor=actor, org=org, title=title, deadline=deadline, target=target, today=today)
    fields = rules.parse_field_lines(fields_text, sources=prefill.available())
    return _issue(actor=actor, org=org, title=title, instructions=instructions, deadline=deadline, target=target,
                  fields=fields, targets=targets)


@transaction.atomic
def report_task_issue_sheet(*, actor, org: Org, title: str, instructions: str, deadline: date, target: str,
                            upload, fields_text: str = "", today: date | None = None) -> ReportTask:
    """R-REPORT-SHEET: the same, with an uploaded .xlsx as the template (named cells or a header row; see
    sheets.py). Everything is checked before the file is stored; a bad file writes nothing."""
    from . import sheets

    title, targets = _check_issue(actor=actor, org=org, title=title, deadline=deadline, target=target, today=today)
    data, name = sheets.read_upload(upload)
    layout, fields = sheets.parse_template(data, name, fields_text, sources=prefill.available())
    digest = sheets.sha256(data)
    task = ReportTask(kind=ReportTask.Kind.SHEET, template_name=name, template_sha256=digest, layout=layout)
    task.template.save(f"{digest[:16]}.xlsx", ContentFile(data), save=False)
    return _issue(actor=actor, org=org, title=title, instructions=instructions, deadline=deadline, target=target,
                  fields=fields, targets=targets, kind=task.kind, template=task.template.name, template_name=name,
                  template_sha256=digest, layout=layout,
                  audit_extra={"kind": "sheet", "template": name, "sha256": digest, "mode": layout["mode"]})


def _notify_targets(task: ReportTask, targets: list[Org]) -> None:
    from django.apps import apps

    if not apps.is_installed("dangjian.notify"):
        return
    from django.contrib.auth import get_user_model

    from dangjian.notify.services import notify

    users = get_user_model().objects.filter(
        roles__org__in=targets, roles__role__in=["secretary", "committee_member"], is_active=True).distinct()
    notify(users=list(users), kind="reports.task", title=f"报表任务：{task.title}",
           body=f"{task.org.name}下发报表，请于{task.deadline:%Y年%m月%d日}前填报。", url="/reports/tasks/",
           dedupe_key=f"reports.task:{task.pk}")


@transaction.atomic
def report_submission_save(*, actor, submission: ReportSubmission, data: dict, submit: bool,
                           upload: dict | None = None) -> ReportSubmission:
    """Save (draft) or submit an org's answers. Submitting checks required fields; a closed task refuses
    both. Nothing is written when any value is invalid (FieldErrors-like DomainError on the first)."""
    submission = ReportSubmission.objects.select_for_update().select_related("task", "org").get(pk=submission.pk)
    require(actor, "reports.edit", submission.org)
    task = submission.task
    if task.state == ReportTask.State.CLOSED:
        raise DomainError("该报表任务已截止关闭，不能再填报", rule="R-REPORT-DEADLINE")
    values = {}
    for f in task.fields:
        values[f["key"]] = rules.clean_value(f, data.get(f["key"]), required=submit and f.get("required", False))
    before = {"state": submission.state, "values": submission.values}
    submission.values = values
    if submit:
        submission.state = ReportSubmission.State.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.submitted_by = actor
    elif submission.state != ReportSubmission.State.SUBMITTED:
        submission.state = ReportSubmission.State.DRAFT
    submission.save()
    after = {"state": submission.state, "values": values}
    if upload:
        after["upload"] = upload
    audit(actor=actor, verb="reports.submission_submit" if submit else "reports.submission_save",
          target=submission, org=submission.org, before=before, after=after)
    return submission


def report_submission_upload(*, actor, submission: ReportSubmission, upload, submit: bool) -> ReportSubmission:
    """R-REPORT-SHEET: an org's filled-in sheet. The file is read and checked first (same template, this task
    and org, no formulas, bounded size), then its values go through report_submission_save (typed, required
    fields on submit, closed tasks refused): any error writes nothing."""
    from . import sheets

    require(actor, "reports.edit", submission.org)
    task = submission.task
    if task.kind != ReportTask.Kind.SHEET:
        raise DomainError("该报表任务没有 Excel 模板，请在线填写", field="file", rule="R-REPORT-SHEET")
    if task.state == ReportTask.State.CLOSED:
        raise DomainError("该报表任务已截止关闭，不能再填报", rule="R-REPORT-DEADLINE")
    data, name = sheets.read_upload(upload)
    values = sheets.read_values(task, org=submission.org, data=data, filename=name)
    return report_submission_save(actor=actor, submission=submission, data=values, submit=submit,
                                  upload={"file": name, "sha256": sheets.sha256(data)})


@transaction.atomic
def report_task_close(*, actor, task: ReportTask) -> ReportTask:
    require(actor, "reports.edit", task.org)
    if task.state == ReportTask.State.CLOSED:
        raise DomainError("该报表任务已关闭", rule="R-REPORT-DEADLINE")
    task.state = ReportTask.State.CLOSED
    task.save(update_fields=["state"])
    audit(actor=actor, verb="reports.task_close", target=task, org=task.org)
    return task


def can_fill(actor, submission: ReportSubmission) -> bool:
    return can(actor, "reports.edit", submission.org)
