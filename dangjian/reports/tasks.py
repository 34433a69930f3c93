"""Background and periodic jobs of the reports app (Huey; one consumer runs the schedule).

- member_stats_rollup_task: nightly MemberStatsDaily roll-up, once per date (core.JobRun "reports.member_stats").
- org_stats_rollup_task: nightly OrgStatsMonthly roll-up of the other charts (rollups.py), once per date.
- ledger_job_run: builds a big ledger export (LedgerJob) with progress.
- record_failure: a Huey error signal handler that logs every failed task for the scheduler page.
"""
import logging
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.signals import SIGNAL_ERROR

from dangjian.core.models import JobRun

log = logging.getLogger(__name__)
ROLLUP_JOB = "reports.member_stats"


def run_once(job: str, run_on: date, fn) -> dict | None:
    """Run fn() for (job, run_on) at most once (JobRun is unique per job and date); None when it already
    ran or is running. A failure removes the row so that a later firing retries the day."""
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job, run_on=run_on)
    except IntegrityError:
        return None
    try:
        result = fn()
    except Exception:
        JobRun.objects.filter(pk=run.pk).delete()
        raise
    JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), result=result)
    return result


def member_stats_rollup(today: date | None = None) -> dict | None:
    """The nightly roll-up for `today` (idempotent per date)."""
    from .services import member_stats_compute

    today = today or timezone.localdate()
    return run_once(ROLLUP_JOB, today, lambda: member_stats_compute(on=today))


@db_periodic_task(crontab(hour="1", minute="30"))
def member_stats_rollup_task():
    """党员统计日汇总（统计分析图表的夜间预计算）"""
    member_stats_rollup()


ORG_STATS_JOB = "reports.org_stats"


def org_stats_rollup(today: date | None = None) -> dict | None:
    """The nightly roll-up of meetings, points, dues, volunteers, petitions and care (idempotent per date:
    core.jobs.run_once; a re-run the same day is skipped, and a forced rebuild replaces the rows)."""
    from dangjian.core.jobs import run_once as run_once_per_day

    from .rollups import build

    today = today or timezone.localdate()
    return run_once_per_day(ORG_STATS_JOB, today, lambda: build(on=today))


@db_periodic_task(crontab(hour="1", minute="45"))
def org_stats_rollup_task():
    """组织月度统计汇总（组织生活、积分、党费、志愿服务、诉求、慰问图表的夜间预计算）"""
    org_stats_rollup()


LEDGER_FILES_DAYS = 7  # generated ledger files are personal data: kept a week, then deleted


def ledger_files_cleanup(today: date | None = None) -> dict | None:
    """Delete the files of ledger jobs older than LEDGER_FILES_DAYS (the job rows stay as a record)."""
    from datetime import datetime, time, timedelta

    from .models import LedgerJob

    today = today or timezone.localdate()

    def clean():
        cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=LEDGER_FILES_DAYS), time.min))
        removed = 0
        for job in LedgerJob.objects.filter(created_at__lt=cutoff).exclude(file=""):
            job.file.delete(save=False)
            LedgerJob.objects.filter(pk=job.pk).update(file="", error="文件已过期删除")
            removed += 1
        return {"removed": removed}

    return run_once("reports.ledger_files_cleanup", today, clean)


@db_periodic_task(crontab(hour="2", minute="40"))
def ledger_files_cleanup_task():
    """台账导出文件定期清理（保留 7 天）"""
    ledger_files_cleanup()


@db_task()
def ledger_job_run(job_id: int) -> str:
    """台账后台导出"""
    from .services import ledger_job_build

    return ledger_job_build(job_id)


@HUEY.signal(SIGNAL_ERROR)
def record_failure(signal, task, exc=None, *args, **kwargs):
    """Log a failed task (its name and error) for /reports/jobs/. Never raises: a broken transaction or
    a missing table must not hide the task's own error."""
    try:
        if connection.needs_rollback:
            return
        from .models import TaskFailure

        with transaction.atomic():
            TaskFailure.objects.create(task=getattr(task, "name", str(task))[:200],
                                       error=f"{type(exc).__name__}: {exc}"[:500])
    except Exception:  # noqa: BLE001 — logging only
        log.warning("could not record the failure of task %s", task)
