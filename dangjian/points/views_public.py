"""Pages every member uses: 公示 (with objections and a printable PDF) and 我的积分 (self-report)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, has_any
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.members.selectors import member_of_user
from dangjian.orgs.models import Org
from dangjian.core.files import pdf_response

from . import rules, selectors, services
from .forms import ObjectionForm, PublicationForm, ResolveForm, SelfReportForm, finished_period_choices
from .models import Objection, Publication
from .selectors_pledges import my_pledge, my_ratings, publication_pledges
from .views import reversed_ids


@login_required
def publications(request):
    """公示 the user may see; a secretary publishes a finished period for the current org."""
    org = current_org(request)
    can_publish = org is not None and can(request.user, "points.edit", org)
    form = None
    status = 200
    if can_publish:
        scheme = selectors.scheme_for(org)
        form = PublicationForm(request.POST or None, branch=org.kind == Org.Kind.BRANCH,
                               periods=finished_period_choices(scheme.period_kind, selectors.today()))
        if request.method == "POST":
            if form.is_valid():
                try:
                    pub = services.publication_create(actor=request.user, org=org, period=form.cleaned_data["period"],
                                                      level=form.cleaned_data["level"])
                except DomainError as exc:
                    apply_domain_error(form, exc)
                else:
                    messages.success(request, f"已发布公示，异议截止 {pub.objection_until}")
                    return redirect("points:publication", publication_id=pub.id)
            status = 400
    elif request.method == "POST":
        raise Http404
    page = page_of(selectors.publication_list(actor=request.user), request)
    today = selectors.today()
    for pub in page:
        pub.state = selectors.publication_state(pub, on=today)
    return render(request, "points/publications.html", {"page": page, "form": form, "org": org}, status=status)


@login_required
def publication_view(request, publication_id: int):
    pub = selectors.publication_get(actor=request.user, publication_id=publication_id)
    state = selectors.publication_state(pub)
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.objection_file(actor=request.user, publication=pub, text=form.cleaned_data["text"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "异议已提交，党组织将在核实后答复")
                return redirect("points:publication", publication_id=pub.id)
        status = 400
    can_resolve = can(request.user, "points.edit", pub.org)
    return render(request, "points/publication.html", {
        "pub": pub, "state": state, "form": form, "can_resolve": can_resolve, "resolve_form": ResolveForm(),
        "objections": pub.objections.select_related("resolved_by"), "period": rules.parse_period(pub.period),
        "ledger_link": can(request.user, "points.view", pub.org),
        "show_branch": pub.level == Publication.Level.MEMBER and pub.org.kind != Org.Kind.BRANCH,
        "pledges": publication_pledges(pub),
    }, status=status)


@login_required
def publication_pdf(request, publication_id: int):
    """The printable 公示 (WeasyPrint, with the Debian CJK fonts)."""

    pub = selectors.publication_get(actor=request.user, publication_id=publication_id)
    html = render_to_string("points/publication_pdf.html", {
        "pub": pub, "period": rules.parse_period(pub.period), "state": selectors.publication_state(pub),
        "show_branch": pub.level == Publication.Level.MEMBER and pub.org.kind != Org.Kind.BRANCH,
        "pledges": publication_pledges(pub)})
    return pdf_response(html, request=request, filename=f"{pub.org.name}{pub.period}{pub.get_level_display()}公示.pdf")


@login_required
@require_POST
def objection_resolve(request, objection_id: int):
    objection = get_object_or_404(Objection.objects.select_related("publication").filter(
        publication__in=selectors.publications_visible(request.user)), id=objection_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择结论并填写答复（2–500 字）")
    else:
        try:
            services.objection_resolve(actor=request.user, objection=objection,
                                       upheld=form.cleaned_data["status"] == Objection.Status.UPHELD,
                                       response=form.cleaned_data["response"])
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "已答复")
    return redirect("points:publication", publication_id=objection.publication_id)


@login_required
def me(request):
    """我的积分 on a phone: this period's index, my entries, and a self-report form."""
    member = member_of_user(request.user)
    if member is None:
        return render(request, "points/me.html", {"member": None}, status=200)
    scheme = selectors.scheme_for(member.org)
    period = rules.period_of(selectors.today(), scheme.period_kind)
    if request.GET.get("period"):
        try:
            period = selectors.parse_period_or_400(request.GET["period"])
        except DomainError as exc:
            return render(request, "points/error.html", {"detail": exc.detail}, status=400)
    data = selectors.member_points(actor=request.user, member_id=member.id, period=period)
    versions = selectors.self_report_rules(member)
    form = SelfReportForm(request.POST or None, request.FILES or None, versions=versions,
                          initial={"occurred_on": selectors.today()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.entry_self_report(actor=request.user, rule_code=form.cleaned_data["rule_code"],
                                           occurred_on=form.cleaned_data["occurred_on"],
                                           note=form.cleaned_data["note"], evidence=form.cleaned_data["evidence"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已提交申报，待党支部审核")
                return redirect("points:me")
        status = 400
    entries = list(data["entries"])
    pubs = selectors.publication_list(actor=request.user)[:5]
    return render(request, "points/me.html", {
        **data, "entries": entries, "reversed": reversed_ids(entries), "form": form, "versions": versions,
        "formula": selectors.formula_text(scheme), "publications": pubs,
        "is_staff": has_any(request.user, "points.view"),
        "pledge": my_pledge(member, period.start.year), "ratings": my_ratings(member),
    }, status=status)
