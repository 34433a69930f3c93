"""Periodic jobs of organizational life (one Huey consumer runs the schedule; each run once per date)."""
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core.jobs import run_once

DAILY, WEEKLY = "meetings.daily_reminders", "meetings.weekly_prompt"


def daily_reminders(today: date | None = None) -> dict | None:
    """Period-closing reminders, meeting notices and 谈心谈话 reminders; None when already run today."""
    from .reminders import send_daily

    today = today or timezone.localdate()
    return run_once(DAILY, today, lambda: send_daily(today))


def weekly_prompt(today: date | None = None) -> dict | None:
    """每周工作提示 to every branch committee, once per week (keyed by the Monday)."""
    from . import rules
    from .reminders import send_weekly

    today = today or timezone.localdate()
    return run_once(WEEKLY, rules.week_start(today), lambda: send_weekly(today))


@db_periodic_task(crontab(hour="7", minute="20"))
def meetings_daily_reminders_task():
    daily_reminders()


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="35"))
def meetings_weekly_prompt_task():
    weekly_prompt()


# Write-behind sign-in (checkin_queue): a flush a second after the first check-in of a burst, and every minute
# in case that one was lost. A flush is idempotent by itself (rows already present are skipped), so unlike the
# daily jobs it keeps no run row.
@db_task()
def meetings_checkin_flush_task():
    from . import checkin_queue

    checkin_queue.flush_all()


@db_periodic_task(crontab(minute="*"))
def meetings_checkin_flush_periodic_task():
    from . import checkin_queue

    checkin_queue.flush_all()
