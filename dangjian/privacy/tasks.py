from huey import crontab
from huey.contrib.djhuey import db_periodic_task
from django.utils import timezone

from dangjian.core.jobs import run_once


@db_periodic_task(crontab(hour="3", minute="20"))
def audit_purge_daily():
    from .services import audit_purge

    today = timezone.localdate()
    return run_once("privacy.audit_purge", today, lambda: audit_purge(today=today))
