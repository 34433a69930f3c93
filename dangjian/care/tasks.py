"""Periodic job of 关怀: each morning, list the anniversaries due within the notice window ⚙ (once per date)."""
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.jobs import run_once

JOB = "care.anniversaries"


def daily_anniversaries(today: date | None = None) -> dict | None:
    """Idempotent: a second run on the same date does nothing (JobRun unique (job, run_on)); the pending
    greetings it lists are unique per member, kind and date, so overlapping windows never duplicate."""
    from .services import greetings_schedule

    today = today or timezone.localdate()
    return run_once(JOB, today, lambda: greetings_schedule(today=today))


@db_periodic_task(crontab(hour="6", minute="30"))
def care_daily_anniversaries_task():
    daily_anniversaries()
