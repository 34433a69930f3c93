from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.core.api import Detail, Page
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate

from . import selectors, services
from .models import Org

router = Router(tags=["党组织"])


class OrgIn(Schema):
    parent_id: int
    name: str = Field(max_length=200)
    kind: str


class OrgPatch(Schema):
    name: str | None = Field(None, max_length=200)
    secretary: str | None = Field(None, max_length=200)
    founded_on: str | None = None


class OrgMoveIn(Schema):
    parent_id: int


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    path: str
    depth: int
    region_id: int | None
    numchild: int


class OrgsListParams(Schema):
    under: int | None = None
    kind: str | None = None
    q: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def _out(org: Org, parent_id: int | None = ...) -> dict:
    return {"id": org.id, "name": org.name, "kind": org.kind,
            "parent_id": org.parent_id if parent_id is ... else parent_id,
            "path": org.path, "depth": org.depth, "region_id": org.region_id, "numchild": org.numchild}


def _page(result: dict) -> dict:
    parents = selectors.org_parent_ids(result["items"])
    return {"items": [_out(o, parents[o.id]) for o in result["items"]], "count": result["count"]}


@router.post("/orgs", response={201: OrgOut, 400: Detail, 403: Detail, 404: Detail, 409: Detail})
def org_create(request, payload: OrgIn):
    parent = selectors.org_get(actor=request.user, org_id=payload.parent_id)
    org = services.org_create(actor=request.user, parent=parent, name=payload.name, kind=payload.kind)
    return 201, _out(org, parent.id)


@router.get("/orgs", response=Page[OrgOut])
def org_list(request, params: Query[OrgsListParams]):
    """Organizations in scope; ?under={id} gives that org's whole subtree in tree order."""
    if params.under is not None:
        root = selectors.org_get(actor=request.user, org_id=params.under)
        qs = selectors.org_subtree(actor=request.user, org=root, kind=params.kind, q=params.q)
    else:
        qs = selectors.org_list(actor=request.user)
        if params.kind:
            qs = qs.filter(kind=params.kind)
        if params.q:
            qs = qs.filter(name__icontains=params.q)
    return _page(paginate(qs, page=params.page, page_size=params.page_size))


@router.get("/orgs/{org_id}", response={200: OrgOut, 404: Detail})
def org_detail(request, org_id: int):
    return _out(selectors.org_get(actor=request.user, org_id=org_id))


@router.patch("/orgs/{org_id}", response={200: OrgOut, 400: Detail, 403: Detail, 404: Detail, 409: Detail})
def org_patch(request, org_id: int, payload: OrgPatch):
    org = selectors.org_get(actor=request.user, org_id=org_id)
    changes = payload.dict(exclude_unset=True)
    if "founded_on" in changes and changes["founded_on"]:
        from django.utils.dateparse import parse_date

        try:
            changes["founded_on"] = parse_date(changes["founded_on"])
        except ValueError:
            changes["founded_on"] = None
        if changes["founded_on"] is None:
            raise DomainError("成立日期格式应为 YYYY-MM-DD", field="founded_on")
    return _out(services.org_update(actor=request.user, org=org, **changes))


@router.post("/orgs/{org_id}/move", response={200: OrgOut, 400: Detail, 403: Detail, 404: Detail, 409: Detail})
def org_move(request, org_id: int, payload: OrgMoveIn):
    org = selectors.org_get(actor=request.user, org_id=org_id)
    parent = selectors.org_get(actor=request.user, org_id=payload.parent_id)
    return _out(services.org_move(actor=request.user, org=org, new_parent=parent), parent.id)


@router.get("/orgs/{org_id}/children", response={200: Page[OrgOut], 404: Detail})
def org_children(request, org_id: int, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    org = selectors.org_get(actor=request.user, org_id=org_id)
    result = paginate(selectors.org_children(actor=request.user, org=org), page=page, page_size=page_size)
    return {"items": [_out(o, org.id) for o in result["items"]], "count": result["count"]}
