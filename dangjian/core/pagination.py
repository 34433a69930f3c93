"""The one list shape of the API: {"items": [...], "count": N} with ?page=&page_size= (max 200)."""
from django.core.paginator import Paginator
from django.db.models import QuerySet

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Far past any real list, and small enough that (page - 1) * page_size stays a 64-bit SQL OFFSET
# (a fuzzed ?page=506837155825921152 was a 500 "datatype mismatch" on SQLite).
MAX_PAGE = 10_000_000


def page_params(page: int | None, page_size: int | None) -> tuple[int, int]:
    page = min(MAX_PAGE, max(1, int(page or 1)))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size or DEFAULT_PAGE_SIZE)))
    return page, page_size


def paginate(qs: QuerySet, *, page: int | None = 1, page_size: int | None = DEFAULT_PAGE_SIZE) -> dict:
    page, page_size = page_params(page, page_size)
    start = (page - 1) * page_size
    return {"items": list(qs[start:start + page_size]), "count": qs.count()}


def page_of(qs, request, *, per_page: int = 30):
    """A Django Paginator page for HTML lists (?page=), tolerant of junk page numbers."""
    return Paginator(qs, per_page).get_page(request.GET.get("page"))
