"""/api/v1/orgs/{org_id}/standards and /size-warnings: an org's standards checklist and branch-size warnings."""
from ninja import Router, Schema

from dangjian.core.api import Detail

from . import rules, selectors

router = Router(tags=["标准化规范化"])
ERRORS = {400: Detail, 403: Detail, 404: Detail}


class StandardsItemOut(Schema):
    code: str
    name: str
    met: bool
    evidence_count: int


class StandardsOut(Schema):
    items: list[StandardsItemOut]


class StandardsWarningOut(Schema):
    rule: str
    label: str
    detail: str


class SizeOut(Schema):
    org_id: int
    org_name: str
    members: int
    full_members: int
    committee_seats: int
    warnings: list[StandardsWarningOut]


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
    """Branches and general branches under the org (itself included) with a size warning: above 50 members
    (R-BRANCH-50), below 3 full members (R-BRANCH-3), ≥ 7 full members but no committee (R-COMMITTEE-7), ≥ 50
    members so it may become a 党总支 (R-GENERAL-50), ≥ 100 (⚙) so it may become a 基层党委 (R-COMMITTEE-100).
    Warnings only: nothing is ever refused because of them."""
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    rows = selectors.size_warnings(actor=request.user, org=org)
    return {"items": [{"org_id": s.org.id, "org_name": s.org.name, "members": s.on_rolls, "full_members": s.full,
                       "committee_seats": s.committee_seats,
                       "warnings": [{"rule": w.rule, "label": w.label, "detail": w.detail} for w in s.warnings]}
                      for s in rows], "count": len(rows)}


class SizeSettingsIn(Schema):
    committee_min_members: int


class SizeSettingsOut(Schema):
    org_id: int
    committee_min_members: int


@router.put("/orgs/{org_id}/size-settings", response={200: SizeSettingsOut, **ERRORS})
def size_settings(request, org_id: int, payload: SizeSettingsIn):
    """R-COMMITTEE-100 ⚙: a 党委 sets the member count from which orgs below it may become a 基层党委."""
    from . import services

    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    row = services.size_settings_set(actor=request.user, org=org, committee_min_members=payload.committee_min_members)
    return {"org_id": org.id, "committee_min_members": row.committee_min_members}
