"""Demo 关怀 for 刘集镇: the township's 帮扶基金 (seed 000: 8 members helped, 35 000 yuan), a 党建经费 of
30 000 yuan per enterprise branch (seed 003), holiday visit plans with visits, and this week's greetings.

Idempotent: funds and plans are looked up by name; nothing is added twice.
"""
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org

from . import services
from .models import CarePlan, CareProfile, Fund
from .selectors import due_list
from .tasks import daily_anniversaries

ASSISTANCE = "刘集镇困难党员帮扶基金"
# Seed 000: 8 members in urgent need (serious illness or sudden misfortune) helped with 35 000 yuan in all.
RELIEFS = [("major_illness_relief", "8000.00", "肺癌术后化疗"), ("major_illness_relief", "6000.00", "尿毒症透析"),
           ("major_illness_relief", "5000.00", "脑梗住院"), ("relief", "4000.00", "房屋火灾"),
           ("relief", "3500.00", "车祸受伤，家庭无收入"), ("assistance", "3000.00", "子女上学困难"),
           ("assistance", "3000.00", "独居老党员生活困难"), ("assistance", "2500.00", "下岗后生活困难")]


def _fund(ctx, org, name, kind, threshold="5000"):
    return Fund.objects.filter(org=org, name=name).first() or services.fund_create(
        actor=ctx.users["zhang"], org=org, name=name, kind=kind, approval_threshold=threshold)


@transaction.atomic
def seed(ctx) -> None:
    zhang = ctx.users.get("zhang")
    if zhang is None:
        return
    today = timezone.localdate()
    root = ctx.root
    members = list(members_on_rolls(root).select_related("org").order_by("id"))
    fund = _fund(ctx, root, ASSISTANCE, Fund.Kind.ASSISTANCE, threshold="10000")
    if not fund.entries.exists():
        services.fund_income(actor=zhang, fund=fund, amount="60000.00", category="allocation",
                             purpose="镇党委拨付困难党员帮扶基金", entry_on=date(today.year, 1, 8))
        # Flag a few members and help eight of them (35 000 yuan in all).
        for i, m in enumerate(members[3::max(1, len(members) // 8)][:8]):
            CareProfile.objects.update_or_create(member=m, defaults={"is_ill": i < 3, "laid_off": i == 7,
                                                                      "note": RELIEFS[i][2]})
            kind, amount, reason = RELIEFS[i]
            services.relief_grant(actor=zhang, fund=fund, member=m, kind=kind, amount=amount, reason=reason,
                                  decided_on=min(today, date(today.year, 3, 1) + timedelta(days=9 * i)),
                                  approval_ref="刘集党发〔%d〕%d号" % (today.year, 10 + i))
    for m in members[5::31][:6]:
        if m.is_retired:
            CareProfile.objects.update_or_create(member=m, defaults={"lives_alone": True, "note": "子女在外地"})
    # 党建经费: 30 000 yuan per enterprise branch (seed 003).
    committee = ctx.orgs.get("刘集镇非公企业党委")
    if committee is not None:
        for branch in Org.objects.in_subtree(committee).filter(kind=Org.Kind.BRANCH):
            f = _fund(ctx, branch, f"{branch.name}党建经费", Fund.Kind.PARTY_BUILDING)
            if not f.entries.exists():
                services.fund_income(actor=zhang, fund=f, amount="30000.00", category="allocation",
                                     purpose="镇党委按每个企业支部 3 万元标准下拨党建工作经费",
                                     entry_on=date(today.year, 1, 15))
                services.fund_disburse(actor=zhang, fund=f, amount="4860.00", category="activity",
                                       purpose="党员活动室规范化建设（党旗、制度牌、书柜）",
                                       entry_on=min(today, date(today.year, 4, 20)))
    # Holiday visits (seeds 002, 004): 春节 and 七一 plans of the township, visits to those due.
    plans = [("春节走访慰问老党员、困难党员", "spring_festival", date(today.year, 1, 20), date(today.year, 2, 10)),
             ("“七一”走访慰问老党员", "party_day", date(today.year, 6, 20), date(today.year, 7, 5))]
    for title, occasion, start, end in plans:
        title = f"{start.year}年{title}"
        if CarePlan.objects.filter(org=root, title=title).exists() or start > today:
            continue
        plan = services.care_plan_create(actor=zhang, org=root, title=title, occasion=occasion, starts_on=start,
                                         ends_on=end, budget="20000", fund=fund)
        for i, row in enumerate(due_list(actor=zhang, org=root, plan=plan, on=start)[:12]):
            money = Decimal("500.00") if any(r.code in ("veteran", "pre_1949", "in_hardship") for r in row.reasons) \
                else Decimal("300.00")
            services.care_visit_record(actor=zhang, member=row.member, plan=plan, occasion=occasion,
                                       visited_on=min(today, start + timedelta(days=i % 10)),
                                       visitors="张建国、王坤", gifts="米、面、油", money=str(money),
                                       today=max(today, start))
    daily_anniversaries(today)
    ctx.log.append(f"关怀：{ASSISTANCE} 余额 {Fund.objects.get(pk=fund.pk).balance} 元")
