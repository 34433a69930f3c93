"""Pages of 阵地 and 示范岗 / 示范支部, and their public pages (no login; names the org chose to publish only)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.files import file_response
from dangjian.core.forms import apply_domain_error
from dangjian.members.selectors import members_on_rolls

from . import rules, selectors, services
from .forms import DesignationForm, PhotoForm, ReviewForm, VenueForm
from .models import Venue

# --- venues ----------------------------------------------------------------------------------------


@login_required
def venues(request, org_id: int):
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    can_edit = can(request.user, "standards.edit", org)
    form = VenueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        selectors.standards_org_get(actor=request.user, org_id=org_id, perm="standards.edit")
        status = 400
        if form.is_valid():
            try:
                v = services.venue_create(actor=request.user, org=org, data=form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "已登记阵地，可上传照片")
                return redirect("standards:venue", venue_id=v.id)
    return render(request, "standards/venues.html", {
        "org": org, "venues": selectors.venue_list(actor=request.user, org=org), "form": form, "can_edit": can_edit,
    }, status=status)


def _venue_page(request, venue, *, form=None, photo_form=None, status=200):
    initial = {k: getattr(venue, k) for k in ("kind", "name", "address", "area", "facilities", "opening_hours",
                                              "is_public")}
    return render(request, "standards/venue.html", {
        "venue": venue, "org": venue.org, "photos": venue.photos.all(),
        "can_edit": can(request.user, "standards.edit", venue.org),
        "form": form or VenueForm(initial=initial), "photo_form": photo_form or PhotoForm(),
    }, status=status)


@login_required
def venue_detail(request, venue_id: int):
    venue = selectors.venue_get(actor=request.user, venue_id=venue_id)
    if request.method == "POST":
        venue = selectors.venue_get(actor=request.user, venue_id=venue_id, perm="standards.edit")
        form = VenueForm(request.POST)
        if form.is_valid():
            try:
                services.venue_update(actor=request.user, venue=venue, data=form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("standards:venue", venue_id=venue.id)
        venue.refresh_from_db()
        return _venue_page(request, venue, form=form, status=400)
    return _venue_page(request, venue)


@login_required
@require_POST
def venue_photo_add(request, venue_id: int):
    venue = selectors.venue_get(actor=request.user, venue_id=venue_id, perm="standards.edit")
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.venue_photo_add(actor=request.user, venue=venue, upload=form.cleaned_data["file"],
                                     caption=form.cleaned_data["caption"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已上传照片")
            return redirect("standards:venue", venue_id=venue.id)
    return _venue_page(request, venue, photo_form=form, status=400)


@login_required
def venue_photo(request, venue_photo_id: int):
    return file_response(selectors.venue_photo_get(actor=request.user, venue_photo_id=venue_photo_id).file)


# --- model posts and branches --------------------------------------------------------------------

@login_required
def models(request, org_id: int):
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    can_edit = can(request.user, "standards.edit", org)
    members = members_on_rolls(org).order_by("name")[:500] if can_edit else []
    form = DesignationForm(request.POST or None, members=members,
                           initial={"starts_on": selectors.today(),
                                    "ends_on": selectors.today().replace(month=12, day=31)})
    status = 200
    if request.method == "POST":
        selectors.standards_org_get(actor=request.user, org_id=org_id, perm="standards.edit")
        status = 400
        if form.is_valid():
            try:
                d = services.designation_propose(actor=request.user, org=org, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已提交，待上级党组织审核命名")
                return redirect("standards:model", model_designation_id=d.id)
    return render(request, "standards/models.html", {
        "org": org, "designations": selectors.designation_list(actor=request.user, org=org), "form": form,
        "can_edit": can_edit, "criteria": rules.DEFAULT_CRITERIA}, status=status)


def _designation_page(request, d, *, form=None, status=200):
    upper = d.org.get_parent() or d.org
    return render(request, "standards/model.html", {
        "d": d, "org": d.org, "reviews": d.reviews.select_related("reviewer"),
        "can_review": can(request.user, "standards.edit", upper),
        "form": form or ReviewForm(initial={"reviewed_on": selectors.today()}),
        "today": selectors.today()}, status=status)


@login_required
def designation_detail(request, model_designation_id: int):
    d = selectors.designation_get(actor=request.user, model_designation_id=model_designation_id)
    return _designation_page(request, d)


@login_required
@require_POST
def designation_review(request, model_designation_id: int):
    d = selectors.designation_get(actor=request.user, model_designation_id=model_designation_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.designation_review(actor=request.user, designation=d, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已记录审核结论")
            return redirect("standards:model", model_designation_id=d.id)
    return _designation_page(request, d, form=form, status=400)


# --- public pages (no login) -----------------------------------------------------------------------

@require_GET
def public_venues(request):
    """阵地: names, addresses, areas, facilities, hours and photos of the public venues — nothing personal."""
    try:
        rows = selectors.public_venues(org_id=request.GET.get("org") or None)
    except Http404:
        rows = Venue.objects.none()
    kind = request.GET.get("kind")
    if kind in dict(rules.VENUE_KINDS):
        rows = rows.filter(kind=kind)
    return render(request, "standards/public_venues.html", {"venues": rows[:300], "kinds": rules.VENUE_KINDS,
                                                            "kind": kind})


@require_GET
def public_photo(request, token: str):
    return file_response(selectors.public_photo(token).file)


@require_GET
def public_models(request):
    """党员示范岗 and 示范支部 currently named: the published name, title, criteria, period and story only."""
    rows = list(selectors.public_designations()[:300])
    return render(request, "standards/public_models.html", {
        "posts": [d for d in rows if d.kind == rules.POST], "branches": [d for d in rows if d.kind == rules.BRANCH]})
