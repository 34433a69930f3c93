"""/api/v1/dues/…: quote, bases, payments, a member's months, arrears, reports, publications."""
from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.core.api import Detail, Page
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate

from . import bills, cases, rules, selectors, services
from .models import DuesExemption, DuesPayment, DuesProfile, DuesPublication

router = Router(tags=["党费"])
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}

Money = str | int | float | None  # parsed by rules.parse_money (Chinese errors, at most 2 decimals)


class QuoteOut(Schema):
    category: str
    income: str | None
    rate: str | None
    amount: str


class BaseIn(Schema):
    category: str = Field(max_length=20)
    income: Money = None
    effective_from: str | None = Field(None, max_length=10)
    reason: str = Field("", max_length=200)


class ProfileOut(Schema):
    id: int
    member_id: int
    year: int
    effective_from: str
    category: str
    income: str | None
    rate: str | None
    monthly_amount: str
    reason: str


class PaymentIn(Schema):
    member_id: int
    months: list[str] = Field(max_length=24)
    amount: Money = None
    method: str = Field(max_length=10)
    voluntary: Money = None
    paid_on: str | None = Field(None, max_length=10)
    reference: str = Field("", max_length=64)
    proxy_name: str = Field("", max_length=50)
    note: str = Field("", max_length=200)


class PaymentOut(Schema):
    id: int
    receipt_no: str
    kind: str
    member_id: int
    org_id: int
    months: list[str]
    amount: str
    voluntary: str
    to_centre: bool
    method: str
    paid_on: str
    proxy: bool
    proxy_name: str
    reverses_id: int | None
    reason: str


class DuesReverseIn(Schema):
    reason: str = Field(max_length=200)


class ExemptionIn(Schema):
    from_month: str = Field(max_length=10)
    to_month: str = Field(max_length=10)
    monthly_amount: Money = "0"
    reason: str = Field(max_length=300)
    branch_decided_on: date
    approved_on: date
    approval_ref: str = Field(max_length=100)


class ExemptionOut(Schema):
    id: int
    member_id: int
    from_month: str
    to_month: str
    monthly_amount: str
    reason: str
    approval_ref: str
    revoked_on: date | None


class MonthOut(Schema):
    month: str
    state: str
    due: str | None
    paid: str
    payable: bool
    reduced: bool
    bill_id: int | None
    rule: str | None


class BillOut(Schema):
    id: int
    member_id: int
    org_id: int
    month: str
    category: str
    income: str | None
    rate: str | None
    amount: str
    rule: str
    due: str
    exemption_id: int | None
    state: str
    payment_id: int | None
    issued_on: date


class BillsIssuedOut(Schema):
    month: str
    members: int
    created: int


class CaseOut(Schema):
    member_id: int
    name: str
    org_id: int
    months: int
    first_unpaid: str
    case_id: int | None
    state: str
    contacts: int
    rule: str
    article: str


class ContactIn(Schema):
    member_id: int
    kind: str = Field(max_length=10)
    contacted_on: str = Field(max_length=10)
    summary: str = Field(max_length=500)
    good_reason: bool = False


class ContactOut(Schema):
    id: int
    case_id: int
    member_id: int
    kind: str
    contacted_on: date
    summary: str
    good_reason: bool
    case_state: str


class DisposeIn(Schema):
    decided_on: str = Field(max_length=10)
    reason: str = Field(max_length=300)


class DisposeOut(Schema):
    case_id: int
    member_id: int
    state: str
    disposal_id: int
    kind: str
    source: str


class MemberDuesOut(Schema):
    member_id: int
    name: str
    year: int
    category: str | None
    income: str | None
    monthly_amount: str | None
    months: list[MonthOut]
    due: str
    paid: str
    outstanding: str
    arrears_months: int
    arrears_level: str


class ArrearsOut(Schema):
    member_id: int
    name: str
    org_id: int
    months: int
    level: str
    rule: str


class ReportRowOut(Schema):
    org_id: int
    org_name: str
    members: int
    due: str
    paid: str
    outstanding: str
    advance: str
    voluntary: str


class DuesReportOut(Schema):
    org_id: int
    year: int
    rows: list[ReportRowOut]
    total: ReportRowOut


class PolicyIn(Schema):
    farmer_amount: Money = None
    back_limit_months: int | None = Field(None, ge=0, le=12)
    advance_limit_months: int | None = Field(None, ge=0, le=12)


class PolicyOut(Schema):
    org_id: int
    farmer_amount: str
    back_limit_months: int
    advance_limit_months: int


class PublicationIn(Schema):
    org_id: int
    year: int = Field(ge=2000, le=2100)
    handed_up: Money = "0"
    used: Money = "0"
    use_note: str = Field("", max_length=500)


class PublicationOut(Schema):
    id: int
    org_id: int
    year: int
    collected: str
    voluntary: str
    handed_up: str
    used: str
    use_note: str
    published_on: date


def _s(value) -> str | None:
    return None if value is None else str(value)


def _profile(p: DuesProfile) -> dict:
    return {"id": p.id, "member_id": p.member_id, "year": p.year, "effective_from": rules.month_label(p.effective_from),
            "category": p.category, "income": _s(p.income), "rate": _s(p.rate.normalize()) if p.rate is not None
            else None, "monthly_amount": str(p.monthly_amount), "reason": p.reason}


def _payment(p: DuesPayment) -> dict:
    return {"id": p.id, "receipt_no": p.receipt_no, "kind": p.kind, "member_id": p.member_id, "org_id": p.org_id,
            "months": [rules.month_label(m.month) for m in p.months.all()], "amount": str(p.amount),
            "voluntary": str(p.voluntary), "to_centre": p.to_centre, "method": p.method,
            "paid_on": p.paid_on.isoformat(), "proxy": p.is_proxy, "proxy_name": p.proxy_name,
            "reverses_id": p.reverses_id, "reason": p.reason}


def _exemption(e: DuesExemption) -> dict:
    return {"id": e.id, "member_id": e.member_id, "from_month": rules.month_label(e.from_month),
            "to_month": rules.month_label(e.to_month), "monthly_amount": str(e.monthly_amount), "reason": e.reason,
            "approval_ref": e.approval_ref, "revoked_on": e.revoked_on}


def _year(year: int | None) -> int:
    y = year or timezone.localdate().year
    if not 2000 <= y <= 2100:
        raise DomainError("年度无效", field="year")
    return y


@router.get("/dues/quote", response={200: QuoteOut, 400: Detail})
def dues_quote(request, category: str = Query(..., max_length=20), income: str | None = Query(None, max_length=30)):
    """The monthly amount by RULES.md §4 (farmers: the national default 0.20 here; a branch may set more)."""
    q = services.quote(category=category, income=income)
    return {"category": q.category, "income": _s(q.income), "rate": _s(q.rate), "amount": str(q.amount)}


@router.put("/dues/members/{member_id}/base", response={200: ProfileOut, **ERRORS})
def dues_base_put(request, member_id: int, payload: BaseIn):
    member = selectors.dues_member_get(actor=request.user, member_id=member_id, perm="dues.edit")
    profile = services.dues_base_set(actor=request.user, member=member, category=payload.category,
                                     income=payload.income, effective_from=payload.effective_from,
                                     reason=payload.reason)
    return _profile(profile)


@router.get("/dues/members/{member_id}", response={200: MemberDuesOut, **ERRORS})
def dues_member(request, member_id: int, year: int | None = Query(None, ge=2000, le=2100)):
    """Months of the year: due / paid / outstanding, with the arrears count (R-ABSENT-6M)."""
    member = selectors.dues_member_get(actor=request.user, member_id=member_id)
    my = selectors.member_year(actor=request.user, member=member, year=_year(year))
    p = my.profile
    return {"member_id": member.id, "name": member.name, "year": my.year,
            "category": p.category if p else None, "income": _s(p.income) if p else None,
            "monthly_amount": _s(p.monthly_amount) if p else None,
            "months": [{"month": c.label, "state": c.state, "due": _s(c.due), "paid": str(c.paid),
                        "payable": c.payable, "reduced": c.reduced, "bill_id": c.bill.id if c.bill else None,
                        "rule": c.bill.rule if c.bill else None} for c in my.cells],
            "due": str(my.due_total), "paid": str(my.paid_total), "outstanding": str(my.outstanding),
            "arrears_months": my.arrears, "arrears_level": my.arrears_level}


@router.get("/dues/members/{member_id}/profiles", response={200: list[ProfileOut], **ERRORS})
def dues_member_profiles(request, member_id: int):
    member = selectors.dues_member_get(actor=request.user, member_id=member_id)
    return [_profile(p) for p in selectors.member_profiles(member)]


@router.post("/dues/members/{member_id}/exemptions", response={201: ExemptionOut, **ERRORS})
def dues_exemption_create(request, member_id: int, payload: ExemptionIn):
    member = selectors.dues_member_get(actor=request.user, member_id=member_id, perm="dues.edit")
    ex = services.dues_exemption_create(actor=request.user, member=member, **payload.dict())
    return 201, _exemption(ex)


@router.post("/dues/payments", response={201: PaymentOut, **ERRORS})
def dues_payment_create(request, payload: PaymentIn):
    member = selectors.dues_member_get(actor=request.user, member_id=payload.member_id, perm="dues.edit")
    payment = services.dues_payment_record(actor=request.user, member=member, months=payload.months,
                                           amount=payload.amount, method=payload.method,
                                           voluntary=payload.voluntary, paid_on=payload.paid_on,
                                           reference=payload.reference, proxy_name=payload.proxy_name,
                                           note=payload.note)
    return 201, _payment(payment)


@router.get("/dues/payments", response={200: Page[PaymentOut], **ERRORS})
def dues_payment_list(request, org: int, year: int | None = Query(None, ge=2000, le=2100),
                      member_id: int | None = None,
                      page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    root = selectors.dues_org_get(actor=request.user, org_id=org)
    qs = selectors.payments_list(actor=request.user, org=root, year=year, member_id=member_id)
    result = paginate(qs.prefetch_related("months"), page=page, page_size=page_size)
    return {"items": [_payment(p) for p in result["items"]], "count": result["count"]}


@router.get("/dues/payments/{payment_id}", response={200: PaymentOut, **ERRORS})
def dues_payment_detail(request, payment_id: int):
    return _payment(selectors.payment_get(actor=request.user, payment_id=payment_id))


@router.post("/dues/payments/{payment_id}/reverse", response={201: PaymentOut, **ERRORS})
def dues_payment_reverse(request, payment_id: int, payload: DuesReverseIn):
    payment = selectors.payment_get(actor=request.user, payment_id=payment_id, perm="dues.edit")
    return 201, _payment(services.dues_payment_reverse(actor=request.user, payment=payment, reason=payload.reason))


@router.get("/dues/arrears", response={200: Page[ArrearsOut], **ERRORS})
def dues_arrears(request, org: int, minimum: int = Query(3, ge=1, le=24)):
    """Members with consecutive unpaid months: warning at 3 ⚙, R-ABSENT-6M case at 6 (never automatic)."""
    root = selectors.dues_org_get(actor=request.user, org_id=org)
    rows = selectors.arrears_list(actor=request.user, org=root, minimum=minimum)
    items = [{"member_id": r.member.id, "name": r.member.name, "org_id": r.member.org_id, "months": r.months,
              "level": r.level, "rule": "R-ABSENT-6M"} for r in rows]
    return {"items": items, "count": len(items)}


def _report_row(r) -> dict:
    return {"org_id": r.org.id, "org_name": r.org.name, "members": r.members, "due": str(r.due),
            "paid": str(r.paid), "outstanding": str(r.outstanding), "advance": str(r.advance),
            "voluntary": str(r.voluntary)}


@router.get("/dues/report", response={200: DuesReportOut, **ERRORS})
def dues_report(request, org: int, year: int | None = Query(None, ge=2000, le=2100)):
    root = selectors.dues_org_get(actor=request.user, org_id=org)
    rows, total = selectors.dues_report(actor=request.user, org=root, year=_year(year))
    return {"org_id": root.id, "year": _year(year), "rows": [_report_row(r) for r in rows],
            "total": _report_row(total)}


@router.put("/dues/orgs/{org_id}/policy", response={200: PolicyOut, **ERRORS})
def dues_policy_put(request, org_id: int, payload: PolicyIn):
    """⚙ values for org and below: the farmer amount (0.20–1.00, a branch sets it); back-payment and advance
    limits (a committee sets them)."""
    org = selectors.dues_org_get(actor=request.user, org_id=org_id, perm="dues.edit")
    p = services.dues_policy_set(actor=request.user, org=org, **payload.dict(exclude_unset=True))
    return {"org_id": org.id, "farmer_amount": str(p.farmer_amount), "back_limit_months": p.back_limit_months,
            "advance_limit_months": p.advance_limit_months}


def _publication(p: DuesPublication) -> dict:
    return {"id": p.id, "org_id": p.org_id, "year": p.year, "collected": str(p.collected),
            "voluntary": str(p.voluntary), "handed_up": str(p.handed_up), "used": str(p.used),
            "use_note": p.use_note, "published_on": p.published_on}


@router.post("/dues/publications", response={201: PublicationOut, **ERRORS})
def dues_publication_create(request, payload: PublicationIn):
    org = selectors.dues_org_get(actor=request.user, org_id=payload.org_id, perm="dues.edit")
    pub = services.dues_publication_publish(actor=request.user, org=org, year=payload.year,
                                            handed_up=payload.handed_up, used=payload.used,
                                            use_note=payload.use_note)
    return 201, _publication(pub)


@router.get("/dues/publications", response={200: Page[PublicationOut], **ERRORS})
def dues_publication_list(request, org: int, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    root = selectors.dues_org_get(actor=request.user, org_id=org)
    result = paginate(selectors.publications(actor=request.user, org=root), page=page, page_size=page_size)
    return {"items": [_publication(p) for p in result["items"]], "count": result["count"]}


# --- stored bills (R-DUES-BILL) ------------------------------------------------------------------------

def _bill(b) -> dict:
    return {"id": b.id, "member_id": b.member_id, "org_id": b.org_id, "month": rules.month_label(b.month),
            "category": b.category, "income": _s(b.income), "rate": _s(b.rate.normalize()) if b.rate is not None
            else None, "amount": str(b.amount), "rule": b.rule, "due": str(b.due), "exemption_id": b.exemption_id,
            "state": b.state, "payment_id": b.payment_id, "issued_on": b.issued_on}


@router.get("/dues/members/{member_id}/bills", response={200: list[BillOut], **ERRORS})
def dues_member_bills(request, member_id: int, year: int | None = Query(None, ge=2000, le=2100)):
    """The member's stored monthly bills of the year (amount and rule fixed when issued)."""
    member = selectors.dues_member_get(actor=request.user, member_id=member_id)
    return [_bill(b) for b in selectors.member_bills(member, year=_year(year))]


@router.post("/dues/orgs/{org_id}/bills", response={201: BillsIssuedOut, **ERRORS})
def dues_bills_issue(request, org_id: int):
    """Issue this month's bills for org now (idempotent; the monthly job does the same)."""
    org = selectors.dues_org_get(actor=request.user, org_id=org_id, perm="dues.edit")
    return 201, bills.dues_bills_issue(actor=request.user, org=org, today=timezone.localdate())


# --- arrears cases (R-ABSENT-6M, 党章第三十八条) ----------------------------------------------------------

@router.get("/dues/arrears-cases", response={200: Page[CaseOut], **ERRORS})
def dues_arrears_cases(request, org: int):
    """Members 6+ consecutive months unpaid without an accepted good reason, with the case under way."""
    root = selectors.dues_org_get(actor=request.user, org_id=org)
    rows = cases.arrears_cases(actor=request.user, org=root)
    items = [{"member_id": r.member.id, "name": r.member.name, "org_id": r.member.org_id, "months": r.months,
              "first_unpaid": rules.month_label(r.first_unpaid), "case_id": r.case.id if r.case else None,
              "state": r.state, "contacts": len(r.case.contacts.all()) if r.case else 0, "rule": cases.RULE,
              "article": rules.ARREARS_ARTICLE} for r in rows]
    return {"items": items, "count": len(items)}


@router.post("/dues/arrears-cases/contacts", response={201: ContactOut, **ERRORS})
def dues_case_contact(request, payload: ContactIn):
    """Record a talk or reminder (opens the case at 6 months; refused below)."""
    member = selectors.dues_member_get(actor=request.user, member_id=payload.member_id, perm="dues.edit")
    c = cases.arrears_contact_record(actor=request.user, member=member, kind=payload.kind,
                                     contacted_on=payload.contacted_on, summary=payload.summary,
                                     good_reason=payload.good_reason)
    return 201, {"id": c.id, "case_id": c.case_id, "member_id": member.id, "kind": c.kind,
                 "contacted_on": c.contacted_on, "summary": c.summary, "good_reason": c.good_reason,
                 "case_state": c.case.state}


@router.post("/dues/arrears-cases/{case_id}/dispose", response={201: DisposeOut, **ERRORS})
def dues_case_dispose(request, case_id: int, payload: DisposeIn):
    """The branch's decision after the talk/reminder: 自行脱党 via members' disposal record (source dues:<id>)."""
    case = cases.case_get(actor=request.user, case_id=case_id, perm="dues.edit")
    d = cases.arrears_case_dispose(actor=request.user, case=case, decided_on=payload.decided_on,
                                   reason=payload.reason)
    return 201, {"case_id": case.id, "member_id": case.member_id, "state": "disposed", "disposal_id": d.id,
                 "kind": d.kind, "source": d.source}
