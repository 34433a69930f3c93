"""Honors (/honors), service brands (/brands) and work methods (/duties/work-methods…)."""
from datetime import date

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible
from dangjian.core.api import Page

from .. import selectors, services
from .common import ERRORS, ListParams, org_filter, page

router = Router(tags=["表彰、服务品牌与支部工作法"])


class HonorIn(Schema):
    org_id: int
    subject: str = "person"
    award: str = Field(max_length=100)
    level: str = "town"
    year: int | None = None  # default: this year
    member_id: int | None = None
    person_name: str = Field("", max_length=200)
    awarded_on: date | None = None
    story: str = Field("", max_length=40000)


class HonorOut(Schema):
    id: int
    org_id: int
    subject: str
    member_id: int | None
    person_name: str
    award: str
    level: str
    year: int
    awarded_on: date | None
    state: str
    is_public: bool


class DecideIn(Schema):
    approve: bool
    public: bool = False
    note: str = Field("", max_length=400)
    awarded_on: date | None = None


class ShowcaseOut(Schema):
    id: int
    person_name: str
    org_name: str
    award: str
    level: str
    year: int
    awarded_on: date | None
    story: str


class BrandIn(Schema):
    org_id: int
    name: str = Field(max_length=200)
    year: int | None = None  # default: this year
    idea: str = Field("", max_length=10000)
    practices: str = Field("", max_length=40000)
    results: str = Field("", max_length=40000)


class BrandOut(Schema):
    id: int
    org_id: int
    org_name: str
    name: str
    year: int
    idea: str
    practices: str
    results: str
    rating: str


class RateIn(Schema):
    rating: str


class BrandCoverageOut(Schema):
    org_id: int
    total: int
    excellent: int
    nominated: int
    direct_total: int
    direct_covered: int
    direct_percent: str
    from_direct: int
    from_others: int
    all_total: int
    all_covered: int
    all_percent: str


class MethodIn(Schema):
    org_id: int
    name: str = Field(max_length=200)
    steps: list[str] = Field(max_length=40)


class MethodOut(Schema):
    id: int
    org_id: int | None
    name: str
    steps: list[str]


class DutiesRecognitionRecordIn(Schema):
    method_id: int
    org_id: int
    title: str = Field(max_length=200)
    year: int


class StepIn(Schema):
    step_no: int
    done_on: date
    content: str = Field(max_length=40000)


class StepOut(Schema):
    step_no: int
    name: str
    done_on: date | None
    content: str


class DutiesRecognitionRecordOut(Schema):
    id: int
    method_id: int
    org_id: int
    title: str
    year: int
    rating: str
    steps: list[StepOut]


class HonorParams(ListParams):
    state: str = ""
    award: str = Field("", max_length=50)


class BrandParams(ListParams):
    rating: str | None = None
    q: str = Field("", max_length=50)


def _honor(h) -> dict:
    return {"id": h.id, "org_id": h.org_id, "subject": h.subject, "member_id": h.member_id,
            "person_name": h.person_name, "award": h.award, "level": h.level, "year": h.year,
            "awarded_on": h.awarded_on, "state": h.state, "is_public": h.is_public}


def _brand(b) -> dict:
    return {"id": b.id, "org_id": b.org_id, "org_name": b.org.name, "name": b.name, "year": b.year, "idea": b.idea,
            "practices": b.practices, "results": b.results, "rating": b.rating}


def _record(r) -> dict:
    done = {s.step_no: s for s in r.step_records.all()}
    steps = [{"step_no": n, "name": name, "done_on": getattr(done.get(n), "done_on", None),
              "content": getattr(done.get(n), "content", "")} for n, name in enumerate(r.method.steps, start=1)]
    return {"id": r.id, "method_id": r.method_id, "org_id": r.org_id, "title": r.title, "year": r.year,
            "rating": r.rating, "steps": steps}


@router.post("/honors", response={201: HonorOut, **ERRORS})
def honor_nominate(request, payload: HonorIn):
    from dangjian.members.selectors import member_get

    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    member = member_get(actor=request.user, member_id=payload.member_id) if payload.member_id else None
    data = payload.dict(exclude={"org_id", "member_id"})
    data["year"] = data["year"] or timezone.localdate().year
    return 201, _honor(services.honor_nominate(actor=request.user, org=org, member=member, **data))


@router.get("/honors", response={200: Page[HonorOut], 404: ERRORS[404]})
def honor_list(request, params: Query[HonorParams]):
    qs = selectors.honor_list(actor=request.user, org=org_filter(request, params.org), state=params.state,
                              year=params.year, award=params.award)
    return page(qs, params, _honor)


class ShowcaseParams(Schema):
    root: int | None = None  # an org: its subtree's public honors (the list is public, not scoped)
    year: int | None = Field(None, ge=1900, le=2999)
    award: str = Field("", max_length=50)
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


@router.get("/honors/showcase", auth=None, response=Page[ShowcaseOut])
def honor_showcase(request, params: Query[ShowcaseParams]):
    """The public 榜样 list (no login): approved honors marked public, optionally under ?root={org}."""
    from dangjian.orgs.models import Org

    root = Org.objects.filter(pk=params.root, is_active=True).first() if params.root else None
    qs = selectors.showcase_list(root=root, year=params.year, award=params.award)
    return page(qs, params, lambda h: {"id": h.id, "person_name": h.person_name, "org_name": h.org.name,
                                       "award": h.award, "level": h.level, "year": h.year,
                                       "awarded_on": h.awarded_on, "story": h.story})


@router.post("/honors/{honor_id}/decide", response={200: HonorOut, **ERRORS})
def honor_decide(request, honor_id: int, payload: DecideIn):
    honor = selectors.honor_get(actor=request.user, honor_id=honor_id)
    return _honor(services.honor_decide(actor=request.user, honor=honor, **payload.dict()))


@router.post("/brands", response={201: BrandOut, **ERRORS})
def brand_create(request, payload: BrandIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id"})
    data["year"] = data["year"] or timezone.localdate().year
    return 201, _brand(services.brand_create(actor=request.user, org=org, **data))


@router.get("/brands", response={200: Page[BrandOut], 404: ERRORS[404]})
def brand_list(request, params: Query[BrandParams]):
    qs = selectors.brand_list(actor=request.user, org=org_filter(request, params.org), rating=params.rating,
                              year=params.year, q=params.q)
    return page(qs, params, _brand)


@router.get("/brands/coverage", response={200: BrandCoverageOut, 404: ERRORS[404]})
def brand_coverage(request, org: int):
    """Seed 002's report: brands, 优秀 and 提名 counts; share of directly-led orgs with a brand."""
    root = org_get_visible(actor=request.user, org_id=org)
    cov = selectors.brand_coverage(actor=request.user, org=root)
    return {**cov, "org_id": root.id, "direct_percent": str(cov["direct_percent"]),
            "all_percent": str(cov["all_percent"])}


@router.post("/brands/{brand_id}/rate", response={200: BrandOut, **ERRORS})
def brand_rate(request, brand_id: int, payload: RateIn):
    brand = selectors.brand_get(actor=request.user, brand_id=brand_id)
    return _brand(services.brand_rate(actor=request.user, brand=brand, rating=payload.rating))


@router.get("/duties/work-methods", response=list[MethodOut])
def method_list(request):
    return [{"id": m.id, "org_id": m.org_id, "name": m.name, "steps": m.steps}
            for m in selectors.work_methods_for(actor=request.user)]


@router.post("/duties/work-methods", response={201: MethodOut, **ERRORS})
def method_create(request, payload: MethodIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    m = services.work_method_create(actor=request.user, org=org, name=payload.name, steps=payload.steps)
    return 201, {"id": m.id, "org_id": m.org_id, "name": m.name, "steps": m.steps}


@router.get("/duties/work-records", response={200: Page[DutiesRecognitionRecordOut], 404: ERRORS[404]})
def record_list(request, params: Query[ListParams]):
    qs = selectors.work_record_list(actor=request.user, org=org_filter(request, params.org), year=params.year)
    return page(qs.prefetch_related("step_records"), params, _record)


@router.post("/duties/work-records", response={201: DutiesRecognitionRecordOut, **ERRORS})
def record_create(request, payload: DutiesRecognitionRecordIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    method = selectors.work_methods_for(actor=request.user).filter(pk=payload.method_id).first()
    if method is None:
        raise Http404
    record = services.work_record_create(actor=request.user, method=method, org=org, title=payload.title,
                                         year=payload.year)
    return 201, _record(selectors.work_record_get(actor=request.user, record_id=record.id))


@router.get("/duties/work-records/{record_id}", response={200: DutiesRecognitionRecordOut, 404: ERRORS[404]})
def record_detail(request, record_id: int):
    return _record(selectors.work_record_get(actor=request.user, record_id=record_id))


@router.post("/duties/work-records/{record_id}/steps", response={201: DutiesRecognitionRecordOut, **ERRORS})
def record_step(request, record_id: int, payload: StepIn):
    record = selectors.work_record_get(actor=request.user, record_id=record_id)
    services.work_step_record(actor=request.user, record=record, **payload.dict())
    return 201, _record(selectors.work_record_get(actor=request.user, record_id=record_id))


@router.post("/duties/work-records/{record_id}/rate", response={200: DutiesRecognitionRecordOut, **ERRORS})
def record_rate(request, record_id: int, payload: RateIn):
    record = selectors.work_record_get(actor=request.user, record_id=record_id)
    services.work_record_rate(actor=request.user, record=record, rating=payload.rating)
    return _record(selectors.work_record_get(actor=request.user, record_id=record_id))
