"""Periodic job of 党员积分: the warning lists (R-POINTS-WARN) of the period that has just ended.

One Huey consumer runs the schedule; each run is once per date (core.jobs.run_once) and the scan itself is
idempotent (one warning per member and period; one notice per warning and level, by dedupe key).
"""
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.jobs import run_once

JOB = "points.warnings_scan"


def scan_all(today: date) -> dict:
    """For every root org, draw the warning list of the scheme's period that ended yesterday or earlier."""
    from dangjian.orgs.models import Org

    from . import rules, selectors
    from .services_warnings import warnings_scan

    out = {}
    for root in Org.get_root_nodes().filter(is_active=True):
        scheme = selectors.scheme_for(root)
        period = rules.previous_period(rules.period_of(today, scheme.period_kind))
        counts = warnings_scan(actor=None, org=root, period=period.label)
        out[str(root.id)] = counts
    return out


def warnings_job(today: date | None = None) -> dict | None:
    today = today or timezone.localdate()
    return run_once(JOB, today, lambda: scan_all(today))


@db_periodic_task(crontab(day="1,8,15", hour="3", minute="20"))
def points_warnings_task():
    """Early each month (and again a week later, after late corrections): refresh the last period's list."""
    warnings_job()
