"""JSON API of 党员积分 at /api/v1/points/...: thin — parse, call one service or selector, shape."""
from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from dangjian.accounts.scope import org_get_visible, require
from dangjian.core.api import Detail, Page
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate
from dangjian.members.selectors import member_get

from . import ranking, selectors, services
from .models import Objection, PointEntry, PointRuleVersion, Publication

router = Router(tags=["党员积分"])
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


# --- schemas ------------------------------------------------------------------------------------------

class VersionFields(Schema):
    name: str = Field(max_length=200)
    category: str
    points: Decimal
    cap_per_period: Decimal | None = None
    evidence_required: bool = False
    self_report_allowed: bool = False
    requires_approval: bool = False
    overridable: bool = False
    override_min: Decimal | None = None
    override_max: Decimal | None = None
    note: str = Field("", max_length=1000)


class RuleIn(VersionFields):
    org_id: int
    code: str = Field(max_length=100)
    subject: str = "member"
    valid_from: date | None = None


class RevisionIn(Schema):
    name: str | None = Field(None, max_length=200)
    category: str | None = None
    points: Decimal | None = None
    cap_per_period: Decimal | None = None
    evidence_required: bool | None = None
    self_report_allowed: bool | None = None
    requires_approval: bool | None = None
    overridable: bool | None = None
    override_min: Decimal | None = None
    override_max: Decimal | None = None
    note: str | None = Field(None, max_length=1000)
    valid_from: date


class RetireIn(Schema):
    valid_to: date


class RuleOut(Schema):
    id: int
    rule_id: int
    org_id: int
    org_name: str
    code: str
    subject: str
    origin: str | None = None
    version: int
    name: str
    category: str
    points: Decimal
    cap_per_period: Decimal | None
    evidence_required: bool
    self_report_allowed: bool
    requires_approval: bool
    overridable: bool
    override_min: Decimal | None
    override_max: Decimal | None
    valid_from: date
    valid_to: date | None


class RuleDetail(Schema):
    id: int
    org_id: int
    code: str
    subject: str
    overrides_id: int | None
    versions: list[RuleOut]


class EntryIn(Schema):
    member_id: int | None = None
    org_id: int | None = None
    rule_code: str = Field(max_length=100)
    occurred_on: date
    note: str = Field("", max_length=1000)


class PointsNoteIn(Schema):
    note: str = Field("", max_length=1000)


class ReasonIn(Schema):
    reason: str = Field(max_length=1000)


class PointsEntryOut(Schema):
    id: int
    member_id: int | None
    member_name: str | None
    org_id: int
    org_name: str
    rule_code: str
    rule_name: str
    rule_version: int
    category: str
    points: Decimal
    occurred_on: date
    period: str
    source: str
    source_app: str
    status: str
    note: str
    has_evidence: bool
    reverses_id: int | None
    reversed_by_id: int | None = None
    reason: str
    created_by: str | None
    decided_by: str | None
    decision_note: str


class EntryParams(Schema):
    org: int
    period: str | None = None
    status: str = ""
    source: str = ""
    category: str = ""
    member_id: int | None = None
    q: str = Field("", max_length=50)
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class RankingParams(Schema):
    org: int
    period: str
    level: str = "member"
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class RankingItem(Schema):
    rank: int
    member_id: int | None = None
    org_id: int | None = None
    name: str
    org_name: str | None = None
    score: Decimal
    stars: int
    warn: bool
    members: int | None = None


class MemberPoints(Schema):
    member_id: int
    name: str
    period: str
    score: Decimal
    stars: int
    warn: bool
    formula: str
    entries: list[PointsEntryOut]


class PointsSchemeIn(Schema):
    base: Decimal | None = None
    period_kind: str | None = None
    objection_days: int | None = None
    warn_below: Decimal | None = None
    unqualified_below: Decimal | None = None
    star_thresholds: list[list[Decimal]] | None = None
    category_weights: dict[str, Decimal] | None = None
    note: str | None = Field(None, max_length=1000)


class PointsSchemeOut(Schema):
    org_id: int
    base: Decimal
    period_kind: str
    objection_days: int
    warn_below: Decimal
    unqualified_below: Decimal
    star_thresholds: list
    category_weights: dict
    formula: str
    note: str


class PointsPublicationIn(Schema):
    org_id: int
    period: str = Field(max_length=20)
    level: str = "member"


class ObjectionIn(Schema):
    text: str = Field(max_length=2000)


class ResolveIn(Schema):
    upheld: bool
    response: str = Field(max_length=2000)


class ObjectionOut(Schema):
    id: int
    publication_id: int
    filer_name: str
    text: str
    filed_on: date
    status: str
    response: str


class PointsPublicationOut(Schema):
    id: int
    org_id: int
    org_name: str
    period: str
    level: str
    published_on: date
    objection_until: date
    window_open: bool
    locked: bool
    formula: str
    rows: list[dict] = []
    objections: list[ObjectionOut] = []


# --- shaping ----------------------------------------------------------------------------------------------

def _version_out(v: PointRuleVersion) -> dict:
    r = v.rule
    return {"id": v.id, "rule_id": r.id, "org_id": r.org_id, "org_name": r.org.name, "code": r.code,
            "subject": r.subject, "origin": getattr(v, "origin", None), "version": v.version, "name": v.name,
            "category": v.category, "points": v.points, "cap_per_period": v.cap_per_period,
            "evidence_required": v.evidence_required, "self_report_allowed": v.self_report_allowed,
            "requires_approval": v.requires_approval, "overridable": v.overridable, "override_min": v.override_min,
            "override_max": v.override_max, "valid_from": v.valid_from, "valid_to": v.valid_to}


def _user_name(u) -> str | None:
    return (u.get_full_name() or u.username) if u is not None else None


def entry_out(e: PointEntry, reversed_by: dict | None = None) -> dict:
    return {"id": e.id, "member_id": e.member_id, "member_name": e.member.name if e.member_id else None,
            "org_id": e.org_id, "org_name": e.org.name, "rule_code": e.rule_code, "rule_name": e.rule_version.name,
            "rule_version": e.rule_version.version, "category": e.category, "points": e.points,
            "occurred_on": e.occurred_on, "period": e.period, "source": e.source, "source_app": e.source_app,
            "status": e.status, "note": e.note, "has_evidence": bool(e.evidence), "reverses_id": e.reverses_id,
            "reversed_by_id": (reversed_by or {}).get(e.id), "reason": e.reason,
            "created_by": _user_name(e.created_by), "decided_by": _user_name(e.decided_by),
            "decision_note": e.decision_note}


def entries_out(entries) -> list[dict]:
    entries = list(entries)
    reversed_by = dict(PointEntry.objects.filter(reverses__in=[e.id for e in entries])
                       .values_list("reverses_id", "id"))
    return [entry_out(e, reversed_by) for e in entries]


def _publication_out(p: Publication, *, full: bool = False) -> dict:
    state = selectors.publication_state(p)
    out = {"id": p.id, "org_id": p.org_id, "org_name": p.org.name, "period": p.period, "level": p.level,
           "published_on": p.published_on, "objection_until": p.objection_until, "formula": p.formula, **state}
    if full:
        out["rows"] = p.rows
        out["objections"] = [{"id": o.id, "publication_id": p.id, "filer_name": o.filer_name, "text": o.text,
                              "filed_on": o.filed_on, "status": o.status, "response": o.response}
                             for o in p.objections.all()]
    return out


def _scheme_out(org, scheme) -> dict:
    return {"org_id": org.id, "base": scheme.base, "period_kind": scheme.period_kind,
            "objection_days": scheme.objection_days, "warn_below": scheme.warn_below,
            "unqualified_below": scheme.unqualified_below,
            "star_thresholds": [[str(m), s] for m, s in scheme.stars()],
            "category_weights": scheme.category_weights or {}, "formula": selectors.formula_text(scheme),
            "note": scheme.note}


# --- rules ----------------------------------------------------------------------------------------------------

@router.get("/points/rules", response={200: Page[RuleOut], 404: Detail})
def rule_list(request, org: int, on: date | None = None):
    """The catalog in force for an org on a date (one version per code; inherited, own or overridden)."""
    _, versions = selectors.rule_catalog(actor=request.user, org_id=org, day=on)
    return {"items": [_version_out(v) for v in versions], "count": len(versions)}


@router.post("/points/rules", response={201: RuleDetail, **ERRORS})
def rule_create(request, payload: RuleIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id", "code", "subject", "valid_from"})
    rule = services.rule_create(actor=request.user, org=org, code=payload.code, data=data,
                                valid_from=payload.valid_from, subject=payload.subject)
    return 201, _rule_detail(rule)


def _rule_detail(rule) -> dict:
    versions = rule.versions.select_related("rule", "rule__org").order_by("-version")
    return {"id": rule.id, "org_id": rule.org_id, "code": rule.code, "subject": rule.subject,
            "overrides_id": rule.overrides_id, "versions": [_version_out(v) for v in versions]}


@router.get("/points/rules/{point_rule_id}", response={200: RuleDetail, 404: Detail})
def rule_detail(request, point_rule_id: int):
    return _rule_detail(selectors.rule_get(actor=request.user, rule_id=point_rule_id))


@router.post("/points/rules/{point_rule_id}/versions", response={201: RuleOut, **ERRORS})
def rule_revise(request, point_rule_id: int, payload: RevisionIn):
    rule = selectors.rule_get(actor=request.user, rule_id=point_rule_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if k != "valid_from"}
    version = services.rule_revise(actor=request.user, rule=rule, data=data, valid_from=payload.valid_from)
    return 201, _version_out(version)


@router.post("/points/rules/{point_rule_id}/retire", response={200: RuleOut, **ERRORS})
def rule_retire(request, point_rule_id: int, payload: RetireIn):
    rule = selectors.rule_get(actor=request.user, rule_id=point_rule_id)
    return _version_out(services.rule_retire(actor=request.user, rule=rule, valid_to=payload.valid_to))


# --- entries ---------------------------------------------------------------------------------------------------

@router.get("/points/entries", response={200: Page[PointsEntryOut], **ERRORS})
def entry_list(request, params: Query[EntryParams]):
    filters = selectors.EntryFilters(period=selectors.parse_period_or_400(params.period) if params.period else None,
                                     status=params.status, source=params.source, category=params.category,
                                     member_id=params.member_id, q=params.q.strip())
    _, qs = selectors.ledger(actor=request.user, org_id=params.org, filters=filters)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": entries_out(result["items"]), "count": result["count"]}


@router.post("/points/entries", response={201: PointsEntryOut, **ERRORS})
def entry_create(request, payload: EntryIn):
    """A secretary's award or deduction; `status` is pending when the rule requires approval."""
    if (payload.member_id is None) == (payload.org_id is None):
        raise DomainError("请指定 member_id（党员）或 org_id（党组织）之一", field="member_id")
    member = member_get(actor=request.user, member_id=payload.member_id) if payload.member_id else None
    org = org_get_visible(actor=request.user, org_id=payload.org_id) if payload.org_id else None
    entry = services.entry_create(actor=request.user, member=member, org=org, rule_code=payload.rule_code,
                                  occurred_on=payload.occurred_on, note=payload.note)
    return 201, entry_out(entry)


@router.post("/points/self-reports", response={201: PointsEntryOut, **ERRORS})
def self_report(request, rule_code: Form[str], occurred_on: Form[date], note: Form[str] = "",
                evidence: File[UploadedFile] = None):
    """A member reports their own deed from a phone (multipart; `evidence` a JPG/PNG/PDF up to 5 MB)."""
    entry = services.entry_self_report(actor=request.user, rule_code=rule_code, occurred_on=occurred_on,
                                       note=note[:1000], evidence=evidence)
    return 201, entry_out(entry)


@router.get("/points/entries/{point_entry_id}", response={200: PointsEntryOut, 404: Detail})
def entry_detail(request, point_entry_id: int):
    return entries_out([selectors.entry_get(actor=request.user, entry_id=point_entry_id)])[0]


@router.post("/points/entries/{point_entry_id}/approve", response={200: PointsEntryOut, **ERRORS})
def entry_approve(request, point_entry_id: int, payload: PointsNoteIn = None):
    entry = selectors.entry_get(actor=request.user, entry_id=point_entry_id)
    return entry_out(services.entry_approve(actor=request.user, entry=entry, note=payload.note if payload else ""))


@router.post("/points/entries/{point_entry_id}/reject", response={200: PointsEntryOut, **ERRORS})
def entry_reject(request, point_entry_id: int, payload: PointsNoteIn = None):
    entry = selectors.entry_get(actor=request.user, entry_id=point_entry_id)
    return entry_out(services.entry_reject(actor=request.user, entry=entry, note=payload.note if payload else ""))


@router.post("/points/entries/{point_entry_id}/reverse", response={201: PointsEntryOut, **ERRORS})
def entry_reverse(request, point_entry_id: int, payload: ReasonIn):
    entry = selectors.entry_get(actor=request.user, entry_id=point_entry_id)
    return 201, entry_out(services.entry_reverse(actor=request.user, entry=entry, reason=payload.reason))


# --- index, ranking, scheme ----------------------------------------------------------------------------------------

@router.get("/points/members/{member_id}", response={200: MemberPoints, **ERRORS})
def member_points(request, member_id: int, period: str):
    p = selectors.parse_period_or_400(period)
    data = selectors.member_points(actor=request.user, member_id=member_id, period=p)
    return {"member_id": data["member"].id, "name": data["member"].name, "period": p.label, "score": data["score"],
            "stars": data["stars"], "warn": data["warn"], "formula": selectors.formula_text(data["scheme"]),
            "entries": entries_out(data["entries"])}


@router.get("/points/ranking", response={200: Page[RankingItem], **ERRORS})
def ranking_list(request, params: Query[RankingParams]):
    """Ranks of members (level=member) or of branches / committees under an org; ties share a rank."""
    org = org_get_visible(actor=request.user, org_id=params.org)
    require(request.user, "points.view", org)
    p = selectors.parse_period_or_400(params.period)
    if params.level not in ranking.LEVELS:
        raise DomainError(f"level 应为 {' / '.join(ranking.LEVELS)}", field="level")
    scheme = selectors.scheme_for(org)
    if params.level == "member":
        result = paginate(ranking.member_ranking(org, p, scheme), page=params.page, page_size=params.page_size)
        items = [{**ranking.member_row(m, scheme), "member_id": m.id} for m in result["items"]]
        return {"items": items, "count": result["count"]}
    rows = ranking.org_ranking(org, p, scheme, params.level)
    start = (params.page - 1) * params.page_size
    return {"items": [{**r, "org_id": r["id"]} for r in rows[start:start + params.page_size]], "count": len(rows)}


@router.get("/points/schemes/{org_id}", response={200: PointsSchemeOut, 404: Detail})
def scheme_get(request, org_id: int):
    org = org_get_visible(actor=request.user, org_id=org_id)
    require(request.user, "points.view", org)
    return _scheme_out(org, selectors.scheme_for(org))


@router.patch("/points/schemes/{org_id}", response={200: PointsSchemeOut, **ERRORS})
def scheme_patch(request, org_id: int, payload: PointsSchemeIn):
    org = org_get_visible(actor=request.user, org_id=org_id)
    data = payload.dict(exclude_unset=True)
    if "star_thresholds" in data:
        data["star_thresholds"] = [list(t) for t in data["star_thresholds"]]
        if any(len(t) != 2 for t in data["star_thresholds"]):
            raise DomainError("星级门槛应为 [[分数, 星级], …]", field="star_thresholds")
    return _scheme_out(org, services.scheme_save(actor=request.user, org=org, data=data))


# --- publications ------------------------------------------------------------------------------------------------

@router.get("/points/publications", response=Page[PointsPublicationOut])
def publication_list(request, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    result = paginate(selectors.publication_list(actor=request.user), page=page, page_size=page_size)
    return {"items": [_publication_out(p) for p in result["items"]], "count": result["count"]}


@router.post("/points/publications", response={201: PointsPublicationOut, **ERRORS})
def publication_create(request, payload: PointsPublicationIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    pub = services.publication_create(actor=request.user, org=org, period=payload.period, level=payload.level)
    return 201, _publication_out(pub, full=True)


@router.get("/points/publications/{publication_id}", response={200: PointsPublicationOut, 404: Detail})
def publication_detail(request, publication_id: int):
    return _publication_out(selectors.publication_get(actor=request.user, publication_id=publication_id), full=True)


@router.post("/points/publications/{publication_id}/objections", response={201: ObjectionOut, **ERRORS})
def objection_file(request, publication_id: int, payload: ObjectionIn):
    pub = selectors.publication_get(actor=request.user, publication_id=publication_id)
    o = services.objection_file(actor=request.user, publication=pub, text=payload.text)
    return 201, {"id": o.id, "publication_id": pub.id, "filer_name": o.filer_name, "text": o.text,
                 "filed_on": o.filed_on, "status": o.status, "response": o.response}


@router.post("/points/objections/{objection_id}/resolve", response={200: ObjectionOut, **ERRORS})
def objection_resolve(request, objection_id: int, payload: ResolveIn):
    objection = get_object_or_404(Objection.objects.filter(
        publication__in=selectors.publications_visible(request.user)), id=objection_id)
    o = services.objection_resolve(actor=request.user, objection=objection, upheld=payload.upheld,
                                   response=payload.response)
    return {"id": o.id, "publication_id": o.publication_id, "filer_name": o.filer_name, "text": o.text,
            "filed_on": o.filed_on, "status": o.status, "response": o.response}


# 三亮一评 and 预警 live in their own module (kept under the size limit).
from .api_pledges import router as _pledges_router  # noqa: E402

router.add_router("", _pledges_router)
