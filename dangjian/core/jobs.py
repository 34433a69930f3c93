"""Once-per-date runs of periodic jobs (core.JobRun is unique per job and date)."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.models import JobRun


def run_once(job: str, run_on: date, fn) -> dict | None:
    """Run fn() for (job, run_on) at most once; None when it already ran (or is running elsewhere)."""
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job, run_on=run_on)
    except IntegrityError:
        return None
    try:
        result = fn()
    except Exception:
        JobRun.objects.filter(pk=run.pk).delete()  # let a later firing retry the day
        raise
    JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), result=result)
    return result
