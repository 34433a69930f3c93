"""/api/v1/orgs/{org_id}/standards and /size-warnings: an org's standards checklist and branch-size warnings."""
from ninja import Router, Schema

from dangjian.core.api import Detail

from . import rules, selectors

router = Router(tags=["标准化规范化"])
ERRORS = {400: Detail, 403: Detail, 404: Detail}


class ItemOut(Schema):
    code: str
    name: str
    met: bool
    evidence_count: int


class StandardsOut(Schema):
    items: list[ItemOut]


class WarningOut(Schema):
    rule: str
    label: str
    detail: str


class SizeOut(Schema):
    org_id: int
    org_name: str
    members: int
    full_members: int
    committee_seats: int
    warnings: list[WarningOut]


class SizePage(Schema):
    items: list[SizeOut]
    count: int


@router.get("/orgs/{org_id}/standards", response={200: StandardsOut, **ERRORS})
def org_standards(request, org_id: int):
    """The items of the latest standards checklist (default 八有) that applies to the org, met or not."""
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    _, checks = selectors.org_standards(org)
    return {"items": [{"code": c.item.code, "name": c.item.name, "met": c.verdict == rules.MET,
                       "evidence_count": c.evidence_count} for c in checks]}


@router.get("/orgs/{org_id}/size-warnings", response={200: SizePage, **ERRORS})
def size_warnings(request, org_id: int):
    """Branches under the org above 50 members (R-BRANCH-50), below 3 full members (R-BRANCH-3), or with ≥ 7 full
    members but no committee (R-COMMITTEE-7)."""
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    rows = selectors.size_warnings(actor=request.user, org=org)
    return {"items": [{"org_id": s.org.id, "org_name": s.org.name, "members": s.on_rolls, "full_members": s.full,
                       "committee_seats": s.committee_seats,
                       "warnings": [{"rule": w.rule, "label": w.label, "detail": w.detail} for w in s.warnings]}
                      for s in rows], "count": len(rows)}
