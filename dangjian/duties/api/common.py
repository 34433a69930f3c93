"""Shared bits of the duties API: the org filter, list params, error responses."""
from ninja import Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible
from dangjian.core.api import Detail
from dangjian.core.pagination import paginate

ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


class ListParams(Schema):
    org: int | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def org_filter(request, org_id):
    return org_get_visible(actor=request.user, org_id=org_id) if org_id is not None else None


def page(qs, params, out) -> dict:
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [out(o) for o in result["items"]], "count": result["count"]}
