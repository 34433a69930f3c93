"""Background jobs of the member registry (Huey): large roster imports run here, with progress.

Flow for a file over importing.SYNC_MAX_ROWS data rows (the API catches importing.RosterTooLarge):
    job = ImportJob.objects.create(org=…, created_by=actor, filename=…, file=upload, mapping=user_mapping)
    import_job_enqueue(job)                 # parse + validate -> state "preview", report = the dry-run body
    … the page polls job.progress / job.state and shows job.report …
    import_job_enqueue(job, commit=True)    # validate again + insert -> "done" (or back to "preview")
"""
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from huey.contrib.djhuey import db_task

from dangjian.core.errors import DomainError

from .models import ImportJob

log = logging.getLogger(__name__)


def _progress(job_id: int, value: int, **fields) -> None:
    # A plain UPDATE outside any transaction, so the polling page sees it at once.
    ImportJob.objects.filter(pk=job_id).update(progress=max(0, min(100, value)), **fields)


@db_task()
def import_job_run(job_id: int, commit: bool = False, only_valid: bool = False) -> str:
    """Parse and validate the job's file (state preview, `report` = the dry-run body); with `commit`,
    import it too (state done). Progress 0–100 is written as it goes. Any failure ends in state failed with
    {"detail": 中文} in `report`; a file with errors stays in preview and nothing is written.
    Returns the final state.
    """
    from .importing import JOB_MAX_ROWS, parse_roster, roster_import, validate_roster

    job = ImportJob.objects.select_related("org", "created_by").filter(pk=job_id).first()
    if job is None or job.state in (ImportJob.State.DONE, ImportJob.State.RUNNING):
        return job.state if job else "missing"
    _progress(job.pk, 5, state=ImportJob.State.RUNNING)
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        parsed = parse_roster(data, filename=job.filename, mapping=job.mapping or None, max_rows=JOB_MAX_ROWS)
        _progress(job.pk, 35, total_rows=len(parsed.rows))
        if commit:
            # Validate and insert in one pass (PostgreSQL maintains the indexes while Python checks the next
            # chunk); no progress can be written while the COPY is open, so the bar goes from 35 to done.
            job.refresh_from_db()
            report, created = roster_import(parsed, actor=job.created_by, org=job.org,
                                            today=timezone.localdate(), only_valid=only_valid, job=job)
            if created:
                return ImportJob.State.DONE
        else:
            report = validate_roster(parsed, actor=job.created_by, org=job.org, today=timezone.localdate())
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.PREVIEW, progress=100, total_rows=report.counts["total"], report=report.as_dict(),
            finished_at=timezone.now())
        return ImportJob.State.PREVIEW
    except DomainError as exc:
        detail = exc.detail
    except (Http404, PermissionDenied):
        detail = "没有向该党支部导入党员的权限"
    except Exception:  # the job must never stay "running"
        log.exception("import job %s failed", job_id)
        detail = "导入失败：系统错误，请联系管理员"
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, report={"detail": detail},
                                               finished_at=timezone.now())
    return ImportJob.State.FAILED


def import_job_enqueue(job: ImportJob, *, commit: bool = False, only_valid: bool = False) -> None:
    """Queue the job once the surrounding transaction has committed (the worker must see the row)."""
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.PENDING, progress=0)
    transaction.on_commit(lambda: import_job_run(job.pk, commit=commit, only_valid=only_valid))
