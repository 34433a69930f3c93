"""Periodic job of 诉求: escalate overdue steps (R-PET-ESCALATE), once per date (core.JobRun)."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.models import JobRun

JOB = "petitions.escalate"


def escalate_overdue_once(today: date | None = None) -> int | None:
    """Run the escalation for `today` at most once; the number raised, or None when the day already ran.
    Running it again anyway is harmless: an Escalation row is unique per petition and step."""
    from .services import petitions_escalate_overdue

    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=JOB, run_on=today)
    except IntegrityError:
        return None
    try:
        created = petitions_escalate_overdue(today=today)
    except Exception:
        JobRun.objects.filter(pk=run.pk).delete()  # let a later firing retry the day
        raise
    JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), result={"escalated": created})
    return created


@db_periodic_task(crontab(hour="7", minute="30"))
def petitions_escalate_task():
    escalate_overdue_once()
