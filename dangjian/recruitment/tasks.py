"""Periodic job of 发展党员: each morning, remind secretaries (and the person, where it concerns them) of
steps falling due within 14 days and of those overdue (issue 5, "Reminders"). Once per date (JobRun);
the notifications' dedupe keys hold the date too, so even a forced re-run sends nothing twice."""
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.jobs import run_once

JOB = "recruitment.reminders"
WITHIN_DAYS = 14


def daily_reminders(today: date | None = None) -> dict | None:
    """None when the job already ran for `today`; else how many notifications went to whom."""
    from .services import due_reminders_send

    today = today or timezone.localdate()
    return run_once(JOB, today, lambda: due_reminders_send(today=today, within=WITHIN_DAYS))


@db_periodic_task(crontab(hour="7", minute="15"))
def recruitment_daily_reminders_task():
    daily_reminders()
