"""欠交党费处置 (R-ABSENT-6M, 党章第三十八条): the case list, talks/reminders, and the branch's disposal.

A member with 6 consecutive months unpaid (ended months; an approved exemption is a good reason and breaks
the run) appears on the case list. The branch records a talk or reminder first (that opens the case); a
good reason found in the talk closes it (`excused`); paying closes it (`paid`). Only after a talk/reminder
may the branch record its decision, through members.lifecycle.disposal_record with source "dues:<case id>":
the kind is 自行脱党 (`lapsed`), the one 党章第三十八条 names. Nothing happens automatically.
"""
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.scope import require, scoped_get
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.members.lifecycle import disposal_record
from dangjian.members.models import Disposal, Member
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org

from . import rules
from .models import ArrearsCase, ArrearsContact
from .selectors import arrears_for, dues_org_get

RULE = "R-ABSENT-6M"
DISPOSAL_KIND = Disposal.Kind.LAPSED  # 党章第三十八条: 连续六个月不交纳党费 → 被认为是自行脱党


def _today() -> date:
    return timezone.localdate()


def _date(value, *, field: str, label: str, today: date) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(f"{label}格式应为 YYYY-MM-DD", field=field)
    if not isinstance(value, date):
        raise DomainError(f"{label}格式应为 YYYY-MM-DD", field=field)
    if value > today:
        raise DomainError(f"{label}不能晚于今天", field=field)
    return value


def _text(value, *, field: str, label: str, max_len: int) -> str:
    value = "" if value is None else str(value).strip()
    if not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return value


# --- reads -------------------------------------------------------------------------------------------

@dataclass
class CaseRow:
    member: Member
    months: int
    first_unpaid: date
    case: ArrearsCase | None

    @property
    def state(self) -> str:
        return self.case.state if self.case else "new"

    @property
    def state_label(self) -> str:
        return self.case.get_state_display() if self.case else "待谈话提醒"


def arrears_cases(*, actor, org: Org, on: date | None = None) -> list[CaseRow]:
    """Members under org with ≥ 6 consecutive unpaid months (R-ABSENT-6M) and no good reason accepted for
    this run, with their open case if the branch has begun one. Longest first."""
    org = dues_org_get(actor=actor, org_id=org.id)
    on = on or _today()
    members = list(members_on_rolls(org).select_related("org"))
    counts = arrears_for(members, on=on)
    due = {m.id: (m, counts[m.id], rules.first_unpaid_month(today=on, months=counts[m.id]))
           for m in members if rules.arrears_case_open(counts[m.id])}
    cases = {(c.member_id, c.first_unpaid): c for c in ArrearsCase.objects.filter(member_id__in=list(due))
             .prefetch_related("contacts")}
    rows = []
    for m, n, first in due.values():
        case = cases.get((m.id, first))
        if case is not None and case.state == ArrearsCase.State.EXCUSED:
            continue  # the branch accepted a good reason for this run
        rows.append(CaseRow(m, n, first, case))
    return sorted(rows, key=lambda r: (-r.months, r.member.org.path, r.member.name))


def case_row_for(*, actor, member: Member, on: date | None = None) -> CaseRow:
    """One member's arrears situation (months may be < 6: then there is no case)."""
    on = on or _today()
    n = arrears_for([member], on=on)[member.id]
    first = rules.first_unpaid_month(today=on, months=n)
    case = ArrearsCase.objects.filter(member=member, first_unpaid=first).prefetch_related("contacts").first() \
        if first else None
    return CaseRow(member, n, first, case)


def member_cases(member: Member):
    return ArrearsCase.objects.filter(member=member).prefetch_related("contacts").order_by("-opened_on", "-id")


def case_get(*, actor, case_id, perm: str = "dues.view") -> ArrearsCase:
    return scoped_get(ArrearsCase.objects.select_related("member", "org", "member__org"), actor=actor, pk=case_id,
                      perm=perm)


# --- writes ------------------------------------------------------------------------------------------

def _current_run(member: Member, today: date) -> tuple[int, date | None]:
    n = arrears_for([member], on=today)[member.id]
    return n, rules.first_unpaid_month(today=today, months=n)


@transaction.atomic
def arrears_contact_record(*, actor, member: Member, kind: str, contacted_on, summary: str,
                           good_reason: bool = False, today: date | None = None) -> ArrearsContact:
    """Record a talk (谈话) or reminder with a member 6+ months in arrears; opens the case for this run.
    `good_reason`: the branch accepts the reason found (e.g. 长期住院) — the case closes, nobody is disposed."""
    require(actor, "dues.edit", member.org)
    today = today or _today()
    if kind not in ArrearsContact.Kind.values:
        raise DomainError("方式应为谈话或提醒", field="kind")
    contacted_on = _date(contacted_on, field="contacted_on", label="谈话/提醒日期", today=today)
    summary = _text(summary, field="summary", label="情况记录", max_len=500)
    if not isinstance(good_reason, bool):
        raise DomainError("是否有正当理由应为是或否", field="good_reason")
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    n, first = _current_run(member, today)
    if not rules.arrears_case_open(n):
        raise DomainError(f"该党员连续未交纳党费 {n} 个月，未满六个月，不属于{rules.ARREARS_ARTICLE}规定的情形",
                          rule=RULE, field="member_id")
    case = ArrearsCase.objects.filter(member=member, first_unpaid=first).first()
    if case is not None and case.state != ArrearsCase.State.OPEN:
        raise Conflict(f"该欠交情况已结案（{case.get_state_display()}）", rule=RULE)
    if case is None:
        try:
            with transaction.atomic():
                case = ArrearsCase.objects.create(member=member, org=member.org, first_unpaid=first, months=n,
                                                  opened_on=today, created_by=actor if actor.pk else None)
        except IntegrityError:
            raise Conflict("该欠交情况已立案，请刷新后再试", rule=RULE)
        audit(actor=actor, verb="dues.case_open", target=case, org=member.org,
              after={"member": member.id, "first_unpaid": first, "months": n})
    contact = ArrearsContact.objects.create(case=case, kind=kind, contacted_on=contacted_on, summary=summary,
                                            good_reason=good_reason, created_by=actor if actor.pk else None)
    if good_reason:
        case.state, case.closed_on, case.outcome = ArrearsCase.State.EXCUSED, today, summary[:300]
        case.save(update_fields=["state", "closed_on", "outcome"])
    audit(actor=actor, verb="dues.case_contact", target=case, org=member.org,
          after={"kind": kind, "contacted_on": contacted_on, "summary": summary, "good_reason": good_reason})
    return contact


@transaction.atomic
def arrears_case_dispose(*, actor, case: ArrearsCase, decided_on, reason: str,
                         today: date | None = None) -> Disposal:
    """The branch's decision after the talk/reminder: 自行脱党 (党章第三十八条), recorded by members'
    disposal_record(source="dues:<id>"); the case closes as disposed. 除名 is then reported for approval."""
    require(actor, "dues.edit", case.org)
    today = today or _today()
    decided_on = _date(decided_on, field="decided_on", label="支部大会决定日期", today=today)
    reason = _text(reason, field="reason", label="处置意见", max_len=300)
    case = ArrearsCase.objects.select_for_update().select_related("member", "org").get(pk=case.pk)
    if case.state != ArrearsCase.State.OPEN:
        raise Conflict(f"该案件已结案（{case.get_state_display()}）", rule=RULE)
    contacts = list(case.contacts.all())
    if not contacts:
        raise DomainError("处置前须先与本人谈话或提醒，并记录情况", rule=RULE, field="decided_on")
    if decided_on < max(c.contacted_on for c in contacts):
        raise DomainError("决定日期不能早于最近一次谈话/提醒", field="decided_on")
    member = Member.objects.select_for_update().select_related("org").get(pk=case.member_id)
    n, first = _current_run(member, today)
    if not rules.arrears_case_open(n) or first != case.first_unpaid:
        raise DomainError(f"该党员目前连续未交纳 {n} 个月，已不属于{rules.ARREARS_ARTICLE}规定的情形",
                          rule=RULE, field="decided_on")
    text = (f"{rules.ARREARS_ARTICLE}：无正当理由连续 {n} 个月不交纳党费（自 {rules.month_label(first)} 起），"
            f"经谈话提醒仍未交纳。{reason}")
    disposal = disposal_record(actor=actor, member=member, kind=DISPOSAL_KIND, reason=text[:500],
                               decided_on=decided_on, source=f"dues:{case.id}")
    case.state, case.closed_on, case.outcome = ArrearsCase.State.DISPOSED, decided_on, reason
    case.disposal_id = disposal.id
    case.save(update_fields=["state", "closed_on", "outcome", "disposal_id"])
    audit(actor=actor, verb="dues.case_dispose", target=case, org=case.org,
          after={"disposal_id": disposal.id, "kind": DISPOSAL_KIND, "decided_on": decided_on, "months": n})
    return disposal


def cases_close_if_paid(*, actor, member: Member, today: date) -> int:
    """After a payment (in its transaction): open cases whose run is broken close as paid."""
    open_cases = list(ArrearsCase.objects.filter(member=member, state=ArrearsCase.State.OPEN))
    if not open_cases:
        return 0
    n, first = _current_run(member, today)
    closed = 0
    for case in open_cases:
        if rules.arrears_case_open(n) and first == case.first_unpaid:
            continue
        case.state, case.closed_on, case.outcome = ArrearsCase.State.PAID, today, "已补交党费"
        case.save(update_fields=["state", "closed_on", "outcome"])
        audit(actor=actor, verb="dues.case_paid", target=case, org=case.org, after={"months_now": n})
        closed += 1
    return closed
