"""Pages of 班子与换届: committee and term per org, reminder lists, elections (plan → result → office), report PDF."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import redirect_to_current_org
from dangjian.core.files import pdf_response

from . import rules, selectors, services
from .forms import (ApproveForm, CandidateForm, InstallForm, PlanForm, PostponeForm, RecordForm, ResultForm,
                    SettingsForm)
from .models import Committee, Election


def _home(request, name: str):
    return redirect_to_current_org(request, name, "elections.view")


@login_required
def index(request):
    return _home(request, "elections:committee")


@login_required
def terms_index(request):
    return _home(request, "elections:terms")


@login_required
def list_index(request):
    return _home(request, "elections:list")


# --- committee and term ----------------------------------------------------------------------------

def _committee_page(request, org, *, record_form=None, postpone_form=None, approve_form=None, settings_form=None,
                    status=200):
    term = selectors.term_of(org)
    committee = term.committee
    can_edit = can(request.user, "elections.edit", org)
    upper = org.get_parent()
    can_approve = committee is not None and not committee.approved_on and can(request.user, "elections.edit",
                                                                                upper or org)
    voters = list(selectors.voters(org).order_by("name")[:500]) if can_edit else []
    return render(request, "elections/committee.html", {
        "org": org, "term": term, "committee": committee, "history": selectors.committee_history(org)[:20],
        "can_edit": can_edit, "can_approve": can_approve, "duty_labels": rules.DUTY_LABELS,
        "limit": rules.postpone_limit(committee.term_ends_on) if committee else None,
        "record_form": record_form or RecordForm(members=voters),
        "postpone_form": postpone_form or PostponeForm(),
        "approve_form": approve_form or ApproveForm(initial={"approval_org": upper.name if upper else org.name,
                                                             "approved_on": selectors.today()}),
        "settings_form": settings_form or SettingsForm(initial={"remind_days": term.remind_days}),
        "can_settings": can_edit and org.kind != "branch",
        "voters_count": selectors.voters_count(org),
        "open_election": Election.objects.filter(org=org, parent__isnull=True).exclude(
            state=Election.State.INSTALLED).first(),
    }, status=status)


@login_required
def committee(request, org_id: int):
    org = selectors.elections_org_get(actor=request.user, org_id=org_id)
    return _committee_page(request, org)


@login_required
@require_POST
def committee_record(request, org_id: int):
    org = selectors.elections_org_get(actor=request.user, org_id=org_id, perm="elections.edit")
    form = RecordForm(request.POST, members=selectors.voters(org).order_by("name")[:500])
    if form.is_valid():
        try:
            services.committee_record(actor=request.user, org=org, elected_on=form.cleaned_data["elected_on"],
                                      seats=form.seats())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已登记现任班子")
            return redirect("elections:committee", org_id=org.id)
    return _committee_page(request, org, record_form=form, status=400)


@login_required
@require_POST
def committee_postpone(request, committee_id: int):
    committee = selectors.committee_get(actor=request.user, committee_id=committee_id, perm="elections.edit")
    form = PostponeForm(request.POST)
    if form.is_valid():
        try:
            services.term_postpone(actor=request.user, committee=committee, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已登记延期换届")
            return redirect("elections:committee", org_id=committee.org_id)
    return _committee_page(request, committee.org, postpone_form=form, status=400)


@login_required
@require_POST
def committee_approve(request, committee_id: int):
    committee = selectors.committee_get(actor=request.user, committee_id=committee_id)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.committee_approve_secretary(actor=request.user, committee=committee, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已登记上级党组织对书记人选的批复")
            return redirect("elections:committee", org_id=committee.org_id)
    return _committee_page(request, committee.org, approve_form=form, status=400)


@login_required
@require_POST
def term_settings(request, org_id: int):
    org = selectors.elections_org_get(actor=request.user, org_id=org_id, perm="elections.edit")
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.term_settings_set(actor=request.user, org=org, remind_days=form.cleaned_data["remind_days"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存换届提醒设置")
            return redirect("elections:committee", org_id=org.id)
    return _committee_page(request, org, settings_form=form, status=400)


@login_required
def terms(request, org_id: int):
    """换届提醒: terms expiring within the window, overdue terms, and orgs with no committee on record."""
    org = selectors.elections_org_get(actor=request.user, org_id=org_id)
    due = selectors.terms_due(actor=request.user, org=org)
    return render(request, "elections/terms.html", {"org": org, **due, "remind_days": selectors.remind_days_for(org)})


# --- elections -------------------------------------------------------------------------------------

@login_required
def election_list(request, org_id: int):
    org = selectors.elections_org_get(actor=request.user, org_id=org_id)
    can_edit = can(request.user, "elections.edit", org)
    form = PlanForm(request.POST or None, initial={"planned_on": selectors.today()})
    status = 200
    if request.method == "POST":
        selectors.elections_org_get(actor=request.user, org_id=org_id, perm="elections.edit")
        status = 400
        if form.is_valid():
            try:
                e = services.election_plan(actor=request.user, org=org, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已建立换届选举计划，请确定候选人名单")
                return redirect("elections:detail", election_id=e.id)
    page = page_of(selectors.election_list(actor=request.user, org=org), request)
    return render(request, "elections/list.html", {"org": org, "page": page, "form": form, "can_edit": can_edit,
                                                   "term": selectors.term_of(org)}, status=status)


def _detail_page(request, election, *, candidate_form=None, result_form=None, install_form=None, status=200):
    can_edit = can(request.user, "elections.edit", election.org)
    candidates = selectors.candidates_of(election)
    listed = {c.member_id for c in candidates}
    members = [m for m in selectors.voters(election.org).order_by("name")[:500] if m.id not in listed] \
        if can_edit and election.state in (Election.State.PLANNED, Election.State.NOMINATED) else []
    if election.parent_id:
        allowed = set(election.parent.candidates.filter(elected=False).values_list("member_id", flat=True))
        members = [m for m in members if m.id in allowed]
    chain = selectors.election_chain(election)
    last = chain[-1]
    elected = selectors.elected_members(chain)
    computed = selectors.voters_count(election.org)
    return render(request, "elections/detail.html", {
        "e": election, "org": election.org, "candidates": candidates, "chain": chain, "last": last,
        "elected": elected, "can_edit": can_edit, "computed": computed,
        "minimum": rules.candidates_minimum(election.seats),
        "candidate_form": candidate_form or CandidateForm(members=members),
        "result_form": result_form or ResultForm(candidates=candidates, initial={
            "held_on": election.planned_on or selectors.today(), "entitled": computed}),
        "install_form": install_form or InstallForm(elected=elected, initial={"took_office_on": selectors.today()}),
        "can_install": election.id == last.id and last.state in (Election.State.ELECTED, Election.State.SHORTFALL),
        "has_next": election.id != last.id,
    }, status=status)


@login_required
def election_detail(request, election_id: int):
    election = selectors.election_get(actor=request.user, election_id=election_id)
    return _detail_page(request, election)


@login_required
@require_POST
def election_candidates(request, election_id: int):
    election = selectors.election_get(actor=request.user, election_id=election_id, perm="elections.edit")
    action = request.POST.get("action", "add")
    try:
        if action == "remove":
            services.candidate_remove(actor=request.user, election=election, member_id=request.POST.get("member_id"))
            messages.success(request, "已移出候选人名单")
        elif action == "confirm":
            services.candidates_confirm(actor=request.user, election=election)
            messages.success(request, "候选人名单已确定，可以录入选举结果")
        else:
            services.candidate_add(actor=request.user, election=election, member_id=request.POST.get("member_id"))
            messages.success(request, "已列入候选人名单")
    except DomainError as exc:
        messages.error(request, exc.detail)
        election.refresh_from_db()
        return _detail_page(request, election, status=400)
    return redirect("elections:detail", election_id=election.id)


@login_required
@require_POST
def election_result(request, election_id: int):
    election = selectors.election_get(actor=request.user, election_id=election_id, perm="elections.edit")
    form = ResultForm(request.POST, candidates=selectors.candidates_of(election))
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("votes_")}
        try:
            services.election_record_result(actor=request.user, election=election, votes=form.votes(), **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            election.refresh_from_db()
        else:
            messages.success(request, "已录入选举结果")
            return redirect("elections:detail", election_id=election.id)
    return _detail_page(request, election, result_form=form, status=400)


@login_required
@require_POST
def election_revote(request, election_id: int):
    election = selectors.election_get(actor=request.user, election_id=election_id, perm="elections.edit")
    try:
        nxt = services.election_revote(actor=request.user, election=election)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("elections:detail", election_id=election.id)
    messages.success(request, "已发起下一轮投票")
    return redirect("elections:detail", election_id=nxt.id)


@login_required
@require_POST
def election_install(request, election_id: int):
    election = selectors.election_get(actor=request.user, election_id=election_id, perm="elections.edit")
    chain = selectors.election_chain(election)
    form = InstallForm(request.POST, elected=selectors.elected_members(chain))
    if form.is_valid():
        try:
            services.committee_install(actor=request.user, election=election, duties=form.duties(),
                                       took_office_on=form.cleaned_data["took_office_on"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "新班子已就职，请报上级党组织批复书记人选")
            return redirect("elections:committee", org_id=election.org_id)
    return _detail_page(request, election, install_form=form, status=400)


@login_required
def election_report(request, election_id: int):
    """The printable 换届选举结果报告 (WeasyPrint; fonts WenQuanYi Micro Hei and AR PL UMing CN)."""
    election = selectors.election_get(actor=request.user, election_id=election_id)
    root = election.root
    chain = selectors.election_chain(root)
    if chain[0].held_on is None:
        raise Http404
    rounds = [{"e": e, "candidates": sorted(selectors.candidates_of(e), key=lambda c: (-(c.votes or 0), c.order)),
               "quorum_needed": e.entitled * 4 // 5 + 1 if e.entitled else None,
               "majority_needed": e.present // 2 + 1 if e.present is not None else None,
               "minimum": rules.candidates_minimum(e.seats)}
              for e in chain if e.held_on]
    committee = Committee.objects.filter(election=root).first()
    seats = list(committee.seats.select_related("member")) if committee else []
    html = render_to_string("elections/report_pdf.html", {
        "org": root.org, "root": root, "rounds": rounds, "committee": committee, "seats": seats,
        "elected": selectors.elected_members(chain), "upper": root.org.get_parent(), "today": selectors.today(),
        "minimum": rules.candidates_minimum(root.seats), "duty_labels": rules.DUTY_LABELS})
    return pdf_response(html, request=request, filename=f"{root.org.name}换届选举结果报告.pdf")
