"""The Excel import page (issue 4 item 4): upload → dry-run preview → confirm.

A file is read and checked BEFORE anything is stored: an unreadable or hostile file (zip bomb, macro, renamed
PDF/EXE, truncated, empty, CSV, far-away cells …) or a file without a single importable row answers 400 with
the upload form and the reason in Chinese, and leaves no ImportJob and no file behind (issue 14 item 3).
Only a file the user can act on (some valid rows, or headers to map) is kept as an ImportJob for the
confirmation step. Files above SYNC_MAX_ROWS rows run as a background job whose progress the page polls;
their first SAMPLE_ROWS rows are checked first so that a hopeless file is refused at once.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.errors import DomainError

from .importing import (FIELDS, MAX_BYTES, SYNC_MAX_ROWS, RosterTooLarge, import_roster, parse_roster,
                        validate_roster)
from .models import ImportJob
from .views import _org_from

SAMPLE_ROWS = 1000  # rows of a large file validated on the spot before the background job takes it


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件", error_messages={"required": "请选择要导入的 Excel 文件（.xlsx 或 .xls）",
                                                              "empty": "上传的文件是空的"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请删除无关内容或拆分后上传")
        return upload


def _refuse(request, org, form, report=None, parsed=None):
    """400: the upload form again with its error (and the rows' errors when the file was read)."""
    return render(request, "members/import.html", {"org": org, "form": form, "refused": report, "parsed": parsed},
                  status=400)


def _hopeless(report, parsed) -> bool:
    """Nothing the user could confirm: no valid row and no unknown header whose mapping could change that."""
    return not report.counts.get("valid") and not parsed.unknown_headers


def _upload(request, org):
    """A new file: parse and validate it in memory; store it as an ImportJob only when there is a next step."""
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refuse(request, org, form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    filename = upload.name
    today = timezone.localdate()
    try:
        parsed = parse_roster(data, filename=filename)
    except RosterTooLarge:
        return _upload_large(request, org, form, data=data, filename=filename, today=today)
    except DomainError as exc:
        form.add_error("file", exc.detail)
        return _refuse(request, org, form)
    report = validate_roster(parsed, actor=request.user, org=org, today=today)
    if _hopeless(report, parsed):
        if report.counts.get("total"):
            form.add_error("file", f"文件中没有可以导入的行（{report.counts['invalid']} 行均有错误，见下表），"
                                   "文件未保存；请修改后重新上传")
        else:
            form.add_error("file", "表格中没有可导入的数据行（表头下方没有内容）")
        return _refuse(request, org, form, report, parsed)
    job = ImportJob.objects.create(org=org, created_by=request.user, file=ContentFile(data, name=filename),
                                   filename=filename[:200], state=ImportJob.State.PREVIEW)
    return _preview(request, org, job, parsed, report)


def _upload_large(request, org, form, *, data: bytes, filename: str, today):
    from .tasks import import_job_enqueue

    head = parse_roster(data, filename=filename, max_rows=SAMPLE_ROWS, sample=True)
    report = validate_roster(head, actor=request.user, org=org, today=today)
    if _hopeless(report, head):
        form.add_error("file", f"文件超过 {SYNC_MAX_ROWS} 行，其前 {len(head.rows)} 行数据全部有错误（见下表），"
                               "文件未保存；请修改后重新上传")
        return _refuse(request, org, form, report, head)
    job = ImportJob.objects.create(org=org, created_by=request.user, file=ContentFile(data, name=filename),
                                   filename=filename[:200], state=ImportJob.State.PREVIEW)
    import_job_enqueue(job)
    return redirect(f"/members/import/?org={org.id}&job={job.id}")


def _preview(request, org, job, parsed, report):
    return render(request, "members/import.html", {"org": org, "job": job, "parsed": parsed, "report": report,
                                                   "fields": FIELDS})


def _confirm(request, org, job):
    """A stored job: apply the user's column mapping, validate again, and import when asked."""
    from .tasks import import_job_enqueue

    mapping = {k[4:]: v for k, v in request.POST.items() if k.startswith("map_") and v} or job.mapping or None
    confirm, only_valid = bool(request.POST.get("confirm")), bool(request.POST.get("only_valid"))
    with job.file.open("rb") as fh:
        data = fh.read()
    try:
        parsed = parse_roster(data, filename=job.filename, mapping=mapping)
    except RosterTooLarge:
        job.mapping = mapping or {}
        job.save(update_fields=["mapping"])
        import_job_enqueue(job, commit=confirm, only_valid=only_valid)
        return redirect(f"/members/import/?org={org.id}&job={job.id}")
    except DomainError as exc:  # e.g. two columns mapped to one field: the preview of the last mapping stays
        form = ImportUploadForm()
        form.add_error(None, exc.detail)
        return _refuse(request, org, form)
    report = validate_roster(parsed, actor=request.user, org=org, today=timezone.localdate())
    job.mapping = mapping or {}
    job.save(update_fields=["mapping"])
    if confirm and (report.valid or only_valid):
        try:
            created = import_roster(report, actor=request.user, org=org, only_valid=only_valid, job=job)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, f"已导入 {created} 名党员")
            return redirect(f"/members/?org={org.id}")
    return _preview(request, org, job, parsed, report)


@login_required
def import_page(request):
    org = _org_from(request)
    require(request.user, "members.edit", org)
    if request.method == "GET" and request.GET.get("job", "").isdigit():
        job = ImportJob.objects.filter(id=int(request.GET["job"]), org=org, created_by=request.user).first()
        if job is None:
            raise Http404
        template = "members/_partials/import_job.html" if request.htmx else "members/import.html"
        return render(request, template, {"org": org, "bgjob": job})
    if request.method == "POST":
        job_id = request.POST.get("job", "")
        if job_id and "file" not in request.FILES:
            job = ImportJob.objects.filter(id=int(job_id) if job_id.isdigit() else 0, org=org,
                                           created_by=request.user, state=ImportJob.State.PREVIEW).first()
            if job is None:
                raise Http404
            return _confirm(request, org, job)
        return _upload(request, org)
    return render(request, "members/import.html", {"org": org, "form": ImportUploadForm()})
