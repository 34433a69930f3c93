"""党费账单 (DuesBill): issuing the monthly bills, settling them by payments, adjusting them for exemptions.

A bill fixes what a member owes for a month when it is issued, from the base valid for that month
(R-DUES-BRACKET / R-DUES-FIXED / R-DUES-FARMER, the rule id stored on the bill); a later change of income
changes later bills only. Issuing is idempotent: (member, month) is unique, and the monthly job
(tasks.bills_generate, once per month through core.jobs.run_once) only adds what is missing.
"""
from datetime import date

from django.db import transaction
from django.db.models import Q

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org

from . import rules
from .models import DuesBill, DuesExemption
from .selectors import load_dues_data

CHUNK = 2000


def bills_issue(*, members, start: date, end: date, today: date) -> int:
    """Issue the missing bills of `members` for the months start..end (each from the member's start month).

    Paid months without a bill (ledger rows older than bills) get a bill marked paid. Returns bills created.
    """
    members = list(members)
    if not members or end < start:
        return 0
    data = load_dues_data([m.id for m in members], start=start, end=end)
    new = []
    for m in members:
        first = rules.dues_start_month(m.joined_on)
        if first is None:
            continue
        for month in rules.months_between(max(start, first), end):
            if (m.id, month) in data.bills:
                continue
            profile = data.profile_at(m.id, month)
            if profile is None:
                continue
            exemption = data.exemption_at(m.id, month)
            due = rules.bill_due(amount=profile.monthly_amount,
                                 exemption_amount=exemption.monthly_amount if exemption else None)
            if data.is_paid(m.id, month):
                state = DuesBill.State.PAID
            elif exemption is not None and due == 0:
                state = DuesBill.State.EXEMPT
            else:
                state = DuesBill.State.OPEN
            new.append(DuesBill(member_id=m.id, org_id=m.org_id, region_id=m.region_id, month=month,
                                profile=profile, category=profile.category, income=profile.income,
                                rate=profile.rate, amount=profile.monthly_amount,
                                rule=rules.quote_rule(profile.category), exemption=exemption, due=due,
                                state=state, issued_on=today))
    # ignore_conflicts: a bill issued meanwhile (a payment, another run) wins; nothing is issued twice.
    DuesBill.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
    return len(new)


def _members_on_rolls_qs():
    return Member.objects.filter(stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES)


def bills_issue_month(*, today: date, org: Org | None = None) -> dict:
    """The monthly job's work: this month's bill for every member on the rolls (under org), plus bills missing
    for the past BILL_CATCHUP_MONTHS (R-DUES-BILL-CATCHUP) — e.g. a member whose base was set late."""
    month = rules.month_of(today)
    start = rules.add_months(month, -rules.BILL_CATCHUP_MONTHS)
    qs = members_on_rolls(org) if org is not None else _members_on_rolls_qs()
    qs = qs.only("id", "org_id", "region_id", "joined_on").order_by("id")
    created = members = 0
    last_id = 0
    while True:
        chunk = list(qs.filter(id__gt=last_id)[:CHUNK])
        if not chunk:
            break
        last_id = chunk[-1].id
        members += len(chunk)
        with transaction.atomic():
            created += bills_issue(members=chunk, start=start, end=month, today=today)
    return {"month": rules.month_label(month), "members": members, "created": created}


@transaction.atomic
def dues_bills_issue(*, actor, org: Org, today: date) -> dict:
    """A secretary issues this month's bills for the branch now (the job would do the same on its day)."""
    require(actor, "dues.edit", org)
    result = bills_issue_month(today=today, org=org)
    audit(actor=actor, verb="dues.bills_issue", target=org, org=org, after=result)
    return result


def bills_for_payment(*, member: Member, months: list[date], today: date) -> None:
    """Before a payment: issue the bills of the months paid (an advance month is billed from today's base)."""
    if months:
        bills_issue(members=[member], start=min(months), end=max(months), today=today)


def bills_settle(*, member: Member, months: list[date], payment) -> int:
    """The payment settles the months' bills (called in the payment's transaction)."""
    return DuesBill.objects.filter(member=member, month__in=months).update(state=DuesBill.State.PAID,
                                                                           payment=payment)


def bills_reopen(*, member_id: int, months: list[date]) -> int:
    """A reversal reopens the months' bills (the ledger keeps both entries)."""
    return DuesBill.objects.filter(member_id=member_id, month__in=months).update(state=DuesBill.State.OPEN,
                                                                                 payment=None)


def bills_apply_exemption(exemption: DuesExemption) -> int:
    """R-DUES-EXEMPT: unpaid bills of the exemption's period owe the reduced amount (0 → exempt)."""
    n = 0
    for bill in DuesBill.objects.filter(member_id=exemption.member_id, month__gte=exemption.from_month,
                                        month__lte=exemption.to_month).exclude(state=DuesBill.State.PAID):
        bill.exemption = exemption
        bill.due = rules.bill_due(amount=bill.amount, exemption_amount=exemption.monthly_amount)
        bill.state = DuesBill.State.EXEMPT if bill.due == 0 else DuesBill.State.OPEN
        bill.save(update_fields=["exemption", "due", "state", "updated_at"])
        n += 1
    return n


def bills_revoke_exemption(exemption: DuesExemption, *, from_month: date) -> int:
    """The exemption ends: unpaid bills from `from_month` on owe the standard amount again."""
    n = 0
    for bill in DuesBill.objects.filter(Q(exemption=exemption), month__gte=from_month).exclude(
            state=DuesBill.State.PAID):
        bill.exemption, bill.due, bill.state = None, bill.amount, DuesBill.State.OPEN
        bill.save(update_fields=["exemption", "due", "state", "updated_at"])
        n += 1
    return n
