"""Pages of 欠交党费处置 (R-ABSENT-6M, 党章第三十八条) and issuing the month's bills."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error

from . import bills, cases, rules, selectors
from .forms import CaseContactForm, CaseDisposeForm


@login_required
@require_POST
def bills_issue(request, org_id: int):
    """Issue this month's bills for the org now (the monthly job does it on its own too)."""
    org = selectors.dues_org_get(actor=request.user, org_id=org_id, perm="dues.edit")
    result = bills.dues_bills_issue(actor=request.user, org=org, today=selectors.today())
    messages.success(request, f"{result['month']} 账单已生成：新出账 {result['created']} 笔（已有的不重复生成）")
    return redirect("dues:sheet", org_id=org.id)


def _case_page(request, member, *, contact_form=None, dispose_form=None, status=200):
    row = cases.case_row_for(actor=request.user, member=member)
    can_edit = can(request.user, "dues.edit", member.org)
    return render(request, "dues/case.html", {
        "member": member, "row": row, "open": rules.arrears_case_open(row.months), "article": rules.ARREARS_ARTICLE,
        "history": cases.member_cases(member)[:20], "can_edit": can_edit,
        "contact_form": contact_form or CaseContactForm(initial={"kind": "talk", "contacted_on": selectors.today()}),
        "dispose_form": dispose_form or CaseDisposeForm(initial={"decided_on": selectors.today()})}, status=status)


@login_required
def member_case(request, member_id: int):
    """One member's arrears: months unpaid, the talks/reminders, and the branch's decision."""
    member = selectors.dues_member_get(actor=request.user, member_id=member_id)
    if not can(request.user, "dues.view", member.org):
        raise Http404  # a member sees their own dues on 我的党费, not the branch's case file
    if request.method == "POST":
        selectors.dues_member_get(actor=request.user, member_id=member_id, perm="dues.edit")
        form = CaseContactForm(request.POST)
        if form.is_valid():
            try:
                cases.arrears_contact_record(actor=request.user, member=member, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已记录谈话/提醒情况")
                return redirect("dues:member_case", member_id=member.id)
        return _case_page(request, member, contact_form=form, status=400)
    return _case_page(request, member)


@login_required
@require_POST
def case_dispose(request, case_id: int):
    case = cases.case_get(actor=request.user, case_id=case_id, perm="dues.edit")
    form = CaseDisposeForm(request.POST)
    if form.is_valid():
        try:
            disposal = cases.arrears_case_dispose(actor=request.user, case=case, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已记录支部决定：{disposal.get_kind_display()}（请按程序报上级党组织批准）")
            return redirect("dues:member_case", member_id=case.member_id)
    return _case_page(request, case.member, dispose_form=form, status=400)
