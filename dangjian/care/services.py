"""Writes of 关怀帮扶: greetings, care flags, visit plans and records, funds (append-only ledger), relief.

One transaction each, with its audit event; bad input raises DomainError before anything is written.
"""
import uuid
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from dangjian.accounts.scope import can, require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.files import validate_upload
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import rules
from .models import CarePlan, CareProfile, CareSettings, CareVisit, Fund, FundLedger, Greeting, GreetingTemplate, Relief

PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp"}
PHOTO_MAX = 5 * 1024 * 1024


def _today() -> date:
    return timezone.localdate()


def _domain(exc: rules.RuleError) -> DomainError:
    return DomainError(exc.message, rule=exc.rule, field=exc.field)


def _text(value, *, field: str, label: str, max_len: int, required: bool = False) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return value


def _date(value, *, field: str, label: str, today: date, allow_future: bool = False) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(f"{label}格式应为 YYYY-MM-DD", field=field)
    if not isinstance(value, date):
        raise DomainError(f"{label}格式应为 YYYY-MM-DD", field=field)
    if not allow_future and value > today:
        raise DomainError(f"{label}不能晚于今天", field=field)
    return value


def _money(raw, *, field="amount", label="金额", positive=True):
    try:
        return rules.parse_money(raw, field=field, label=label, positive=positive)
    except rules.RuleError as exc:
        raise _domain(exc)


def _ancestor_paths(org: Org) -> list[str]:
    return [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]


def _in_subtree(org: Org, member: Member) -> None:
    if not member.org.path.startswith(org.path):
        raise DomainError("该党员不在本组织范围内", field="member_id")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- settings and templates --------------------------------------------------------------------

def notice_days_for(org: Org) -> int:
    row = (CareSettings.objects.filter(org__path__in=_ancestor_paths(org)).order_by("-org__depth")
           .values_list("notice_days_ahead", flat=True).first())
    return rules.NOTICE_DAYS_AHEAD if row is None else row


def template_for(org: Org, kind: str) -> str:
    row = (GreetingTemplate.objects.filter(org__path__in=_ancestor_paths(org), kind=kind).order_by("-org__depth")
           .values_list("text", flat=True).first())
    return row or rules.GREETING_TEMPLATES[kind]


@transaction.atomic
def greeting_template_set(*, actor, org: Org, kind: str, text: str) -> GreetingTemplate:
    require(actor, "care.edit", org)
    if kind not in rules.KIND_LABELS:
        raise DomainError("类型无效", field="kind")
    text = _text(text, field="text", label="祝福语", max_len=1000, required=True)
    try:
        rules.check_template(text)
    except rules.RuleError as exc:
        raise _domain(exc)
    row, _ = GreetingTemplate.objects.update_or_create(org=org, kind=kind, defaults={"text": text})
    audit(actor=actor, verb="care.template_set", target=row, org=org, after={"kind": kind, "text": text})
    return row


def base_date(member: Member, kind: str) -> date | None:
    return {rules.Kind.BIRTHDAY: member.birth_date, rules.Kind.PARTY: member.joined_on,
            rules.Kind.WORK: member.work_started_on}.get(kind)


def greeting_text(member: Member, kind: str, occasion_date: date, years: int) -> str:
    party = rules.party_years_on(joined_on=member.joined_on, full_on=member.full_on, on=occasion_date)
    return rules.render_greeting(template_for(member.org, kind), {
        "name": member.name, "years": years, "party_years": party if party is not None else "",
        "joined_on": f"{member.joined_on:%Y年%-m月%-d日}" if member.joined_on else "",
        "org": member.org.name, "date": f"{occasion_date:%Y年%-m月%-d日}"})


def check_occasion(member: Member, kind: str, occasion_date: date) -> int:
    """The years of this anniversary, or a DomainError if the date is not one (29 Feb → 28 Feb)."""
    if kind not in rules.KIND_LABELS:
        raise DomainError("纪念日类型无效", field="kind")
    base = base_date(member, kind)
    if kind == rules.Kind.PARTY and member.stage not in (Stage.PROBATIONARY, Stage.FULL):
        base = None
    if base is None or rules.occurrence(base, occasion_date.year) != occasion_date or occasion_date.year <= base.year:
        raise DomainError(f"{occasion_date} 不是该党员的{rules.KIND_LABELS[kind]}", field="date")
    return occasion_date.year - base.year


# --- greetings ----------------------------------------------------------------------------------

@transaction.atomic
def greeting_give(*, actor, member: Member, kind: str, occasion_date, gifts=(), text: str | None = None,
                  today: date | None = None) -> Greeting:
    """Record that the greeting (and gifts: card, badge, book, plaque, message…) was given."""
    require(actor, "care.edit", member.org)
    today = today or _today()
    occasion_date = _date(occasion_date, field="date", label="纪念日", today=today, allow_future=True)
    if occasion_date > today + timedelta(days=31):
        raise DomainError("只能登记一个月内的纪念日祝福", field="date")
    years = check_occasion(member, kind, occasion_date)
    try:
        gifts = rules.check_gifts(list(gifts))
    except rules.RuleError as exc:
        raise _domain(exc)
    text = _text(text, field="text", label="祝福语", max_len=1000) or greeting_text(member, kind, occasion_date, years)
    greeting = Greeting.objects.select_for_update().filter(member=member, kind=kind, occasion_date=occasion_date).first()
    if greeting is not None and greeting.state == Greeting.State.GIVEN:
        raise Conflict("该纪念日的祝福已登记", rule="R-CARE-ONCE")
    if greeting is None:
        greeting = Greeting(member=member, org=member.org, kind=kind, occasion_date=occasion_date, years=years)
    greeting.state, greeting.gifts, greeting.text = Greeting.State.GIVEN, gifts, text
    greeting.given_on, greeting.given_by = today, _user(actor)
    try:
        with transaction.atomic():
            greeting.save()
    except IntegrityError:
        raise Conflict("该纪念日的祝福已登记", rule="R-CARE-ONCE")
    audit(actor=actor, verb="care.greeting_give", target=greeting, org=member.org,
          after={"kind": kind, "date": occasion_date, "years": years, "gifts": gifts})
    return greeting


def _window_q(field: str, days: list[date]) -> Q:
    q = Q()
    for d in days:
        q |= Q(**{f"{field}__month": d.month, f"{field}__day": d.day})
        if d.month == 2 and d.day == 28 and not rules.calendar.isleap(d.year):
            q |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
    return q


def greetings_schedule(*, today: date) -> dict:
    """The daily job's work: list anniversaries due within each branch's notice window as pending greetings.

    Idempotent by the unique (member, kind, date); the job itself runs once per date (JobRun).
    """
    widest = max([rules.NOTICE_DAYS_AHEAD, *CareSettings.objects.values_list("notice_days_ahead", flat=True)])
    widest = min(widest, 60)
    days = [today + timedelta(days=i) for i in range(widest + 1)]
    members = (Member.objects.filter(stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES)
               .filter(_window_q("birth_date", days) | _window_q("joined_on", days) | _window_q("work_started_on", days))
               .select_related("org"))
    notice: dict[int, int] = {}
    created = 0
    with transaction.atomic():
        existing = set(Greeting.objects.filter(occasion_date__gte=days[0], occasion_date__lte=days[-1])
                       .values_list("member_id", "kind", "occasion_date"))
        rows = []
        for member in members:
            if member.org_id not in notice:
                notice[member.org_id] = notice_days_for(member.org)
            end = today + timedelta(days=notice[member.org_id])
            for kind in rules.KIND_LABELS:
                for d, years in rules.occurrences(base_date(member, kind), today, end):
                    if (member.id, kind, d) not in existing:
                        rows.append(Greeting(member=member, org=member.org, kind=kind, occasion_date=d, years=years,
                                             text=greeting_text(member, kind, d, years)))
        Greeting.objects.bulk_create(rows, ignore_conflicts=True)
        created = len(rows)
        notified = greetings_notify(today=today, notice=notice)
    return {"from": today.isoformat(), "to": days[-1].isoformat(), "pending_created": created,
            "notified": notified}


def greeting_recipients(org: Org, cache: dict) -> list:
    """The branch's secretaries; if it has none, the nearest ancestor's (R-CARE-NOTICE)."""
    from dangjian.accounts.models import Role

    if org.id not in cache:
        users = []
        for path in reversed(_ancestor_paths(org)):
            roles = Role.objects.filter(org__path=path, role=Role.Kind.SECRETARY, user__is_active=True)
            users = [r.user for r in roles.select_related("user").order_by("user_id")]
            if users:
                break
        cache[org.id] = users
    return cache[org.id]


def greeting_dedupe_key(g: Greeting) -> str:
    return f"care.greeting:{g.member_id}:{g.kind}:{g.occasion_date:%Y%m%d}"


def greetings_notify(*, today: date, notice: dict[int, int] | None = None) -> int:
    """R-CARE-NOTICE ⚙: tell the secretary of each pending greeting within its org's notice window, N days
    ahead, exactly once — Greeting.notified_at marks it, and notify()'s dedupe key (one per member, kind and
    date) keeps even a re-run after a lost mark from sending twice. Call inside a transaction."""
    from django.apps import apps
    from django.urls import reverse

    if not apps.is_installed("dangjian.notify"):
        return 0
    from dangjian.notify.services import notify

    notice = notice if notice is not None else {}
    widest = max([rules.NOTICE_DAYS_AHEAD, *CareSettings.objects.values_list("notice_days_ahead", flat=True)])
    pending = (Greeting.objects.filter(state=Greeting.State.PENDING, notified_at__isnull=True,
                                       occasion_date__gte=today, occasion_date__lte=today + timedelta(days=widest))
               .select_related("member", "org").order_by("occasion_date", "id"))
    recipients: dict[int, list] = {}
    sent = 0
    now = timezone.now()
    for g in pending:
        if g.org_id not in notice:
            notice[g.org_id] = notice_days_for(g.org)
        if g.occasion_date > today + timedelta(days=notice[g.org_id]):
            continue
        users = greeting_recipients(g.org, recipients)
        days = (g.occasion_date - today).days
        when = "今天" if days == 0 else f"{days}天后"
        label = rules.KIND_LABELS[g.kind]
        what = {rules.Kind.BIRTHDAY: f"{g.years}岁生日", rules.Kind.PARTY: f"入党{g.years}周年（政治生日）",
                rules.Kind.WORK: f"参加工作{g.years}周年"}[g.kind]
        mark = "·逢十" if rules.is_milestone(g.kind, g.years) else ""
        url = reverse("care:anniversaries", kwargs={"org_id": g.org_id}) + f"?from={g.occasion_date:%Y-%m-%d}" \
            f"&to={g.occasion_date:%Y-%m-%d}"
        notes = notify(users=users, kind="care.greeting",
                       title=f"{when}（{g.occasion_date:%-m月%-d日}）{g.member.name}{what}{mark}",
                       body=f"{g.org.name}：请准备{label}祝福（贺卡、祝福短信等），送出后在纪念日页面登记所送物品。\n{g.text}",
                       url=url, dedupe_key=greeting_dedupe_key(g), org=g.org)
        g.notified_at, g.notified_users = now, len(users)
        g.save(update_fields=["notified_at", "notified_users"])
        sent += len(notes)
    return sent


# --- care flags, plans and visits ---------------------------------------------------------------

@transaction.atomic
def care_profile_set(*, actor, member: Member, is_ill: bool, laid_off: bool, lives_alone: bool,
                     note: str = "") -> CareProfile:
    require(actor, "care.edit", member.org)
    note = _text(note, field="note", label="情况说明", max_len=300)
    profile = CareProfile.objects.filter(member=member).first()
    fields = ["is_ill", "laid_off", "lives_alone", "note"]
    before = snapshot(profile, fields) if profile else None
    profile = profile or CareProfile(member=member)
    profile.is_ill, profile.laid_off, profile.lives_alone, profile.note = (bool(is_ill), bool(laid_off),
                                                                         bool(lives_alone), note)
    profile.save()
    audit(actor=actor, verb="care.profile_set", target=member, org=member.org, before=before,
          after=snapshot(profile, fields))
    return profile


@transaction.atomic
def care_plan_create(*, actor, org: Org, title: str, occasion: str, starts_on, ends_on, budget="0",
                     fund: Fund | None = None, note: str = "", today: date | None = None) -> CarePlan:
    require(actor, "care.edit", org)
    today = today or _today()
    title = _text(title, field="title", label="计划名称", max_len=100, required=True)
    if occasion not in rules.OCCASIONS:
        raise DomainError("慰问事由无效", field="occasion")
    starts_on = _date(starts_on, field="starts_on", label="开始日期", today=today, allow_future=True)
    ends_on = _date(ends_on, field="ends_on", label="结束日期", today=today, allow_future=True)
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期", field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise DomainError("计划期限不超过一年", field="ends_on")
    budget = _money(budget, field="budget", label="预算", positive=False)
    if fund is not None and not org.path.startswith(fund.org.path):
        raise DomainError("只能使用本组织或上级组织的基金", field="fund_id")
    note = _text(note, field="note", label="说明", max_len=500)
    plan = CarePlan.objects.create(org=org, title=title, occasion=occasion, starts_on=starts_on, ends_on=ends_on,
                                   budget=budget, fund=fund, note=note, created_by=_user(actor))
    audit(actor=actor, verb="care.plan_create", target=plan, org=org,
          after=snapshot(plan, ["title", "occasion", "starts_on", "ends_on", "budget", "fund"]))
    return plan


def _check_photo(photo) -> None:
    """The photo really is a JPG/PNG/WebP image (parsed, so a renamed or truncated file is refused) of ≤ 5 MB,
    checked before anything is written so a refusal leaves no row and no file behind."""
    if photo is not None:
        ext = validate_upload(photo, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX, field="photo")
        photo.name = uuid.uuid4().hex + ext  # never trust the uploaded name on disk


@transaction.atomic
def care_visit_record(*, actor, member: Member, occasion: str, visited_on, visitors: str, gifts: str = "",
                      money="0", plan: CarePlan | None = None, fund: Fund | None = None, approval_ref: str = "",
                      photo=None, note: str = "", today: date | None = None) -> CareVisit:
    """A visit (慰问) with gifts and money; money from a fund is a disbursement in the same transaction."""
    require(actor, "care.edit", member.org)
    today = today or _today()
    if plan is not None:
        _in_subtree(plan.org, member)
        occasion = occasion or plan.occasion
        fund = fund or plan.fund
    if occasion not in rules.OCCASIONS:
        raise DomainError("慰问事由无效", field="occasion")
    visited_on = _date(visited_on, field="visited_on", label="走访日期", today=today)
    visitors = _text(visitors, field="visitors", label="走访人", max_len=100, required=True)
    gifts = _text(gifts, field="gifts", label="慰问品", max_len=200)
    note = _text(note, field="note", label="情况记录", max_len=500)
    money = _money(money, field="money", label="慰问金", positive=False)
    _check_photo(photo)
    entry = None
    if money > 0 and fund is not None:
        entry = fund_disburse(actor=actor, fund=fund, amount=money, member=member, approval_ref=approval_ref,
                              category=FundLedger.Category.CARE_VISIT, entry_on=visited_on, today=today,
                              purpose=f"{rules.OCCASIONS[occasion]}慰问 {member.name}")
    visit = CareVisit(plan=plan, org=member.org, member=member, occasion=occasion, visited_on=visited_on,
                      visitors=visitors, gifts=gifts, money=money, fund_entry=entry, note=note,
                      created_by=_user(actor))
    if photo is not None:
        visit.photo = photo
    visit.save()
    audit(actor=actor, verb="care.visit", target=visit, org=member.org,
          after={"member": member.id, "occasion": occasion, "visited_on": visited_on, "gifts": gifts,
                 "money": money, "fund_entry": entry.id if entry else None})
    return visit


# --- funds (append-only ledger) ------------------------------------------------------------------

@transaction.atomic
def fund_create(*, actor, org: Org, name: str, kind: str, approval_threshold="5000") -> Fund:
    require(actor, "care.edit", org)
    name = _text(name, field="name", label="基金名称", max_len=100, required=True)
    if kind not in Fund.Kind.values:
        raise DomainError("基金类型无效", field="kind")
    threshold = None if approval_threshold in (None, "") else _money(approval_threshold, field="approval_threshold",
                                                                    label="审批额度")
    if Fund.objects.filter(org=org, name=name).exists():
        raise Conflict("同名基金已存在", field="name")
    fund = Fund.objects.create(org=org, name=name, kind=kind, approval_threshold=threshold, created_by=_user(actor))
    audit(actor=actor, verb="care.fund_create", target=fund, org=org,
          after={"name": name, "kind": kind, "approval_threshold": threshold})
    return fund


def _append(*, actor, fund: Fund, kind: str, category: str, signed, purpose: str, entry_on: date,
            member: Member | None = None, approval_ref: str = "", reverses: FundLedger | None = None,
            reason: str = "") -> FundLedger:
    """Append one entry under a lock on the fund row; the balance after may never be negative."""
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    try:
        after = rules.check_balance(balance=locked.balance, amount=-signed)
    except rules.RuleError as exc:
        raise _domain(exc)
    seq = (FundLedger.objects.filter(fund=locked).aggregate(m=Max("seq"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            entry = FundLedger.objects.create(fund=locked, seq=seq, kind=kind, category=category, amount=signed,
                                              balance_after=after, entry_on=entry_on, purpose=purpose, member=member,
                                              approval_ref=approval_ref, reverses=reverses, reason=reason,
                                              created_by=_user(actor))
    except IntegrityError:
        raise Conflict("台账已被同时修改，请重试", rule="R-LEDGER")
    Fund.objects.filter(pk=locked.pk).update(balance=after)
    fund.balance = after
    return entry


@transaction.atomic
def fund_income(*, actor, fund: Fund, amount, purpose: str, category: str = "allocation", entry_on=None,
                today: date | None = None) -> FundLedger:
    """Income: an allocation (e.g. 30 000 yuan per enterprise branch, seed 003), a donation…"""
    require(actor, "care.edit", fund.org)
    today = today or _today()
    amount = _money(amount)
    if category not in FundLedger.INCOME_CATEGORIES:
        raise DomainError("收入类别无效", field="category")
    purpose = _text(purpose, field="purpose", label="摘要", max_len=200, required=True)
    entry_on = _date(entry_on or today, field="entry_on", label="日期", today=today)
    entry = _append(actor=actor, fund=fund, kind=FundLedger.Kind.INCOME, category=category, signed=amount,
                    purpose=purpose, entry_on=entry_on)
    audit(actor=actor, verb="care.fund_income", target=entry, org=fund.org,
          after={"amount": amount, "balance": entry.balance_after, "purpose": purpose})
    return entry


@transaction.atomic
def fund_disburse(*, actor, fund: Fund, amount, purpose: str, category: str = "assistance",
                  member: Member | None = None, approval_ref: str = "", entry_on=None,
                  today: date | None = None) -> FundLedger:
    """A disbursement: refused if it would overdraw (R-FUND-BALANCE); above the fund's threshold only with
    the upper committee's approval (R-FUND-APPROVAL ⚙)."""
    require(actor, "care.edit", fund.org)
    today = today or _today()
    amount = _money(amount)
    if category not in FundLedger.SPENDING_CATEGORIES:
        raise DomainError("支出类别无效", field="category")
    purpose = _text(purpose, field="purpose", label="用途", max_len=200, required=True)
    approval_ref = _text(approval_ref, field="approval_ref", label="审批文号", max_len=100)
    entry_on = _date(entry_on or today, field="entry_on", label="日期", today=today)
    if member is not None:
        _in_subtree(fund.org, member)
        if member.stage not in (Stage.PROBATIONARY, Stage.FULL):
            raise DomainError("帮扶对象应为党员", field="member_id")
    if rules.needs_approval(amount=amount, threshold=fund.approval_threshold):
        if not approval_ref or not can(actor, "care.approve", fund.org):
            raise DomainError(f"单笔支出超过 {fund.approval_threshold} 元，须经上级党委审批，由有审批权限的人员登记批准文号",
                              rule="R-FUND-APPROVAL", field="approval_ref")
    entry = _append(actor=actor, fund=fund, kind=FundLedger.Kind.DISBURSEMENT, category=category, signed=-amount,
                    purpose=purpose, entry_on=entry_on, member=member, approval_ref=approval_ref)
    audit(actor=actor, verb="care.fund_disburse", target=entry, org=fund.org,
          after={"amount": amount, "balance": entry.balance_after, "member": member.id if member else None,
                 "category": category, "approval_ref": approval_ref})
    return entry


@transaction.atomic
def fund_reverse(*, actor, entry: FundLedger, reason: str, today: date | None = None) -> FundLedger:
    """Correct an entry by its opposite; reversing income may not overdraw the fund."""
    fund = entry.fund
    require(actor, "care.edit", fund.org)
    reason = _text(reason, field="reason", label="冲销原因", max_len=200, required=True)
    if entry.kind == FundLedger.Kind.REVERSAL:
        raise DomainError("冲销记录不能再冲销", rule="R-LEDGER")
    if FundLedger.objects.filter(reverses=entry).exists():
        raise Conflict("该笔已冲销", rule="R-LEDGER")
    reversal = _append(actor=actor, fund=fund, kind=FundLedger.Kind.REVERSAL, category=entry.category,
                       signed=-entry.amount, purpose=f"冲销 #{entry.seq} {entry.purpose}"[:200],
                       entry_on=today or _today(), member=entry.member, reverses=entry, reason=reason)
    audit(actor=actor, verb="care.fund_reverse", target=reversal, org=fund.org,
          before={"entry": entry.id, "amount": entry.amount}, after={"amount": reversal.amount, "reason": reason})
    return reversal


@transaction.atomic
def relief_grant(*, actor, fund: Fund, member: Member, kind: str, amount, reason: str, decided_on=None,
                 approval_ref: str = "", today: date | None = None) -> Relief:
    """救助 / 大病救助 / 帮扶救助 for a member, paid from the fund (one disbursement, linked)."""
    require(actor, "care.edit", fund.org)
    today = today or _today()
    if kind not in Relief.Kind.values:
        raise DomainError("救助类型无效", field="kind")
    reason = _text(reason, field="reason", label="救助原因", max_len=300, required=True)
    decided_on = _date(decided_on or today, field="decided_on", label="决定日期", today=today)
    entry = fund_disburse(actor=actor, fund=fund, amount=amount, member=member, approval_ref=approval_ref,
                          category=kind, entry_on=decided_on, today=today,
                          purpose=f"{Relief.Kind(kind).label} {member.name}")
    relief = Relief.objects.create(member=member, org=member.org, kind=kind, amount=-entry.amount, reason=reason,
                                   decided_on=decided_on, ledger_entry=entry, created_by=_user(actor))
    audit(actor=actor, verb="care.relief_grant", target=relief, org=member.org,
          after={"kind": kind, "amount": relief.amount, "fund": fund.id, "entry": entry.id})
    return relief
