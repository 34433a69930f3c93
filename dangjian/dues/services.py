"""Writes of 党费: one transaction each, with its audit event (DESIGN rule 3).

Bad input raises DomainError before anything is written; the ledger is only ever appended to.
"""
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import bills, rules
from .models import DuesExemption, DuesPayment, DuesPaymentMonth, DuesPolicy, DuesProfile, DuesPublication
from .selectors import collected_in_year, load_dues_data, member_cells, policy_for

PROFILE_FIELDS = ["category", "income", "rate", "monthly_amount", "effective_from", "reason"]


def _today() -> date:
    return timezone.localdate()


def _domain(exc: rules.RuleError) -> DomainError:
    return DomainError(exc.message, rule=exc.rule, field=exc.field)


def _text(value, *, field: str, label: str, max_len: int, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return value


def _on_rolls(member: Member) -> None:
    if member.stage not in (Stage.PROBATIONARY, Stage.FULL) or member.status not in ACTIVE_STATUSES:
        raise DomainError("只有在册的正式党员和预备党员交纳党费", rule="R-DUES-START", field="member_id")


# --- bases ----------------------------------------------------------------------------------------

def quote(*, category: str, income=None, org: Org | None = None) -> rules.Quote:
    """The monthly amount for a category and income (farmers: the branch's ⚙ amount)."""
    try:
        parsed = rules.parse_money(income, field="income", label="月收入", allow_none=True)
        farmer = policy_for(org).farmer_amount if org is not None else None
        return rules.dues_quote(category=category, income=parsed, farmer_amount=farmer)
    except rules.RuleError as exc:
        raise _domain(exc)


@transaction.atomic
def dues_base_set(*, actor, member: Member, category: str, income=None, effective_from=None, reason: str = "",
                  today: date | None = None) -> DuesProfile:
    """Set the member's category and base from a month on (the January review, or a re-base with reason)."""
    require(actor, "dues.edit", member.org)
    today = today or _today()
    _on_rolls(member)
    reason = _text(reason, field="reason", label="调整原因", max_len=200)
    try:
        month = rules.parse_month(effective_from or rules.month_label(today), field="effective_from")
    except rules.RuleError as exc:
        raise _domain(exc)
    if month > rules.add_months(rules.month_of(today), 12):
        raise DomainError("起始月份不能晚于一年以后", field="effective_from")
    q = quote(category=category, income=income, org=member.org)
    if q.income is not None and q.amount == 0:
        raise DomainError("按收入计算的月党费为 0，无收入的党员请选择下岗失业等固定标准类别",
                          rule="R-DUES-BRACKET", field="income")
    member = Member.objects.select_for_update().get(pk=member.pk)  # serialize with payments of this member
    earlier = DuesProfile.objects.filter(member=member, effective_from__lt=month).exists()
    if earlier and month.month != 1 and not reason:
        raise DomainError("年中调整党费基数须说明原因（如收入变化）", rule="R-DUES-REBASE", field="reason")
    # The new base applies from `month` until the next later base; none of those months may be paid already.
    later = DuesProfile.objects.filter(member=member, effective_from__gt=month).order_by("effective_from").first()
    span = Q(month__gte=month) & (Q(month__lt=later.effective_from) if later else Q())
    paid_after = DuesPaymentMonth.objects.filter(span, member=member).values("month").annotate(
        p=Count("id", filter=Q(kind=DuesPayment.Kind.PAYMENT)),
        r=Count("id", filter=Q(kind=DuesPayment.Kind.REVERSAL))).filter(p__gt=F("r")).order_by("month").first()
    if paid_after is not None:
        raise DomainError(f"{rules.month_label(paid_after['month'])} 已按原基数交纳，新基数须从之后的未交月份起生效",
                          rule="R-DUES-REBASE", field="effective_from")
    profile = DuesProfile.objects.filter(member=member, effective_from=month).first()
    before = snapshot(profile, PROFILE_FIELDS) if profile else None
    if profile is None:
        profile = DuesProfile(member=member, effective_from=month, created_by=actor if actor.pk else None)
    profile.year = month.year
    profile.category, profile.income, profile.rate, profile.monthly_amount = q.category, q.income, q.rate, q.amount
    profile.reason = reason or ("年度核定" if month.month == 1 else "")
    profile.save()
    # Bills already issued keep their amount (a changed income changes later bills only, R-DUES-BILL);
    # months from `month` up to this one that have no bill yet are billed from the new base now.
    issued = bills.bills_issue(members=[member], start=month, end=rules.month_of(today), today=today)
    audit(actor=actor, verb="dues.base_set" if before is None else "dues.base_update", target=profile,
          org=member.org, before=before, after={**snapshot(profile, PROFILE_FIELDS), "bills_issued": issued})
    return profile


@transaction.atomic
def dues_annual_review(*, actor, year: int, org: Org | None = None) -> int:
    """R-DUES-ANNUAL (RULES §4 Decision): each January, fix the year's monthly amount from the latest base.

    Members with a base from an earlier year and none for `year` get a January row with the same
    category and income, recomputed (the branch's farmer amount may have changed). Idempotent.
    """
    from dangjian.members.selectors import members_in_subtree

    members = Member.objects.filter(stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES)
    if org is not None:
        members = members_in_subtree(org).filter(id__in=members.values("id"))
    january = date(year, 1, 1)
    have = set(DuesProfile.objects.filter(year=year, effective_from=january).values_list("member_id", flat=True))
    latest: dict[int, DuesProfile] = {}
    for p in DuesProfile.objects.filter(member__in=members.values("id"), effective_from__lt=january).order_by(
            "member_id", "effective_from"):
        latest[p.member_id] = p
    created = 0
    policies: dict[int, Decimal] = {}
    for member in members.select_related("org").filter(id__in=list(latest)).exclude(id__in=have):
        prev = latest[member.id]
        if member.org_id not in policies:
            policies[member.org_id] = policy_for(member.org).farmer_amount
        q = rules.dues_quote(category=prev.category, income=prev.income, farmer_amount=policies[member.org_id])
        profile = DuesProfile.objects.create(member=member, year=year, effective_from=january, category=q.category,
                                             income=q.income, rate=q.rate, monthly_amount=q.amount,
                                             reason=f"{year} 年度核定（沿用上年基数）")
        audit(actor=actor, verb="dues.annual_review", target=profile, org=member.org,
              before={"monthly_amount": prev.monthly_amount}, after=snapshot(profile, PROFILE_FIELDS))
        created += 1
    return created


@transaction.atomic
def dues_policy_set(*, actor, org: Org, farmer_amount=None, back_limit_months=None,
                    advance_limit_months=None) -> DuesPolicy:
    """Set the ⚙ values for org and below (farmer amount by the branch; limits by a committee)."""
    require(actor, "dues.edit", org)
    policy = DuesPolicy.objects.filter(org=org).first() or DuesPolicy(org=org)
    before = snapshot(policy, ["farmer_amount", "back_limit_months", "advance_limit_months"]) if policy.pk else None
    if farmer_amount is not None:
        try:
            amount = rules.parse_money(farmer_amount, field="farmer_amount", label="农民党员月党费")
            rules.check_farmer_amount(amount)
        except rules.RuleError as exc:
            raise _domain(exc)
        policy.farmer_amount = amount
    for name, value in (("back_limit_months", back_limit_months), ("advance_limit_months", advance_limit_months)):
        if value is not None:
            if not isinstance(value, int) or not 0 <= value <= 12:
                raise DomainError("月数应为 0 到 12 之间的整数", field=name)
            if org.kind == Org.Kind.BRANCH:
                raise DomainError("补交、预交期限由党委设定", field=name)
            setattr(policy, name, value)
    policy.save()
    audit(actor=actor, verb="dues.policy_set", target=policy, org=org, before=before,
          after=snapshot(policy, ["farmer_amount", "back_limit_months", "advance_limit_months"]))
    return policy


# --- exemptions -----------------------------------------------------------------------------------

@transaction.atomic
def dues_exemption_create(*, actor, member: Member, from_month, to_month, monthly_amount="0", reason: str,
                          branch_decided_on: date, approved_on: date, approval_ref: str,
                          today: date | None = None) -> DuesExemption:
    """Hardship (RULES §4): pay less or nothing for a period, after the branch's study and upper approval."""
    require(actor, "dues.edit", member.org)
    today = today or _today()
    _on_rolls(member)
    try:
        start = rules.parse_month(from_month, field="from_month")
        end = rules.parse_month(to_month, field="to_month")
        amount = rules.parse_money(monthly_amount, field="monthly_amount", label="减免后月交纳额")
    except rules.RuleError as exc:
        raise _domain(exc)
    if end < start:
        raise DomainError("截止月份不能早于起始月份", field="to_month")
    if rules.month_index(end) - rules.month_index(start) >= 24:
        raise DomainError("一次减免期限不超过两年，期满可重新申请", rule="R-DUES-EXEMPT", field="to_month")
    reason = _text(reason, field="reason", label="申请理由", max_len=300, required=True)
    approval_ref = _text(approval_ref, field="approval_ref", label="上级党委批准文号或意见", max_len=100,
                         required=True)
    for name, value in (("branch_decided_on", branch_decided_on), ("approved_on", approved_on)):
        if not isinstance(value, date):
            raise DomainError("日期格式应为 YYYY-MM-DD", field=name)
        if value > today:
            raise DomainError("日期不能晚于今天", field=name)
    if approved_on < branch_decided_on:
        raise DomainError("上级批准日期不能早于支部研究日期", rule="R-DUES-EXEMPT", field="approved_on")
    member = Member.objects.select_for_update().get(pk=member.pk)
    profile_amounts = load_dues_data([member.id], start=start, end=end)
    for m in rules.months_between(start, end):
        p = profile_amounts.profile_at(member.id, m)
        if p is not None and amount >= p.monthly_amount:
            raise DomainError(f"减免后金额应低于 {rules.month_label(m)} 的应交额 {p.monthly_amount} 元",
                              rule="R-DUES-EXEMPT", field="monthly_amount")
        if profile_amounts.is_paid(member.id, m):
            raise DomainError(f"{rules.month_label(m)} 已交纳，减免期间不能包含已交月份",
                              rule="R-DUES-EXEMPT", field="from_month")
    overlapping = DuesExemption.objects.filter(member=member, from_month__lte=end, to_month__gte=start,
                                               revoked_on__isnull=True)
    if overlapping.exists():
        raise Conflict("该期间已有减免记录", rule="R-DUES-EXEMPT", field="from_month")
    ex = DuesExemption.objects.create(member=member, from_month=start, to_month=end, monthly_amount=amount,
                                      reason=reason, branch_decided_on=branch_decided_on, approved_on=approved_on,
                                      approval_ref=approval_ref, created_by=actor if actor.pk else None)
    adjusted = bills.bills_apply_exemption(ex)
    audit(actor=actor, verb="dues.exemption_create", target=ex, org=member.org,
          after={**snapshot(ex, ["from_month", "to_month", "monthly_amount", "reason", "approval_ref"]),
                 "bills_adjusted": adjusted})
    return ex


@transaction.atomic
def dues_exemption_revoke(*, actor, exemption: DuesExemption, reason: str, today: date | None = None
                          ) -> DuesExemption:
    """End an exemption from the current month on (hardship over); earlier months stay exempt."""
    require(actor, "dues.edit", exemption.member.org)
    reason = _text(reason, field="reason", label="撤销原因", max_len=200, required=True)
    exemption = DuesExemption.objects.select_for_update().get(pk=exemption.pk)
    if exemption.revoked_on:
        raise Conflict("该减免已撤销", rule="R-DUES-EXEMPT")
    exemption.revoked_on = today or _today()
    exemption.revoke_reason = reason
    exemption.save(update_fields=["revoked_on", "revoke_reason"])
    restored = bills.bills_revoke_exemption(exemption, from_month=rules.month_of(exemption.revoked_on))
    audit(actor=actor, verb="dues.exemption_revoke", target=exemption, org=exemption.member.org,
          after={"revoked_on": exemption.revoked_on, "reason": reason, "bills_restored": restored})
    return exemption


# --- payments (the ledger) -----------------------------------------------------------------------

def _parse_paid_on(paid_on, today: date) -> date:
    if paid_on in (None, ""):
        return today
    if isinstance(paid_on, str):
        try:
            paid_on = date.fromisoformat(paid_on.strip())
        except ValueError:
            raise DomainError("交纳日期格式应为 YYYY-MM-DD", field="paid_on")
    if not isinstance(paid_on, date):
        raise DomainError("交纳日期格式应为 YYYY-MM-DD", field="paid_on")
    if paid_on > today:
        raise DomainError("交纳日期不能晚于今天", field="paid_on")
    if paid_on < rules.add_months(rules.month_of(today), -1):
        raise DomainError("交纳日期只能补记上月以来的收款", field="paid_on")
    return paid_on


@transaction.atomic
def dues_payment_record(*, actor, member: Member, months: list, amount, method: str, voluntary="0",
                        paid_on=None, reference: str = "", proxy_name: str = "", note: str = "",
                        today: date | None = None) -> DuesPayment:
    """Record one payment of one or more months (RULES §4): each month at most once (R-DUES-ONCE), back
    payment ≤ 6 months (R-DUES-BACK ⚙), ≤ a quarter in advance (R-DUES-ADVANCE ⚙), from the admission
    month (R-DUES-START), `amount` equal to the months' total (R-DUES-AMOUNT), voluntary part separate."""
    require(actor, "dues.edit", member.org)
    today = today or _today()
    _on_rolls(member)
    if method not in DuesPayment.Method.values:
        raise DomainError("交纳方式应为现金、转账或网上交纳（支部不得代交或从工资中扣缴）", rule="R-DUES-METHOD",
                          field="method")
    if not isinstance(months, (list, tuple)) or len(months) > 24:
        raise DomainError("月份应为 YYYY-MM 列表", field="months")
    try:
        parsed = [rules.parse_month(m) for m in months]
        total = rules.parse_money(amount, field="amount", label="党费金额")
        extra = rules.parse_money(voluntary if voluntary not in (None, "") else "0", field="voluntary",
                                  label="自愿多交金额")
    except rules.RuleError as exc:
        raise _domain(exc)
    paid_on = _parse_paid_on(paid_on, today)
    reference = _text(reference, field="reference", label="交易号", max_len=64)
    proxy_name = _text(proxy_name, field="proxy_name", label="代交人", max_len=50)
    note = _text(note, field="note", label="备注", max_len=200)
    if method in (DuesPayment.Method.TRANSFER, DuesPayment.Method.ONLINE) and not reference:
        raise DomainError("转账或网上交纳请填写交易号", field="reference")
    policy = policy_for(member.org)
    try:
        rules.check_payment_months(months=parsed, today=today, start=rules.dues_start_month(member.joined_on),
                                   back_limit=policy.back_limit, advance_limit=policy.advance_limit)
    except rules.RuleError as exc:
        raise _domain(exc)
    # Serialize payments of this member (PostgreSQL row lock; SQLite transactions are IMMEDIATE).
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    bills.bills_for_payment(member=member, months=parsed, today=today)  # a payment settles stored bills
    data = load_dues_data([member.id], start=min(parsed), end=max(parsed))
    cells = {c.month: c for c in member_cells(member, sorted(parsed), data, on=today, policy=policy)}
    expected = rules.ZERO
    for m in sorted(parsed):
        cell = cells[m]
        if cell.state == "paid":
            raise Conflict(f"{cell.label} 的党费已交纳，不能重复交纳", rule="R-DUES-ONCE", field="months")
        if cell.state == "exempt":
            raise DomainError(f"{cell.label} 已批准免交", rule="R-DUES-EXEMPT", field="months")
        if cell.state == "no_base":
            raise DomainError(f"{cell.label} 尚未核定党费基数，请先核定", rule="R-DUES-BASE", field="months")
        expected += cell.due
    if total != expected:
        raise DomainError(f"金额 {total} 元与所选月份应交合计 {expected} 元不符（自愿多交请单独填写）",
                          rule="R-DUES-AMOUNT", field="amount")
    generations = dict(DuesPaymentMonth.objects.filter(member=member, month__in=parsed,
                                                       kind=DuesPayment.Kind.REVERSAL)
                       .values("month").annotate(n=Count("id")).values_list("month", "n"))
    try:
        with transaction.atomic():
            payment = DuesPayment.objects.create(
                member=member, org=member.org, region_id=member.region_id, paid_on=paid_on, method=method,
                reference=reference, amount=total, voluntary=extra, to_centre=rules.voluntary_to_centre(extra),
                proxy_name=proxy_name, note=note, created_by=actor if actor.pk else None)
            DuesPaymentMonth.objects.bulk_create([
                DuesPaymentMonth(payment=payment, member=member, region_id=payment.region_id, month=m,
                                 amount=cells[m].due, generation=generations.get(m, 0), bill=cells[m].bill)
                for m in sorted(parsed)])
    except IntegrityError:  # a simultaneous payment of the same month won the race
        raise Conflict("所选月份的党费已交纳，不能重复交纳", rule="R-DUES-ONCE", field="months")
    bills.bills_settle(member=member, months=parsed, payment=payment)
    from .cases import cases_close_if_paid

    cases_close_if_paid(actor=actor, member=member, today=today)
    audit(actor=actor, verb="dues.payment", target=payment, org=member.org,
          after={"months": [rules.month_label(m) for m in sorted(parsed)], "amount": total, "voluntary": extra,
                 "method": method, "paid_on": paid_on, "proxy_name": proxy_name, "to_centre": payment.to_centre})
    return payment


@transaction.atomic
def dues_payment_reverse(*, actor, payment: DuesPayment, reason: str, today: date | None = None) -> DuesPayment:
    """Correct a payment by a reversing entry (negative amounts, same months); the original stays."""
    require(actor, "dues.edit", payment.org)
    reason = _text(reason, field="reason", label="冲销原因", max_len=200, required=True)
    payment = DuesPayment.objects.select_for_update().select_related("member", "org").get(pk=payment.pk)
    if payment.kind != DuesPayment.Kind.PAYMENT:
        raise DomainError("冲销记录不能再冲销", rule="R-LEDGER")
    if DuesPayment.objects.filter(reverses=payment).exists():
        raise Conflict("该笔交纳已冲销", rule="R-LEDGER")
    Member.objects.select_for_update().filter(pk=payment.member_id).first()
    try:
        with transaction.atomic():
            reversal = DuesPayment.objects.create(
                member=payment.member, org=payment.org, region_id=payment.region_id,
                kind=DuesPayment.Kind.REVERSAL, paid_on=today or _today(), method=payment.method,
                reference=payment.reference, amount=-payment.amount, voluntary=-payment.voluntary,
                to_centre=payment.to_centre, proxy_name=payment.proxy_name, reverses=payment, reason=reason,
                created_by=actor if actor.pk else None)
            DuesPaymentMonth.objects.bulk_create([
                DuesPaymentMonth(payment=reversal, member_id=row.member_id, region_id=reversal.region_id,
                                 month=row.month, amount=-row.amount, kind=DuesPayment.Kind.REVERSAL,
                                 generation=row.generation, bill_id=row.bill_id)
                for row in payment.months.all()])
    except IntegrityError:
        raise Conflict("该笔交纳已冲销", rule="R-LEDGER")
    bills.bills_reopen(member_id=payment.member_id, months=[row.month for row in payment.months.all()])
    audit(actor=actor, verb="dues.payment_reverse", target=reversal, org=payment.org,
          before={"payment": payment.pk, "amount": payment.amount, "voluntary": payment.voluntary},
          after={"reason": reason, "amount": reversal.amount})
    return reversal


# --- annual publication -----------------------------------------------------------------------------

@transaction.atomic
def dues_publication_publish(*, actor, org: Org, year: int, handed_up="0", used="0", use_note: str = "",
                             today: date | None = None) -> DuesPublication:
    """Publish (or re-publish, audited) the year's dues collected — computed from the ledger — and used."""
    require(actor, "dues.edit", org)
    today = today or _today()
    if not isinstance(year, int) or not 2000 <= year <= today.year:
        raise DomainError("年度无效", field="year")
    try:
        handed = rules.parse_money(handed_up, field="handed_up", label="上缴金额")
        spent = rules.parse_money(used, field="used", label="使用金额")
    except rules.RuleError as exc:
        raise _domain(exc)
    use_note = _text(use_note, field="use_note", label="使用情况说明", max_len=500)
    collected, voluntary = collected_in_year(org=org, year=year)
    if handed + spent > collected + voluntary:
        raise DomainError(f"上缴与使用合计不能超过收缴总额 {collected + voluntary} 元", rule="R-DUES-PUBLISH",
                          field="handed_up")
    fields = ["collected", "voluntary", "handed_up", "used", "use_note", "published_on"]
    pub = DuesPublication.objects.select_for_update().filter(org=org, year=year).first()
    before = snapshot(pub, fields) if pub else None
    if pub is None:
        pub = DuesPublication(org=org, year=year, created_by=actor if actor.pk else None)
    pub.collected, pub.voluntary, pub.handed_up, pub.used = collected, voluntary, handed, spent
    pub.use_note, pub.published_on = use_note, today
    pub.save()
    audit(actor=actor, verb="dues.publish", target=pub, org=org, before=before, after=snapshot(pub, fields))
    return pub
