"""Demo committees for 刘集镇: terms of various ages (some expiring within 90 days, one overdue, one postponed),
a complete 换届选举 of 绿博家苑第一党支部 (li is its elected secretary, approved by the community committee) and a
planned election for a branch whose term ends soon.

Idempotent: an org that already has a committee (or an election) is left alone.
"""
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules, selectors, services
from .models import Committee, Election

DUTY_PLAN = ["secretary", "deputy_secretary", "organizing_member", "publicity_member", "discipline_member"]
# org name → (days until expiry; negative = overdue). Others get a fresh term (elected 1–2 years ago).
EXPIRING = {"金科物业党支部": 35, "圣源商砼党支部": 70, "刘集社区第二党支部": 52, "大孟村党支部": 88,
            "绿博家苑第四党支部": 12}
OVERDUE = {"刘集镇直事业单位党支部": -40}
POSTPONED = {"万胜社区流动党员党支部": -20}  # ended 20 days ago, postponed by 6 months with approval
UNRECORDED = {"东史庄村党支部"}              # shows "未登记班子" (and R-COMMITTEE-7 in the size warnings)
BRANCH_ONE = "绿博家苑第一党支部"


def _people(org: Org, first=None, n: int = 5) -> list[int]:
    ids = list(selectors.voters(org).order_by("id").values_list("id", flat=True)[: n + 3])
    if first is not None and first in ids:
        ids.remove(first)
    ids = ([first] if first else []) + ids
    return [i for i in ids if i][:n]


def _elected_on(org: Org, days_to_expiry: int | None, today, i: int):
    years = selectors.term_years_for(org)
    if days_to_expiry is None:
        return today - relativedelta(years=1, months=(i * 5) % 12) - timedelta(days=i * 3)
    expiry = today + timedelta(days=days_to_expiry)
    return expiry - relativedelta(years=years)


def _persona_member(username: str, ctx) -> int | None:
    user = ctx.users.get(username)
    return Member.objects.filter(user=user).values_list("id", flat=True).first() if user else None


def _branch_one_election(ctx, zhang, today) -> None:
    branch = ctx.orgs[BRANCH_ONE]
    if Election.objects.filter(org=branch).exists() or Committee.objects.filter(org=branch).exists():
        return
    li = ctx.users["li"]
    held_on = today - relativedelta(years=2, months=1)
    li_member = _persona_member("li", ctx)
    zhao_member = _persona_member("zhao", ctx)
    pool = [m for m in _people(branch, first=li_member, n=9) if m != zhao_member][:6]
    entitled = selectors.voters_count(branch)
    present = entitled * 9 // 10
    votes = [present - 2, present - 4, present - 5, present - 7, present - 9, present // 3]
    cands = [{"member_id": m, "votes": v} for m, v in zip(pool, votes)]
    e = services.election_create(actor=li, org=branch, held_on=held_on, entitled=entitled, present=present, seats=5,
                                 ballots_issued=present, ballots_returned=present, candidates=cands,
                                 title=f"{branch.name}第二届支部委员会换届选举")
    elected = selectors.elected_members([e])
    duties = {c.member_id: DUTY_PLAN[i] for i, c in enumerate(elected)}
    services.committee_install(actor=li, election=e, duties=duties, took_office_on=held_on + timedelta(days=1))
    committee = Committee.objects.get(org=branch, is_current=True)
    services.committee_approve_secretary(actor=zhang, committee=committee, approved_on=held_on + timedelta(days=9),
                                         approval_org="中共刘集镇绿博家苑社区委员会",
                                         approval_doc="绿博社党〔" + str(held_on.year) + "〕12号")


@transaction.atomic
def seed(ctx) -> None:
    zhang = ctx.users["zhang"]
    today = timezone.localdate()
    _branch_one_election(ctx, zhang, today)
    created = 0
    orgs = list(Org.objects.filter(subtree_q(ctx.root.path)).select_related("unit").order_by("path"))
    have = set(Committee.objects.filter(org__in=orgs).values_list("org_id", flat=True))
    wang_member = _persona_member("wang", ctx)
    for i, org in enumerate(orgs):
        if org.id in have or org.name in UNRECORDED:
            continue
        full = selectors.voters_count(org)
        if full == 0:
            continue
        n = 5 if full >= rules.COMMITTEE_MIN_FULL else min(2, full)
        first = wang_member if org.name == "绿博家苑第二党支部" else None
        people = _people(org, first=first, n=n)
        days = EXPIRING.get(org.name, OVERDUE.get(org.name, POSTPONED.get(org.name)))
        elected_on = _elected_on(org, days, today, i)
        seats = [(mid, DUTY_PLAN[k] if k < len(DUTY_PLAN) else "member") for k, mid in enumerate(people)]
        committee = services.committee_record(actor=zhang, org=org, elected_on=elected_on, seats=seats)
        created += 1
        if org.name in POSTPONED:
            services.term_postpone(actor=zhang, committee=committee,
                                   new_expires_on=committee.expires_on + relativedelta(months=6),
                                   approved_on=committee.expires_on - timedelta(days=30),
                                   approval_org="中共中牟县刘集镇委员会", approval_doc="刘党〔" + str(today.year) + "〕8号",
                                   reason="流动党员集中返乡时间在春节前后，经批准推迟换届")
    open_branch = ctx.orgs.get("金科物业党支部")
    if open_branch is not None and not Election.objects.filter(org=open_branch).exists():
        e = services.election_plan(actor=zhang, org=open_branch, seats=3, planned_on=today + timedelta(days=20),
                                   note="任期将满，按期换届")
        for mid in _people(open_branch, n=4):
            services.candidate_add(actor=zhang, election=e, member_id=mid)
        services.candidates_confirm(actor=zhang, election=e)
    if created:
        ctx.log.append(f"  班子与换届：登记 {created} 个班子（含即将到期、超期、延期），1 次完整换届选举，1 次筹备中的选举")
