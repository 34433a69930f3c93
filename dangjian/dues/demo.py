"""Demo 党费 for 刘集镇: a base per member, a year of payments, a few members in arrears, a publication.

Idempotent: a member who already has a base is left alone. Incomes are deterministic per member
(realistic for a township in Henan: wages 2 600–12 500, pensions 2 480–6 820 yuan a month).
The year of history is written in bulk (thousands of rows in seconds) with the amounts the rules give;
one audit event records the import. Today's work goes through the services like any other.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Unit

from . import bills, cases, rules, services
from .models import ArrearsCase, DuesBill, DuesPayment, DuesPaymentMonth, DuesPolicy, DuesProfile
from .selectors import policy_for


def _category_and_income(member, rnd: random.Random, village: bool):
    if member.is_retired:
        return rules.Category.RETIRED, rnd.choice(["2480.00", "3150.50", "4200.00", "5000.00", "5600.00", "6820.00"])
    if village and rnd.random() < 0.7:
        return rules.Category.FARMER, None
    if member.age < 23 and rnd.random() < 0.6:
        return rules.Category.STUDENT, None
    roll = rnd.random()
    if roll < 0.04:
        return rules.Category.LOW_INCOME, None
    if roll < 0.08:
        return rules.Category.UNEMPLOYED, None
    return rules.Category.EMPLOYED, rnd.choice(["2650.00", "3000.00", "3000.50", "3860.00", "4520.00", "5000.00",
                                                "6380.00", "8200.00", "10000.00", "12500.00"])


def _profile(member, month: date, category: str, income, farmer: Decimal, reason: str) -> DuesProfile:
    q = rules.dues_quote(category=category, income=Decimal(income) if income else None, farmer_amount=farmer)
    return DuesProfile(member=member, region_id=member.region_id, year=month.year, effective_from=month, category=q.category, income=q.income,
                       rate=q.rate, monthly_amount=q.amount, reason=reason)


@transaction.atomic
def seed(ctx) -> None:
    actor = ctx.users.get("zhang")
    if actor is None:
        return
    today = timezone.localdate()
    root = ctx.root
    village_branch = ctx.orgs.get("大孟村党支部")
    if village_branch is not None:
        DuesPolicy.objects.get_or_create(org=village_branch, defaults={"farmer_amount": Decimal("0.50")})
    members = list(members_on_rolls(root).select_related("org", "org__unit").order_by("id"))
    done = set(DuesProfile.objects.filter(member__in=[m.id for m in members]).values_list("member_id", flat=True))
    current = rules.month_of(today)
    first = rules.add_months(current, -12)
    farmer: dict[int, Decimal] = {}
    profiles, payments, months_of = [], [], []
    for member in members:
        if member.id in done or member.joined_on is None:
            continue
        if member.org_id not in farmer:
            farmer[member.org_id] = policy_for(member.org).farmer_amount
        rnd = random.Random(member.id * 7919)
        village = member.org.unit is not None and member.org.unit.kind == Unit.Kind.VILLAGE
        category, income = _category_and_income(member, rnd, village)
        start = max(first, rules.dues_start_month(member.joined_on))
        base_month = max(date(first.year, 1, 1), rules.dues_start_month(member.joined_on))
        mine = [_profile(member, base_month, category, income, farmer[member.org_id], "核定党费基数")]
        if current.year > base_month.year:
            mine.append(_profile(member, date(current.year, 1, 1), category, income, farmer[member.org_id],
                                 f"{current.year} 年度核定"))
        profiles += mine
        # About one member in twenty-five stops paying some months ago: the arrears the sheet should show.
        stop = rules.add_months(current, -rnd.choice([3, 5, 6, 7, 8])) if rnd.random() < 0.03 else None
        months = [m for m in rules.months_between(start, rules.add_months(current, -1)) if stop is None or m < stop]
        quarterly = rnd.random() < 0.5
        for batch in ([months[i:i + 3] for i in range(0, len(months), 3)] if quarterly else [[m] for m in months]):
            pay_day = batch[0] + timedelta(days=rnd.randint(2, 20))
            if pay_day > today:
                continue
            amounts = [next(p for p in reversed(mine) if p.effective_from <= m).monthly_amount for m in batch]
            voluntary = Decimal("1000.00") if (member.is_retired and rnd.random() < 0.02) else (
                Decimal("50.00") if rnd.random() < 0.03 else Decimal("0.00"))
            method = rnd.choice(["cash", "cash", "online", "transfer"])
            payments.append(DuesPayment(
                member=member, org=member.org, region_id=member.region_id, paid_on=pay_day, method=method,
                reference="" if method == "cash" else f"DEMO{member.id}{batch[0]:%Y%m}", amount=sum(amounts),
                voluntary=voluntary, to_centre=rules.voluntary_to_centre(voluntary), created_by=actor,
                proxy_name="家属代交" if rnd.random() < 0.05 else ""))
            months_of.append(list(zip(batch, amounts)))
    DuesProfile.objects.bulk_create(profiles)
    # The monthly bills of the year (what the monthly job issues), then the payments that settle them.
    seeded = [m for m in members if m.id in {p.member_id for p in profiles}]
    bills.bills_issue(members=seeded, start=first, end=current, today=today)
    bill_of = {(b.member_id, b.month): b for b in DuesBill.objects.filter(member__in=[m.id for m in seeded])}
    DuesPayment.objects.bulk_create(payments)  # primary keys come back (RETURNING) on SQLite and PostgreSQL
    DuesPaymentMonth.objects.bulk_create([
        DuesPaymentMonth(payment=p, member_id=p.member_id, region_id=p.region_id, month=m, amount=a,
                         bill=bill_of.get((p.member_id, m)))
        for p, rows in zip(payments, months_of) for m, a in rows], batch_size=2000)
    settled = []
    for p, rows in zip(payments, months_of):
        for m, _ in rows:
            b = bill_of.get((p.member_id, m))
            if b is not None:
                b.state, b.payment = DuesBill.State.PAID, p
                settled.append(b)
    DuesBill.objects.bulk_update(settled, ["state", "payment"], batch_size=2000)
    members_done = len({p.member_id for p in profiles})
    if members_done:
        audit(actor=actor, verb="dues.demo_seed", target=root, org=root,
              after={"members": members_done, "payments": len(payments)})
    branch = ctx.orgs.get("绿博家苑第一党支部")
    if branch is not None and members_done:
        collected, voluntary = services.collected_in_year(org=branch, year=today.year - 1)
        if collected:
            services.dues_publication_publish(actor=actor, org=branch, year=today.year - 1,
                                              handed_up=str(collected), used="0",
                                              use_note="党费全额上缴镇党委，由镇党委统一用于党员教育和困难党员慰问。")
    # One R-ABSENT-6M case under way in branch one: the secretary has phoned the member (党章第三十八条).
    li = ctx.users.get("li")
    if branch is not None and li is not None and not ArrearsCase.objects.filter(org=branch).exists():
        for row in cases.arrears_cases(actor=li, org=branch, on=today)[:1]:
            cases.arrears_contact_record(actor=li, member=row.member, kind="reminder", contacted_on=today,
                                         summary="电话提醒按时交纳党费，本人称外出务工，答应月底前补交", today=today)
    ctx.log.append(f"党费：核定基数 {members_done} 人，交纳记录 {len(payments)} 笔")
