"""Pages of report tasks (issue, progress, merged workbook, fill in) and of the scheduler."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.scope import can, has_any, home_org
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.xlsx import xlsx_response

from . import prefill, rules, selectors_tasks, services
from .forms import EXAMPLE, SheetUploadForm, SubmissionForm, TaskForm
from .models import ReportSubmission, ReportTask
from .views import bad_request, org_from


@login_required
@require_GET
def task_list(request):
    org = org_from(request)
    today = timezone.localdate()
    issued = list(selectors_tasks.tasks_issued(actor=request.user, org=org)[:100])
    to_fill = []
    for s in selectors_tasks.submissions_to_fill(actor=request.user, org=org)[:200]:
        to_fill.append({"submission": s, **selectors_tasks.submission_status(s, today)})
    return render(request, "reports/tasks.html", {
        "org": org, "issued": issued, "to_fill": to_fill, "today": today,
        "can_issue": org.kind != "branch" and can(request.user, "reports.edit", org)})


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request):
    org = org_from(request, perm="reports.edit")
    form = TaskForm(request.POST or None, request.FILES or None,
                    initial={"fields_text": EXAMPLE, "target": ReportTask.Target.BRANCHES})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {"actor": request.user, "org": org, "title": d["title"], "instructions": d["instructions"],
                  "deadline": d["deadline"], "target": d["target"]}
        try:
            if d["kind"] == ReportTask.Kind.SHEET:
                task = services.report_task_issue_sheet(**common, upload=d["template"],
                                                        fields_text=d["fields_text"])
            else:
                task = services.report_task_issue(**common, fields_text=d["fields_text"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已向 {task.submissions.count()} 个组织下发报表任务")
            return redirect("reports:task_detail", report_task_id=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/task_form.html", {"org": org, "form": form, "sources": prefill.available()},
                  status=status)


@login_required
@require_GET
def task_detail(request, report_task_id: int):
    task = selectors_tasks.task_get(actor=request.user, task_id=report_task_id)
    progress = selectors_tasks.task_progress(task)
    return render(request, "reports/task_detail.html", {
        "task": task, "progress": progress,
        "fields": [{**f, "type_label": rules.FIELD_TYPES.get(f["type"], f["type"]),
                    "source_label": prefill.SOURCES.get(f.get("source") or "", ("",))[0]} for f in task.fields],
        "can_manage": can(request.user, "reports.edit", task.org)})


@login_required
@require_GET
def task_export(request, report_task_id: int):
    task = selectors_tasks.task_get(actor=request.user, task_id=report_task_id)
    if not can(request.user, "reports.export", task.org):
        raise PermissionDenied("您没有导出该报表的权限")
    if task.kind == ReportTask.Kind.SHEET:
        return _xlsx(selectors_tasks.task_workbook_bytes(task), f"{task.title}_汇总.xlsx")
    return xlsx_response(selectors_tasks.task_workbook(task), f"{task.title}_汇总.xlsx")


@login_required
@require_GET
def task_template(request, report_task_id: int):
    """The committee's own template as uploaded (sheet tasks)."""
    from django.http import Http404

    task = selectors_tasks.task_get(actor=request.user, task_id=report_task_id)
    if task.kind != ReportTask.Kind.SHEET or not task.template:
        raise Http404
    return _xlsx(task.template.open("rb").read(), task.template_name or f"{task.title}.xlsx")


def _xlsx(content: bytes, filename: str):
    from dangjian.core.files import download_response
    from dangjian.core.xlsx import XLSX_TYPE

    return download_response(content, filename=filename, content_type=XLSX_TYPE)


@login_required
@require_POST
def task_close(request, report_task_id: int):
    task = selectors_tasks.task_get(actor=request.user, task_id=report_task_id)
    try:
        services.report_task_close(actor=request.user, task=task)
    except DomainError as exc:
        return bad_request(request, exc.detail)
    messages.success(request, "报表任务已关闭")
    return redirect("reports:task_detail", report_task_id=task.pk)


@login_required
@require_http_methods(["GET", "POST"])
def submission(request, report_submission_id: int):
    sub = selectors_tasks.submission_get(actor=request.user, submission_id=report_submission_id)
    task = sub.task
    editable = task.state == ReportTask.State.OPEN and services.can_fill(request.user, sub)
    if request.method == "POST":
        if not services.can_fill(request.user, sub):
            raise PermissionDenied("您没有填报该报表的权限")
        if task.state != ReportTask.State.OPEN:
            return bad_request(request, "该报表任务已截止关闭，不能再填报")
        form = SubmissionForm(request.POST, fields=task.fields)
        form.is_valid()
        submit = request.POST.get("action") == "submit"
        try:
            services.report_submission_save(actor=request.user, submission=sub, data=request.POST, submit=submit)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return render(request, "reports/submission.html",
                          {"sub": sub, "task": task, "form": form, "editable": editable,
                           "upload_form": SheetUploadForm()}, status=400)
        messages.success(request, "已上报" if submit else "已暂存")
        return redirect("reports:submission", report_submission_id=sub.pk)
    initial = dict(sub.values)
    if sub.state == ReportSubmission.State.PENDING and editable:
        initial = {**prefill.prefill(task.fields, org=sub.org, year=task.deadline.year), **initial}
    form = SubmissionForm(initial=initial, fields=task.fields)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    status = selectors_tasks.submission_status(sub, timezone.localdate())
    return render(request, "reports/submission.html",
                  {"sub": sub, "task": task, "form": form, "editable": editable, "status": status,
                   "upload_form": SheetUploadForm()})


@login_required
@require_GET
def submission_sheet(request, report_submission_id: int):
    """The task's Excel template pre-filled for this org (our data where a field maps, or its saved values)."""
    from django.http import Http404

    sub = selectors_tasks.submission_get(actor=request.user, submission_id=report_submission_id)
    if sub.task.kind != ReportTask.Kind.SHEET or not sub.task.template:
        raise Http404
    return _xlsx(selectors_tasks.submission_sheet(sub), f"{sub.task.title}_{sub.org.name}.xlsx")


@login_required
@require_POST
def submission_upload(request, report_submission_id: int):
    """An org uploads its filled-in sheet: checked, then saved (暂存) or submitted (上报); errors write nothing."""
    sub = selectors_tasks.submission_get(actor=request.user, submission_id=report_submission_id)
    task = sub.task
    if not services.can_fill(request.user, sub):
        raise PermissionDenied("您没有填报该报表的权限")
    upload_form = SheetUploadForm(request.POST, request.FILES)
    submit = request.POST.get("action") == "submit"
    if upload_form.is_valid():
        try:
            services.report_submission_upload(actor=request.user, submission=sub,
                                              upload=upload_form.cleaned_data["file"], submit=submit)
        except DomainError as exc:
            upload_form.add_error("file", exc.detail)
        else:
            messages.success(request, "已从 Excel 表格读取并上报" if submit else "已从 Excel 表格读取并暂存")
            return redirect("reports:submission", report_submission_id=sub.pk)
    sub.refresh_from_db()
    form = SubmissionForm(initial=dict(sub.values), fields=task.fields)
    editable = task.state == ReportTask.State.OPEN
    status = selectors_tasks.submission_status(sub, timezone.localdate())
    return render(request, "reports/submission.html",
                  {"sub": sub, "task": task, "form": form, "editable": editable, "status": status,
                   "upload_form": upload_form}, status=400)


# --- Scheduler ------------------------------------------------------------------------------------------

def _require_jobs(request):
    if not has_any(request.user, "reports.jobs"):
        if home_org(request.user) is None:
            from django.http import Http404

            raise Http404
        raise PermissionDenied("仅管理员可查看定时任务")


@login_required
@require_GET
def jobs(request):
    _require_jobs(request)
    return render(request, "reports/jobs.html", {
        "periodic": selectors_tasks.periodic_jobs(), "runs": selectors_tasks.job_runs(),
        "failures": selectors_tasks.job_failures()})


@login_required
@require_POST
def jobs_rollup(request):
    _require_jobs(request)
    from .tasks import member_stats_rollup

    result = member_stats_rollup()
    if result is None:
        messages.info(request, "今日的党员统计汇总已完成（每日一次）")
    else:
        messages.success(request, f"已汇总 {result['orgs']} 个组织的党员统计")
    return redirect("reports:jobs")
