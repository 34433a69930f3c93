"""Reads of the portal's public pages (no login): only what each source app marks public.

What each app publishes, and what we show of it (nothing personal beyond a name the source marks public):

- standards: 阵地 (`Venue.is_public`, in use) and 示范岗/示范支部 (approved, `is_public`, in their period, under
  the `public_name` the org chose) — through standards.selectors.public_venues / public_designations.
- duties: 服务品牌 have no public flag; the ones an upper committee has rated (优秀 / 提名奖) are the
  recognised, published ones: name, org, year, rating, 理念/做法/成效 — the brand's photo is not shown
  (it has no public URL). Through duties.selectors.public_brands when present (being added by the duties
  app as this is written); otherwise the same query here.
  Honors: the duties app's own public showcase (approved and `is_public`) is linked, not copied.
- petitions: a closed case whose resident agreed to publication (`allow_public`) and that has a
  `public_reply`: its category, the org that handled it, dates, resolved or not, and the reply — never the
  title, content, name, phone or code. Query written here (petitions has no public list selector).
- points: 公示 is public *within the org* (points.selectors.publications_visible: none for anonymous users),
  so the disclosure page lists them only for a logged-in user, through that selector.
- recruitment: the 发展党员 公示 period is recorded as step data, not marked for publication: not shown.
- volunteers: 党员领岗公示 (public page of the volunteers app) is linked for the chosen org.
"""
from django.apps import apps
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from dangjian.core.errors import DomainError
from dangjian.orgs.models import Org, Unit
from dangjian.orgs.tree import subtree_q

LIST_MAX = 200  # rows on one public page (the pages paginate above this)


def installed(label: str) -> bool:
    return apps.is_installed(f"dangjian.{label}")


def public_root(raw) -> Org | None:
    """The ?org= filter: None when absent; 400 for junk, 404 for an unknown or inactive org."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 18:
        raise DomainError("参数 org 应为党组织编号（数字）", field="org")
    org = Org.objects.filter(id=int(text), is_active=True).first()
    if org is None:
        raise Http404
    return org


def _under(qs: QuerySet, root: Org | None, field: str = "org__path") -> QuerySet:
    return qs.filter(subtree_q(root.path, field=field)) if root is not None else qs


def public_org_choices() -> list[tuple[int, str]]:
    """Orgs a resident may narrow the public pages to: committees and the village/community orgs."""
    qs = (Org.objects.filter(is_active=True)
          .filter(Q(kind=Org.Kind.COMMITTEE) | Q(unit__kind__in=[Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE]))
          .order_by("path").values_list("id", "name"))
    return list(qs[:300])


# --- 阵地 and 示范岗 / 示范支部 (standards) ---------------------------------------------------------

def venues(*, root: Org | None = None, kind: str = "") -> QuerySet:
    if not installed("standards"):
        return None
    from dangjian.standards.selectors import public_venues

    qs = public_venues(org_id=root.id if root else None)
    return qs.filter(kind=kind) if kind else qs


def designations(*, root: Org | None = None) -> QuerySet:
    if not installed("standards"):
        return None
    from dangjian.standards.selectors import public_designations

    return _under(public_designations(), root)


# --- 服务品牌 (duties) -------------------------------------------------------------------------------

BRAND_FIELDS = ("id", "name", "idea", "practices", "results", "year", "rating", "org__name", "org__path")


def brands(*, root: Org | None = None) -> QuerySet:
    """Brands an upper committee has rated 优秀 or 提名奖 (excellent first, newest first)."""
    if not installed("duties"):
        return None
    try:  # the duties app's own public selector, when it has one (same rule)
        from dangjian.duties.selectors import public_brands
    except ImportError:
        public_brands = None
    if public_brands is not None:
        return public_brands(root=root)
    from dangjian.duties.models import Rating, ServiceBrand

    qs = ServiceBrand.objects.filter(rating__in=[Rating.EXCELLENT, Rating.NOMINATED], org__is_active=True)
    return (_under(qs, root).select_related("org").only(*BRAND_FIELDS)
            .annotate(rank=Case(When(rating=Rating.EXCELLENT, then=Value(0)), default=Value(1),
                                output_field=IntegerField()))
            .order_by("rank", "-year", "org__path", "id"))


# --- 公示 -------------------------------------------------------------------------------------------

REPLY_FIELDS = ("id", "category", "received_on", "closed_on", "resolved", "public_reply", "org__name", "org__path")


def petition_replies(*, root: Org | None = None) -> QuerySet:
    """Closed cases the resident agreed to publish, with the org's public reply (no personal data)."""
    if not installed("petitions"):
        return None
    from dangjian.petitions.models import Petition

    qs = (Petition.objects.filter(state=Petition.State.CLOSED, allow_public=True, org__is_active=True)
          .exclude(public_reply=""))
    return _under(qs, root).select_related("org").only(*REPLY_FIELDS).order_by("-closed_on", "-id")


def points_publications(*, actor, root: Org | None = None):
    """积分公示 the user may see (the points app's own rule: members of the org and staff; never anonymous)."""
    if not installed("points") or not getattr(actor, "is_authenticated", False):
        return None
    from dangjian.points.selectors import publication_list

    return _under(publication_list(actor=actor), root)


def honors_count(*, root: Org | None = None) -> int | None:
    if not installed("duties"):
        return None
    from dangjian.duties.selectors import showcase_list

    return showcase_list(root=root).count()


def summary(*, root: Org | None = None) -> list[dict]:
    """The sections of the public index with their counts (absent when their app is not installed)."""
    from django.urls import reverse

    out = []

    def add(key, label, icon, qs_or_count, url_name, note):
        if qs_or_count is None:
            return
        count = qs_or_count if isinstance(qs_or_count, int) else qs_or_count.count()
        out.append({"key": key, "label": label, "icon": icon, "count": count, "url": reverse(url_name),
                    "note": note})

    add("disclosures", "公示公开", "ti-speakerphone", petition_replies(root=root), "portal:public_disclosures",
        "诉求办理结果公开答复、积分公示")
    add("brands", "党建服务品牌", "ti-award", brands(root=root), "portal:public_brands", "经上级党组织评定的服务品牌")
    add("models", "示范岗与示范支部", "ti-medal", designations(root=root), "portal:public_models",
        "党员示范岗、示范党支部")
    add("venues", "党群阵地", "ti-building-community", venues(root=root), "portal:public_venues",
        "党员之家、党群服务中心开放时间与地址")
    return out
