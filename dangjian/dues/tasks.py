"""Periodic jobs of 党费 (one Huey consumer runs the schedule; each run is once per date)."""
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import rules
from dangjian.core.jobs import run_once


def annual_review(today: date | None = None) -> dict | None:
    """R-DUES-ANNUAL: in January, fix the year's monthly amounts from the latest bases (once a year)."""
    from .services import dues_annual_review

    today = today or timezone.localdate()
    if today.month != 1:
        return None
    return run_once("dues.annual_review", date(today.year, 1, 1),
                    lambda: {"created": dues_annual_review(actor=None, year=today.year)})


def arrears_scan(today: date | None = None) -> dict | None:
    """R-ABSENT-6M: count members at the 3-month warning and the 6-month case (warnings only, monthly)."""
    from dangjian.members.models import Member
    from dangjian.members.choices import ACTIVE_STATUSES, Stage

    from .selectors import arrears_for

    today = today or timezone.localdate()

    def scan():
        members = Member.objects.filter(stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES)
        counts = arrears_for(members.only("id", "joined_on", "org_id"), on=today)
        warn = [mid for mid, n in counts.items() if rules.arrears_level(n) == "warning"]
        case = [mid for mid, n in counts.items() if rules.arrears_level(n) == "case"]
        return {"month": rules.month_label(rules.month_of(today)), "warning": len(warn), "case": len(case),
                "case_member_ids": case[:500]}

    return run_once("dues.arrears_scan", rules.month_of(today), scan)


def bills_generate(today: date | None = None) -> dict | None:
    """R-DUES-BILL: issue this month's bills (and missing ones of the past 12 months) from the bases valid
    then. Once per month: run_once is keyed by the month's first day, so the daily firing does the work on
    the first day the consumer is up and nothing afterwards; re-running issues nothing twice (unique
    member+month). In January the annual review (R-DUES-ANNUAL) runs first, so January bills use it."""
    from dangjian.core.audit import audit

    from .bills import bills_issue_month
    from .services import dues_annual_review

    today = today or timezone.localdate()
    month = rules.month_of(today)

    def work():
        reviewed = dues_annual_review(actor=None, year=month.year) if month.month == 1 else 0
        result = {**bills_issue_month(today=today), "annual_review": reviewed}
        audit(actor=None, verb="dues.bills_generate", after=result)
        return result

    return run_once("dues.bills_generate", month, work)


@db_periodic_task(crontab(hour="1", minute="20"))
def dues_bills_generate_task():
    bills_generate()


@db_periodic_task(crontab(month="1", day="1-7", hour="1", minute="10"))
def dues_annual_review_task():
    annual_review()


@db_periodic_task(crontab(day="1", hour="2", minute="10"))
def dues_arrears_scan_task():
    arrears_scan()
