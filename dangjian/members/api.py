from datetime import date

from django.http import Http404
from django.utils import timezone
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from dangjian.accounts.scope import require
from dangjian.core.api import Detail, Page
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate
from dangjian.orgs.selectors import org_get

from . import lifecycle, rules, selectors, services
from .models import ChangeRequest, Member
from .schemas import (AccountIn, AccountOut, ChangeRequestIn, ChangeRequestOut, DecisionIn, DisposalIn, DisposalOut,
                      MemberIn, MemberOut, MemberPatch, MobileIn, MobileOut, RejectIn, TransferIn, TransferInbound,
                      TransferOut)

router = Router(tags=["党员"])
MAX_UPLOAD = 10 * 1024 * 1024
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


def member_out(m: Member, *, reveal: bool = False) -> dict:
    return {
        "id": m.id, "name": m.name, "gender": m.gender, "ethnicity": m.ethnicity, "birth_date": m.birth_date,
        "id_number": m.id_number if reveal else m.id_masked, "phone": m.phone, "education": m.education,
        "degree": m.degree, "occupation": m.occupation, "unit_name": m.unit_name, "stage": m.stage,
        "status": m.status, "org_id": m.org_id, "org_name": m.org.name, "party_group_id": m.party_group_id,
        "applied_on": m.applied_on, "joined_on": m.joined_on, "full_on": m.full_on,
        "work_started_on": m.work_started_on, "party_years": m.party_years, "in_hardship": m.in_hardship,
        "is_retired": m.is_retired, "is_cadre": m.is_cadre, "is_exempt": m.is_exempt, "is_veteran": m.is_veteran,
        "version": services.member_version(m),
    }


class MemberQuery(Schema):
    org: int
    q: str = Field("", max_length=50)
    stage: str = ""
    status: str = ""
    education: str = ""
    gender: str = ""
    party_group: int | None = None
    age_band: str = ""
    party_years: str = ""
    flag: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


@router.post("/members", response={201: MemberOut, **ERRORS})
def member_create(request, payload: MemberIn):
    org = org_get(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id"})
    member = services.member_create(actor=request.user, org=org, data=data)
    return 201, member_out(member)


@router.get("/members", response={200: Page[MemberOut], 404: Detail})
def member_list(request, params: Query[MemberQuery]):
    """The org's whole subtree; q searches name, pinyin, initials, phone tail or an exact ID number."""
    org = org_get(actor=request.user, org_id=params.org)
    filters = selectors.MemberFilters(**params.dict(exclude={"org", "page", "page_size"}))
    result = paginate(selectors.member_list(actor=request.user, org=org, filters=filters), page=params.page,
                      page_size=params.page_size)
    return {"items": [member_out(m) for m in result["items"]], "count": result["count"]}


@router.get("/members/import-template")
def import_template(request):
    from dangjian.core.xlsx import xlsx_response

    from .exporting import roster_template

    return xlsx_response(roster_template(), "党员信息导入模板.xlsx")


class ImportResult(Schema):
    valid: bool
    created: int
    errors: list[dict]


@router.post("/members/import", response={200: ImportResult, 400: ImportResult, 404: Detail, 403: Detail})
def member_import(request, org: int, dry_run: bool = True, file: UploadedFile = File(...)):
    """Dry run (default) reports per-row errors; dry_run=false imports all rows or none."""
    from .importing import parse_roster, roster_import, validate_roster

    target = org_get(actor=request.user, org_id=org)
    require(request.user, "members.edit", target)
    data = file.read(MAX_UPLOAD + 1)
    try:
        parsed = parse_roster(data, filename=file.name or "upload.xlsx")
    except DomainError as exc:
        return 400, {"valid": False, "created": 0, "errors": [{"row": 0, "column": "", "message": exc.detail}]}
    if dry_run:
        report, created = validate_roster(parsed, actor=request.user, org=target, today=timezone.localdate()), 0
    else:  # validate and insert in one pass; nothing is written unless every row is valid
        report, created = roster_import(parsed, actor=request.user, org=target, today=timezone.localdate())
    if not report.valid:  # errors: already [{"row", "column", "message"}]
        return (200 if dry_run else 400), {"valid": False, "created": 0, "errors": report.errors}
    return 200, {"valid": True, "created": created, "errors": []}


@router.get("/members/export")
def member_export(request, params: Query[MemberQuery]):
    from dangjian.core.xlsx import xlsx_response

    from .exporting import roster_workbook

    org = org_get(actor=request.user, org_id=params.org)
    require(request.user, "members.export", org)
    filters = selectors.MemberFilters(**params.dict(exclude={"org", "page", "page_size"}))
    qs = selectors.member_list(actor=request.user, org=org, filters=filters)
    audit(actor=request.user, verb="member.export", target=org, org=org,
          after={"filters": {k: v for k, v in filters.__dict__.items() if v}, "count": qs.count()})
    return xlsx_response(roster_workbook(qs, reveal_ids=False), f"{org.name}党员花名册.xlsx")


@router.get("/members/{member_id}", response={200: MemberOut, 404: Detail})
def member_detail(request, member_id: int):
    return member_out(selectors.member_get(actor=request.user, member_id=member_id))


@router.patch("/members/{member_id}", response={200: MemberOut, **ERRORS})
def member_patch(request, member_id: int, payload: MemberPatch):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None) or request.headers.get("If-Match") or None
    for key, value in data.items():  # an explicit null on a field that cannot be empty is a bad request, not a 500
        if value is None and key != "party_group_id" and not Member._meta.get_field(key).null:
            raise DomainError("该字段不能为空（null）", field=key)
    member = services.member_update(actor=request.user, member=member, data=data, expected_version=version)
    return member_out(member)


class IdOut(Schema):
    id_number: str


@router.post("/members/{member_id}/reveal-id", response={200: IdOut, 403: Detail, 404: Detail})
def member_reveal_id(request, member_id: int):
    """The full ID number, for roles that may see it; every reveal is audited."""
    member = selectors.member_get(actor=request.user, member_id=member_id)
    return {"id_number": services.member_reveal_id(actor=request.user, member=member)}


@router.post("/members/{member_id}/account", response={201: AccountOut, **ERRORS})
def member_account(request, member_id: int, payload: AccountIn):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    user = services.member_account_create(actor=request.user, member=member, username=payload.username,
                                          password=payload.password)
    return 201, {"username": user.username, "member_id": member.id}


# --- Self-service ------------------------------------------------------------------------

@router.get("/me/member", response={200: MemberOut, 404: Detail})
def my_member(request):
    member = selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    return member_out(member)


def _cr_out(r: ChangeRequest) -> dict:
    return {"id": r.id, "member_id": r.member_id, "field": r.field, "old_value": r.old_value,
            "new_value": r.new_value, "state": r.state}


@router.post("/me/change-requests", response={201: ChangeRequestOut, **ERRORS})
def my_change_request(request, payload: ChangeRequestIn):
    member = selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    req = services.change_request_create(actor=request.user, member=member, field=payload.field,
                                         new_value=payload.new_value, reason=payload.reason)
    return 201, _cr_out(req)


@router.get("/change-requests", response={200: Page[ChangeRequestOut], 404: Detail})
def change_request_list(request, org: int, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    target = org_get(actor=request.user, org_id=org)
    result = paginate(selectors.change_requests_pending(actor=request.user, org=target), page=page,
                      page_size=page_size)
    return {"items": [_cr_out(r) for r in result["items"]], "count": result["count"]}


@router.post("/change-requests/{request_id}/decide", response={200: ChangeRequestOut, **ERRORS})
def change_request_decide(request, request_id: int, payload: DecisionIn):
    req = selectors.change_request_get(actor=request.user, request_id=request_id)
    return _cr_out(services.change_request_decide(actor=request.user, request=req, approve=payload.approve,
                                                  note=payload.note))


# --- Transfers ---------------------------------------------------------------------------

def transfer_out_dict(t) -> dict:
    return {"id": t.id, "member_id": t.member_id, "member_name": t.member.name, "direction": t.direction,
            "from_org_id": t.from_org_id, "to_org_id": t.to_org_id, "external_org_name": t.external_org_name,
            "letter_no": t.letter_no, "issued_on": t.issued_on, "report_by": t.report_by, "state": t.state,
            "overdue": t.state == "in_transit" and rules.transfer_overdue(report_by=t.report_by,
                                                                          today=timezone.localdate())}


@router.post("/transfers", response={201: TransferOut, **ERRORS})
def transfer_create(request, payload: TransferIn):
    member = selectors.member_get(actor=request.user, member_id=payload.member_id)
    if (payload.to_org_id is None) == (payload.to_external is None):
        raise DomainError("请指定 to_org_id（系统内）或 to_external（系统外）之一", field="to_org_id")
    if payload.to_org_id is not None:
        from dangjian.orgs.models import Org

        to_org = Org.objects.filter(id=payload.to_org_id, is_active=True).first()  # any org may receive
        if to_org is None:
            raise Http404
        t = lifecycle.transfer_out(actor=request.user, member=member, to_org=to_org, letter_no=payload.letter_no,
                                   reason=payload.reason)
    else:
        ext = payload.to_external
        t = lifecycle.transfer_out(actor=request.user, member=member, external_org_name=ext.org_name,
                                   letter_no=ext.letter_no or payload.letter_no, cross_province=ext.cross_province,
                                   reason=payload.reason)
    return 201, transfer_out_dict(t)


@router.post("/transfers/inbound", response={201: TransferOut, **ERRORS})
def transfer_inbound(request, payload: TransferInbound):
    org = org_get(actor=request.user, org_id=payload.to_org_id)
    t = lifecycle.transfer_inbound(actor=request.user, to_org=org, from_org_name=payload.from_org_name,
                                   letter_no=payload.letter_no, data=payload.member.dict(exclude={"org_id"}))
    return 201, transfer_out_dict(t)


@router.get("/transfers", response={200: Page[TransferOut], 404: Detail})
def transfer_list(request, org: int, state: str = "", overdue: bool = False, page: int = Query(1, ge=1),
                  page_size: int = Query(50, ge=1, le=200)):
    target = org_get(actor=request.user, org_id=org)
    result = paginate(lifecycle.transfer_list(actor=request.user, org=target, state=state, overdue_only=overdue),
                      page=page, page_size=page_size)
    return {"items": [transfer_out_dict(t) for t in result["items"]], "count": result["count"]}


@router.post("/transfers/{transfer_id}/accept", response={200: TransferOut, **ERRORS})
def transfer_accept(request, transfer_id: int):
    t = lifecycle.transfer_get(actor=request.user, transfer_id=transfer_id)
    return transfer_out_dict(lifecycle.transfer_accept(actor=request.user, transfer=t))


@router.post("/transfers/{transfer_id}/reject", response={200: TransferOut, **ERRORS})
def transfer_reject(request, transfer_id: int, payload: RejectIn):
    t = lifecycle.transfer_get(actor=request.user, transfer_id=transfer_id)
    return transfer_out_dict(lifecycle.transfer_reject(actor=request.user, transfer=t, reason=payload.reason))


# --- Mobile members ----------------------------------------------------------------------

def mobile_out(r) -> dict:
    stale = getattr(r, "contact_stale", None)
    if stale is None:
        stale = r.ended_on is None and rules.mobile_contact_stale(last_contact_on=r.last_contact_on, since=r.since,
                                                                 today=timezone.localdate())
    return {"id": r.id, "member_id": r.member_id, "member_name": r.member.name, "direction": r.direction,
            "place": r.place, "since": r.since, "contact": r.contact, "host_org_name": r.host_org_name,
            "last_contact_on": r.last_contact_on, "ended_on": r.ended_on, "contact_stale": stale}


@router.post("/mobile-members", response={201: MobileOut, **ERRORS})
def mobile_create(request, payload: MobileIn):
    member = selectors.member_get(actor=request.user, member_id=payload.member_id)
    r = lifecycle.mobile_register(actor=request.user, member=member, **payload.dict(exclude={"member_id"}))
    return 201, mobile_out(r)


@router.get("/mobile-members", response={200: Page[MobileOut], 404: Detail})
def mobile_list(request, org: int, stale: bool = False, page: int = Query(1, ge=1),
                page_size: int = Query(50, ge=1, le=200)):
    target = org_get(actor=request.user, org_id=org)
    records = lifecycle.mobile_list(actor=request.user, org=target, stale_only=stale)
    start = (page - 1) * page_size
    return {"items": [mobile_out(r) for r in records[start:start + page_size]], "count": len(records)}


class DateIn(Schema):
    on: date


@router.post("/mobile-members/{record_id}/contact", response={200: MobileOut, **ERRORS})
def mobile_contact(request, record_id: int, payload: DateIn):
    r = lifecycle.mobile_get(actor=request.user, record_id=record_id)
    return mobile_out(lifecycle.mobile_contact(actor=request.user, record=r, on=payload.on))


@router.post("/mobile-members/{record_id}/end", response={200: MobileOut, **ERRORS})
def mobile_end(request, record_id: int, payload: DateIn):
    r = lifecycle.mobile_get(actor=request.user, record_id=record_id)
    return mobile_out(lifecycle.mobile_end(actor=request.user, record=r, on=payload.on))


# --- Disposals ---------------------------------------------------------------------------

def disposal_out(d) -> dict:
    return {"id": d.id, "member_id": d.member_id, "member_name": d.member.name, "kind": d.kind, "reason": d.reason,
            "decided_on": d.decided_on, "deadline": d.deadline, "outcome": d.outcome, "state": d.state}


@router.post("/disposals", response={201: DisposalOut, **ERRORS})
def disposal_create(request, payload: DisposalIn):
    member = selectors.member_get(actor=request.user, member_id=payload.member_id)
    d = lifecycle.disposal_record(actor=request.user, member=member, **payload.dict(exclude={"member_id"}))
    return 201, disposal_out(d)


@router.get("/disposals", response={200: Page[DisposalOut], 404: Detail})
def disposal_list(request, org: int, state: str = "", page: int = Query(1, ge=1),
                  page_size: int = Query(50, ge=1, le=200)):
    target = org_get(actor=request.user, org_id=org)
    result = paginate(lifecycle.disposal_list(actor=request.user, org=target, state=state), page=page,
                      page_size=page_size)
    return {"items": [disposal_out(d) for d in result["items"]], "count": result["count"]}


class OutcomeIn(Schema):
    outcome: str = Field(max_length=200)


@router.post("/disposals/{disposal_id}/close", response={200: DisposalOut, **ERRORS})
def disposal_close(request, disposal_id: int, payload: OutcomeIn):
    d = lifecycle.disposal_get(actor=request.user, disposal_id=disposal_id)
    return disposal_out(lifecycle.disposal_close(actor=request.user, disposal=d, outcome=payload.outcome))
