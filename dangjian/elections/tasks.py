"""Periodic job: 换届提醒 (R-TERM-REMIND ⚙). Each morning, the secretaries of every org whose committee's term
ends within the window — and of its upper org — get one notice per term and state (expiring, then overdue)."""
from datetime import date

from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.jobs import run_once

JOB = "elections.term_reminders"


def _recipients(org):
    """Users holding secretary/admin roles at the org or its parent (the ones who organize 换届)."""
    from dangjian.accounts.models import Role

    orgs = [org]
    parent = org.get_parent()
    if parent is not None:
        orgs.append(parent)
    roles = Role.objects.filter(org__in=orgs, role__in=[Role.Kind.SECRETARY, Role.Kind.ADMIN]).select_related("user")
    return list({r.user_id: r.user for r in roles}.values())


def send_term_reminders(today: date) -> dict:
    from dangjian.orgs.models import Org

    from . import rules, selectors

    counts = {rules.EXPIRING: 0, rules.OVERDUE: 0}
    if not apps.is_installed("dangjian.notify"):
        return counts
    from dangjian.notify.services import notify

    for root in Org.get_root_nodes():
        for term in selectors.terms_in_subtree(root, on=today):
            if term.state not in counts:
                continue
            c = term.committee
            if term.state == rules.EXPIRING:
                title = f"{term.org.name}班子任期将于 {c.expires_on:%Y-%m-%d} 届满，请及时筹备换届"
            else:
                title = f"{term.org.name}班子任期已于 {c.expires_on:%Y-%m-%d} 届满，请尽快换届或报批延期"
            with transaction.atomic():
                sent = notify(users=_recipients(term.org), kind="elections.term", title=title,
                              url=reverse("elections:committee", kwargs={"org_id": term.org.id}),
                              dedupe_key=f"elections.term:{c.id}:{c.expires_on:%Y%m%d}:{term.state}", org=term.org)
            counts[term.state] += 1 if sent else 0
    return counts


def term_reminders(today: date | None = None) -> dict | None:
    """Idempotent: once per date (JobRun), and once per term and state (the notice's dedupe key)."""
    today = today or timezone.localdate()
    return run_once(JOB, today, lambda: send_term_reminders(today))


@db_periodic_task(crontab(hour="7", minute="10"))
def elections_term_reminders_task():
    term_reminders()
