"""公开信息 (no login): 公示, 服务品牌, 示范岗/示范支部, 阵地 — mobile-first, read-only (GET only: nothing is
ever written here). What each page may show is decided in selectors.py, from each app's own public marker."""
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dangjian.core.errors import DomainError
from dangjian.orgs.models import Org

from . import selectors

PER_PAGE = 20


def _bad(request, detail: str):
    return render(request, "portal/public_error.html", {"detail": detail}, status=400)


def _page(request, qs):
    """A page of qs; ?page= must be a positive number (400 otherwise, 404 beyond the last page)."""
    raw = request.GET.get("page", "1").strip() or "1"
    if not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise DomainError("参数 page 应为正整数", field="page")
    paginator = Paginator(qs, PER_PAGE)
    if int(raw) > max(1, paginator.num_pages):
        raise Http404
    return paginator.page(int(raw))


def _context(request, root, **extra) -> dict:
    query = f"org={root.id}" if root else ""
    return {"root": root, "orgs": selectors.public_org_choices(), "query": query, **extra}


def _guarded(view):
    """Junk query parameters become a clear 400 page, not a 500."""
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _bad(request, exc.detail)
    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return require_GET(wrapper)


@_guarded
def public_index(request):
    root = selectors.public_root(request.GET.get("org"))
    claims_url = None
    if selectors.installed("volunteers"):
        target = root or Org.objects.filter(is_active=True, depth=1).order_by("path").first()
        if target is not None:
            claims_url = reverse("volunteers:public_claims", args=[target.id])
    honors_url = reverse("duties:public_showcase") if selectors.installed("duties") else None
    if honors_url and root:
        honors_url += f"?root={root.id}"
    return render(request, "portal/public_index.html", _context(
        request, root, sections=selectors.summary(root=root), claims_url=claims_url, honors_url=honors_url,
        honors=selectors.honors_count(root=root)))


@_guarded
def public_disclosures(request):
    root = selectors.public_root(request.GET.get("org"))
    replies = selectors.petition_replies(root=root)
    if replies is None:
        raise Http404
    pubs = selectors.points_publications(actor=request.user, root=root)
    return render(request, "portal/public_disclosures.html", _context(
        request, root, page=_page(request, replies), publications=list(pubs[:20]) if pubs is not None else None,
        points_installed=selectors.installed("points"), title="公示公开"))


@_guarded
def public_brands(request):
    root = selectors.public_root(request.GET.get("org"))
    qs = selectors.brands(root=root)
    if qs is None:
        raise Http404
    return render(request, "portal/public_brands.html", _context(request, root, page=_page(request, qs),
                                                                 title="党建服务品牌"))


@_guarded
def public_models(request):
    root = selectors.public_root(request.GET.get("org"))
    qs = selectors.designations(root=root)
    if qs is None:
        raise Http404
    rows = list(qs[:selectors.LIST_MAX])
    return render(request, "portal/public_models.html", _context(
        request, root, branches=[d for d in rows if d.kind == "branch"], posts=[d for d in rows if d.kind == "post"],
        title="示范岗与示范支部"))


@_guarded
def public_venues(request):
    from dangjian.standards.rules import VENUE_KINDS

    root = selectors.public_root(request.GET.get("org"))
    kind = request.GET.get("kind", "")
    if kind and kind not in dict(VENUE_KINDS):
        raise DomainError("参数 kind 应为阵地类型之一", field="kind")
    qs = selectors.venues(root=root, kind=kind)
    if qs is None:
        raise Http404
    return render(request, "portal/public_venues.html", _context(
        request, root, page=_page(request, qs), kinds=VENUE_KINDS, kind=kind, title="党群阵地"))
