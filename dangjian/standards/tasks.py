"""Periodic job: 年度复查. Early each January, last year's standards checklists are issued again for the new year
(same items, every target back to "待检查"); once per date and once per checklist and year."""
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.jobs import run_once

JOB = "standards.yearly_recheck"


def yearly_recheck(today: date | None = None) -> int | None:
    from .services import checklists_recheck_due

    today = today or timezone.localdate()
    result = run_once(JOB, today, lambda: {"rechecked": checklists_recheck_due(today)})
    return None if result is None else result["rechecked"]


@db_periodic_task(crontab(month="1", day="5", hour="6", minute="40"))
def standards_yearly_recheck_task():
    yearly_recheck()
