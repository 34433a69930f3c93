"""/api/v1/care/… and /api/v1/funds/…: anniversaries, greetings, visits, funds and their ledger, relief."""
from datetime import date, timedelta

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.core.api import Detail, Page
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate

from . import selectors, services
from .models import CarePlan, CareVisit, Fund, FundLedger, Relief

router = Router(tags=["关怀帮扶"])
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}
Money = str | int | float | None


class AnniversaryOut(Schema):
    member_id: int
    name: str
    kind: str
    date: date
    years: int
    party_years: int | None
    milestone: bool
    greeted: bool


class AnniversaryPage(Schema):
    items: list[AnniversaryOut]
    count: int


class MedalOut(Schema):
    member_id: int
    name: str
    joined_on: date
    years: int
    new: bool


class GreetingIn(Schema):
    member_id: int
    kind: str = Field(max_length=20)
    date: date
    gifts: list[str] = Field(default_factory=list, max_length=10)
    text: str | None = Field(None, max_length=1000)


class GreetingOut(Schema):
    id: int
    member_id: int
    kind: str
    occasion_date: date
    years: int
    state: str
    gifts: list[str]
    text: str
    given_on: date | None


class TemplateIn(Schema):
    text: str = Field(max_length=1000)


class TemplateOut(Schema):
    org_id: int
    kind: str
    text: str


class PlanIn(Schema):
    org_id: int
    title: str = Field(max_length=100)
    occasion: str = Field(max_length=20)
    starts_on: date
    ends_on: date
    budget: Money = "0"
    fund_id: int | None = None
    note: str = Field("", max_length=500)


class PlanOut(Schema):
    id: int
    org_id: int
    title: str
    occasion: str
    starts_on: date
    ends_on: date
    budget: str
    fund_id: int | None


class DueOut(Schema):
    member_id: int
    name: str
    org_id: int
    reasons: list[str]
    visited: bool


class VisitIn(Schema):
    member_id: int
    plan_id: int | None = None
    occasion: str = Field("", max_length=20)
    visited_on: date
    visitors: str = Field(max_length=100)
    gifts: str = Field("", max_length=200)
    money: Money = "0"
    fund_id: int | None = None
    approval_ref: str = Field("", max_length=100)
    note: str = Field("", max_length=500)


class VisitOut(Schema):
    id: int
    member_id: int
    plan_id: int | None
    occasion: str
    visited_on: date
    visitors: str
    gifts: str
    money: str
    fund_entry_id: int | None


class FundIn(Schema):
    org_id: int
    name: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    approval_threshold: Money = "5000"


class FundOut(Schema):
    id: int
    org_id: int
    name: str
    kind: str
    balance: str
    approval_threshold: str | None


class IncomeIn(Schema):
    amount: Money = None
    purpose: str = Field(max_length=200)
    category: str = Field("allocation", max_length=25)
    entry_on: date | None = None


class DisbursementIn(Schema):
    amount: Money = None
    purpose: str = Field(max_length=200)
    member_id: int | None = None
    category: str = Field("assistance", max_length=25)
    approval_ref: str = Field("", max_length=100)
    entry_on: date | None = None


class EntryOut(Schema):
    id: int
    fund_id: int
    seq: int
    kind: str
    category: str
    amount: str
    balance_after: str
    entry_on: date
    purpose: str
    member_id: int | None
    reverses_id: int | None


class ReverseIn(Schema):
    reason: str = Field(max_length=200)


class ReliefIn(Schema):
    member_id: int
    kind: str = Field(max_length=25)
    amount: Money = None
    reason: str = Field(max_length=300)
    decided_on: date | None = None
    approval_ref: str = Field("", max_length=100)


class ReliefOut(Schema):
    id: int
    member_id: int
    kind: str
    amount: str
    reason: str
    decided_on: date
    ledger_entry_id: int


class ReportOut(Schema):
    fund_id: int
    year: int
    opening: str
    income: str
    spending: str
    closing: str
    by_category: list[dict]


def _greeting(g) -> dict:
    return {"id": g.id, "member_id": g.member_id, "kind": g.kind, "occasion_date": g.occasion_date, "years": g.years,
            "state": g.state, "gifts": g.gifts, "text": g.text, "given_on": g.given_on}


def _plan(p: CarePlan) -> dict:
    return {"id": p.id, "org_id": p.org_id, "title": p.title, "occasion": p.occasion, "starts_on": p.starts_on,
            "ends_on": p.ends_on, "budget": str(p.budget), "fund_id": p.fund_id}


def _visit(v: CareVisit) -> dict:
    return {"id": v.id, "member_id": v.member_id, "plan_id": v.plan_id, "occasion": v.occasion,
            "visited_on": v.visited_on, "visitors": v.visitors, "gifts": v.gifts, "money": str(v.money),
            "fund_entry_id": v.fund_entry_id}


def _fund(f: Fund) -> dict:
    return {"id": f.id, "org_id": f.org_id, "name": f.name, "kind": f.kind, "balance": str(f.balance),
            "approval_threshold": None if f.approval_threshold is None else str(f.approval_threshold)}


def _entry(e: FundLedger) -> dict:
    return {"id": e.id, "fund_id": e.fund_id, "seq": e.seq, "kind": e.kind, "category": e.category,
            "amount": str(e.amount), "balance_after": str(e.balance_after), "entry_on": e.entry_on,
            "purpose": e.purpose, "member_id": e.member_id, "reverses_id": e.reverses_id}


def _relief(r: Relief) -> dict:
    return {"id": r.id, "member_id": r.member_id, "kind": r.kind, "amount": str(r.amount), "reason": r.reason,
            "decided_on": r.decided_on, "ledger_entry_id": r.ledger_entry_id}


# --- anniversaries and greetings ---------------------------------------------------------------

@router.get("/care/anniversaries", response={200: AnniversaryPage, **ERRORS})
def care_anniversaries(request, org: int, from_: date | None = Query(None, alias="from"),
                       to: date | None = None, kind: str | None = Query(None, max_length=20)):
    """Birthdays, 政治生日 (join date) and work anniversaries in [from, to] (default: the next 30 days).
    29 February falls on 28 February in a non-leap year."""
    root = selectors.care_org_get(actor=request.user, org_id=org)
    start = from_ or timezone.localdate()
    if not date(1900, 1, 1) <= start <= date(2100, 12, 31) or (to and not date(1900, 1, 1) <= to <= date(2100, 12, 31)):
        raise DomainError("日期应在 1900 至 2100 年之间", field="from")
    end = to or start + timedelta(days=30)
    if kind is not None and kind not in ("birthday", "party_anniversary", "work_anniversary"):
        raise DomainError("纪念日类型无效", field="kind")
    items = selectors.anniversaries(actor=request.user, org=root, start=start, end=end,
                                    kinds=[kind] if kind else None)
    out = [{"member_id": a.member.id, "name": a.member.name, "kind": a.kind, "date": a.date, "years": a.years,
            "party_years": a.party_years, "milestone": a.milestone,
            "greeted": bool(a.greeting and a.greeting.state == "given")} for a in items]
    return {"items": out, "count": len(out)}


@router.get("/care/medal50", response={200: Page[MedalOut], **ERRORS})
def care_medal50(request, org: int, year: int | None = Query(None, ge=1950, le=2100)):
    """光荣在党50年: 50 years since joining by 1 July of the year ⚙."""
    root = selectors.care_org_get(actor=request.user, org_id=org)
    rows = selectors.medal50(actor=request.user, org=root, year=year or timezone.localdate().year)
    items = [{"member_id": r.member.id, "name": r.member.name, "joined_on": r.member.joined_on, "years": r.years,
              "new": r.new} for r in rows]
    return {"items": items, "count": len(items)}


@router.post("/care/greetings", response={201: GreetingOut, **ERRORS})
def care_greeting_give(request, payload: GreetingIn):
    member = selectors.care_member_get(actor=request.user, member_id=payload.member_id, perm="care.edit")
    g = services.greeting_give(actor=request.user, member=member, kind=payload.kind, occasion_date=payload.date,
                               gifts=payload.gifts, text=payload.text)
    return 201, _greeting(g)


@router.put("/care/orgs/{org_id}/greeting-templates/{kind}", response={200: TemplateOut, **ERRORS})
def care_template_set(request, org_id: int, kind: str, payload: TemplateIn):
    """An org's greeting text; placeholders {name} {years} {party_years} {joined_on} {org} {date}."""
    org = selectors.care_org_get(actor=request.user, org_id=org_id, perm="care.edit")
    row = services.greeting_template_set(actor=request.user, org=org, kind=kind, text=payload.text)
    return {"org_id": org.id, "kind": row.kind, "text": row.text}


# --- plans and visits ------------------------------------------------------------------------------

@router.post("/care/plans", response={201: PlanOut, **ERRORS})
def care_plan_create(request, payload: PlanIn):
    org = selectors.care_org_get(actor=request.user, org_id=payload.org_id, perm="care.edit")
    fund = selectors.fund_get(actor=request.user, fund_id=payload.fund_id) if payload.fund_id else None
    plan = services.care_plan_create(actor=request.user, org=org, title=payload.title, occasion=payload.occasion,
                                     starts_on=payload.starts_on, ends_on=payload.ends_on, budget=payload.budget,
                                     fund=fund, note=payload.note)
    return 201, _plan(plan)


@router.get("/care/plans", response={200: Page[PlanOut], **ERRORS})
def care_plan_list(request, org: int, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    root = selectors.care_org_get(actor=request.user, org_id=org)
    result = paginate(selectors.plans(actor=request.user, org=root), page=page, page_size=page_size)
    return {"items": [_plan(p) for p in result["items"]], "count": result["count"]}


@router.get("/care/plans/{plan_id}/due", response={200: Page[DueOut], **ERRORS})
def care_plan_due(request, plan_id: int):
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id)
    rows = selectors.due_list(actor=request.user, org=plan.org, plan=plan)
    items = [{"member_id": r.member.id, "name": r.member.name, "org_id": r.member.org_id,
              "reasons": [x.code for x in r.reasons], "visited": bool(r.visits)} for r in rows]
    return {"items": items, "count": len(items)}


@router.post("/care/visits", response={201: VisitOut, **ERRORS})
def care_visit_create(request, payload: VisitIn):
    member = selectors.care_member_get(actor=request.user, member_id=payload.member_id, perm="care.edit")
    plan = selectors.plan_get(actor=request.user, plan_id=payload.plan_id) if payload.plan_id else None
    fund = selectors.fund_get(actor=request.user, fund_id=payload.fund_id) if payload.fund_id else None
    visit = services.care_visit_record(actor=request.user, member=member, plan=plan, fund=fund,
                                       occasion=payload.occasion, visited_on=payload.visited_on,
                                       visitors=payload.visitors, gifts=payload.gifts, money=payload.money,
                                       approval_ref=payload.approval_ref, note=payload.note)
    return 201, _visit(visit)


# --- funds ------------------------------------------------------------------------------------------

@router.post("/funds", response={201: FundOut, **ERRORS})
def fund_create(request, payload: FundIn):
    org = selectors.care_org_get(actor=request.user, org_id=payload.org_id, perm="care.edit")
    fund = services.fund_create(actor=request.user, org=org, name=payload.name, kind=payload.kind,
                                approval_threshold=payload.approval_threshold)
    return 201, _fund(fund)


@router.get("/funds", response={200: Page[FundOut], **ERRORS})
def fund_list(request, org: int, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    root = selectors.care_org_get(actor=request.user, org_id=org)
    result = paginate(selectors.funds(actor=request.user, org=root), page=page, page_size=page_size)
    return {"items": [_fund(f) for f in result["items"]], "count": result["count"]}


@router.get("/funds/{fund_id}", response={200: FundOut, **ERRORS})
def fund_detail(request, fund_id: int):
    return _fund(selectors.fund_get(actor=request.user, fund_id=fund_id))


@router.get("/funds/{fund_id}/ledger", response={200: Page[EntryOut], **ERRORS})
def fund_ledger(request, fund_id: int, year: int | None = Query(None, ge=2000, le=2100), page: int = Query(1, ge=1),
                page_size: int = Query(50, ge=1, le=200)):
    fund = selectors.fund_get(actor=request.user, fund_id=fund_id)
    result = paginate(selectors.fund_ledger(fund, year=year), page=page, page_size=page_size)
    return {"items": [_entry(e) for e in result["items"]], "count": result["count"]}


@router.post("/funds/{fund_id}/income", response={201: EntryOut, **ERRORS})
def fund_income(request, fund_id: int, payload: IncomeIn):
    fund = selectors.fund_get(actor=request.user, fund_id=fund_id, perm="care.edit")
    return 201, _entry(services.fund_income(actor=request.user, fund=fund, amount=payload.amount,
                                            purpose=payload.purpose, category=payload.category,
                                            entry_on=payload.entry_on))


@router.post("/funds/{fund_id}/disbursements", response={201: EntryOut, **ERRORS})
def fund_disburse(request, fund_id: int, payload: DisbursementIn):
    """A disbursement; 400 (R-FUND-BALANCE) if it would overdraw the fund."""
    fund = selectors.fund_get(actor=request.user, fund_id=fund_id, perm="care.edit")
    member = (selectors.care_member_get(actor=request.user, member_id=payload.member_id)
              if payload.member_id is not None else None)
    return 201, _entry(services.fund_disburse(actor=request.user, fund=fund, amount=payload.amount,
                                              purpose=payload.purpose, category=payload.category, member=member,
                                              approval_ref=payload.approval_ref, entry_on=payload.entry_on))


@router.post("/funds/{fund_id}/entries/{entry_id}/reverse", response={201: EntryOut, **ERRORS})
def fund_reverse(request, fund_id: int, entry_id: int, payload: ReverseIn):
    fund = selectors.fund_get(actor=request.user, fund_id=fund_id, perm="care.edit")
    entry = selectors.fund_entry_get(actor=request.user, fund=fund, entry_id=entry_id)
    return 201, _entry(services.fund_reverse(actor=request.user, entry=entry, reason=payload.reason))


@router.post("/funds/{fund_id}/reliefs", response={201: ReliefOut, **ERRORS})
def fund_relief(request, fund_id: int, payload: ReliefIn):
    """救助 / 大病救助 / 帮扶救助 paid from the fund."""
    fund = selectors.fund_get(actor=request.user, fund_id=fund_id, perm="care.edit")
    member = selectors.care_member_get(actor=request.user, member_id=payload.member_id)
    return 201, _relief(services.relief_grant(actor=request.user, fund=fund, member=member, kind=payload.kind,
                                              amount=payload.amount, reason=payload.reason,
                                              decided_on=payload.decided_on, approval_ref=payload.approval_ref))


@router.get("/funds/{fund_id}/report", response={200: ReportOut, **ERRORS})
def fund_report(request, fund_id: int, year: int | None = Query(None, ge=2000, le=2100)):
    fund = selectors.fund_get(actor=request.user, fund_id=fund_id)
    r = selectors.fund_report(fund, year=year or timezone.localdate().year)
    return {"fund_id": fund.id, "year": r.year, "opening": str(r.opening), "income": str(r.income),
            "spending": str(r.spending), "closing": str(r.closing),
            "by_category": [{**c, "amount": str(c["amount"])} for c in r.by_category]}
