"""Pages of 党费: the branch's monthly sheet (tick to pay), a member's dues, reports, export, publication."""
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.shell import current_org
from dangjian.core.xlsx import build_workbook, xlsx_response
from dangjian.members.selectors import member_of_user
from dangjian.orgs.models import Org

from . import rules, selectors, services
from .forms import BaseForm, ExemptionForm, PaymentForm, PublicationForm, ReverseForm
from .models import DuesExemption


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else selectors.today().year


def _years(year: int) -> list[int]:
    this = selectors.today().year
    return list(range(this + 1, this - 5, -1)) if year in range(this - 4, this + 2) else [year]


@login_required
def index(request):
    org = current_org(request)
    if org is None or not can(request.user, "dues.view", org):
        return redirect("dues:me")
    if org.kind == Org.Kind.BRANCH:
        return redirect("dues:sheet", org_id=org.id)
    return redirect("dues:report", org_id=org.id)


@login_required
def sheet(request, org_id: int):
    """党费收缴表: members × months; unpaid cells in the payment window can be ticked (htmx)."""
    org = selectors.dues_org_get(actor=request.user, org_id=org_id)
    year = _year(request)
    rows = selectors.dues_sheet(actor=request.user, org=org, year=year)
    months = rules.months_between(date(year, 1, 1), date(year, 12, 1))
    try:  # ?month=YYYY-MM: one column, the phone view for collecting a month's dues
        focus = rules.parse_month(request.GET.get("month")) if request.GET.get("month") else None
    except rules.RuleError:
        focus = None
    focus = focus if focus in months else None
    return render(request, "dues/sheet.html", {
        "org": org, "year": year, "years": _years(year), "rows": rows, "focus": focus,
        "current": rules.month_of(selectors.today()), "all_months": months,
        "months": [focus] if focus else months,
        "can_edit": can(request.user, "dues.edit", org),
        "paid_total": sum((r.paid_total for r in rows), rules.ZERO),
        "outstanding_total": sum((r.outstanding for r in rows), rules.ZERO),
    })


@login_required
@require_POST
def tick(request, org_id: int):
    """htmx: record the one month's dues of one member as paid in cash today; returns the cell."""
    org = selectors.dues_org_get(actor=request.user, org_id=org_id, perm="dues.edit")
    member = selectors.dues_member_get(actor=request.user, member_id=request.POST.get("member"), perm="dues.edit")
    if not member.org.path.startswith(org.path):
        raise Http404
    error = ""
    try:
        month = rules.parse_month(request.POST.get("month"))
    except rules.RuleError as exc:
        return render(request, "dues/_partials/cell_error.html", {"error": exc.message}, status=400)
    data = selectors.load_dues_data([member.id], start=month, end=month)
    cell = selectors.member_cells(member, [month], data, policy=selectors.policy_for(member.org))[0]
    if cell.due is not None and cell.state in ("due", "future"):
        try:
            services.dues_payment_record(actor=request.user, member=member, months=[rules.month_label(month)],
                                         amount=str(cell.due), method="cash")
        except DomainError as exc:
            error = exc.detail
    else:
        error = f"{cell.label} {cell.state_label}，无需交纳"
    data = selectors.load_dues_data([member.id], start=month, end=month)
    cell = selectors.member_cells(member, [month], data, policy=selectors.policy_for(member.org))[0]
    return render(request, "dues/_partials/cell.html", {"cell": cell, "member": member, "org": org,
                                                       "can_edit": True, "error": error})


def _member_context(request, member, year: int) -> dict:
    my = selectors.member_year(actor=request.user, member=member, year=year)
    return {"member": member, "my": my, "year": year, "years": _years(year),
            "profiles": selectors.member_profiles(member), "exemptions": selectors.member_exemptions(member),
            "payments": selectors.member_payments(member)[:100]}


def _payment_choices(my) -> list[tuple[str, str]]:
    return [(c.label, f"{c.label}（{c.due} 元{'，减免' if c.reduced else ''}）") for c in my.cells if c.payable]


@login_required
def member(request, member_id: int):
    """One member's dues for the branch: months, bases, exemptions, payments, and the forms to change them."""
    m = selectors.dues_member_get(actor=request.user, member_id=member_id)
    year = _year(request)
    ctx = _member_context(request, m, year)
    can_edit = can(request.user, "dues.edit", m.org)
    forms = {"base_form": None, "pay_form": None, "exemption_form": None}
    if can_edit:
        current = ctx["my"].profile
        today = selectors.today()
        forms["base_form"] = BaseForm(initial={"category": current.category if current else "employed",
                                               "income": current.income if current else "",
                                               "effective_from": rules.month_label(rules.month_of(today))})
        forms["pay_form"] = PaymentForm(month_choices=_payment_choices(ctx["my"]), initial={"method": "cash"})
        forms["exemption_form"] = ExemptionForm()
    return render(request, "dues/member.html", {**ctx, **forms, "can_edit": can_edit,
                                                "reverse_form": ReverseForm()})


def _member_post(request, member_id: int):
    m = selectors.dues_member_get(actor=request.user, member_id=member_id, perm="dues.edit")
    year = _year(request)
    ctx = _member_context(request, m, year)
    forms = {"base_form": BaseForm(), "exemption_form": ExemptionForm(),
             "pay_form": PaymentForm(month_choices=_payment_choices(ctx["my"]), initial={"method": "cash"})}
    return m, year, ctx, forms


@login_required
@require_POST
def base_set(request, member_id: int):
    m, year, ctx, forms = _member_post(request, member_id)
    form = forms["base_form"] = BaseForm(request.POST)
    if form.is_valid():
        try:
            services.dues_base_set(actor=request.user, member=m, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "党费基数已核定")
            return redirect(f"{reverse('dues:member', args=[m.id])}?year={year}")
    return render(request, "dues/member.html", {**ctx, **forms, "can_edit": True, "reverse_form": ReverseForm()},
                  status=400)


@login_required
@require_POST
def pay(request, member_id: int):
    m, year, ctx, forms = _member_post(request, member_id)
    form = forms["pay_form"] = PaymentForm(request.POST, month_choices=_payment_choices(ctx["my"]))
    if form.is_valid():
        try:
            payment = services.dues_payment_record(actor=request.user, member=m, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记交纳，收据号 {payment.receipt_no}")
            return redirect(f"{reverse('dues:member', args=[m.id])}?year={year}")
    return render(request, "dues/member.html", {**ctx, **forms, "can_edit": True, "reverse_form": ReverseForm()},
                  status=400)


@login_required
@require_POST
def exemption_create(request, member_id: int):
    m, year, ctx, forms = _member_post(request, member_id)
    form = forms["exemption_form"] = ExemptionForm(request.POST)
    if form.is_valid():
        try:
            services.dues_exemption_create(actor=request.user, member=m, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已登记减免")
            return redirect(f"{reverse('dues:member', args=[m.id])}?year={year}")
    return render(request, "dues/member.html", {**ctx, **forms, "can_edit": True, "reverse_form": ReverseForm()},
                  status=400)


@login_required
@require_POST
def exemption_revoke(request, exemption_id: int):
    ex = DuesExemption.objects.select_related("member").filter(id=exemption_id).first()
    if ex is None:
        raise Http404
    selectors.dues_member_get(actor=request.user, member_id=ex.member_id, perm="dues.edit")
    try:
        services.dues_exemption_revoke(actor=request.user, exemption=ex, reason=request.POST.get("reason", ""))
        messages.success(request, "已撤销减免（自本月起恢复正常交纳）")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("dues:member", member_id=ex.member_id)


@login_required
@require_POST
def reverse_payment(request, payment_id: int):
    payment = selectors.payment_get(actor=request.user, payment_id=payment_id, perm="dues.edit")
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲销原因（不超过 200 字）")
    else:
        try:
            reversal = services.dues_payment_reverse(actor=request.user, payment=payment, **form.cleaned_data)
            messages.success(request, f"已冲销，冲销单号 {reversal.receipt_no}")
        except DomainError as exc:
            messages.error(request, exc.detail)
    return redirect("dues:member", member_id=payment.member_id)


@login_required
def receipt(request, payment_id: int):
    payment = selectors.payment_get(actor=request.user, payment_id=payment_id)
    return render(request, "dues/receipt.html", {"payment": payment, "months": payment.months.all()})


@login_required
def me(request):
    """A member's own dues (self-service on a phone)."""
    m = member_of_user(request.user)
    if m is None:
        return render(request, "dues/me.html", {"member": None})
    year = _year(request)
    return render(request, "dues/me.html", {
        "member": m, "year": year, "years": _years(year),
        "my": selectors.member_year(actor=request.user, member=m, year=year),
        "payments": selectors.member_payments(m)[:24]})


@login_required
def report(request, org_id: int):
    org = selectors.dues_org_get(actor=request.user, org_id=org_id)
    year = _year(request)
    rows, total = selectors.dues_report(actor=request.user, org=org, year=year)
    return render(request, "dues/report.html", {
        "org": org, "year": year, "years": _years(year), "rows": rows, "total": total,
        "months": rules.months_between(date(year, 1, 1), date(year, 12, 1)),
        "can_export": can(request.user, "dues.export", org)})


@login_required
def arrears(request, org_id: int):
    org = selectors.dues_org_get(actor=request.user, org_id=org_id)
    rows = selectors.arrears_list(actor=request.user, org=org)
    from .cases import arrears_cases

    return render(request, "dues/arrears.html", {"org": org, "rows": rows, "article": rules.ARREARS_ARTICLE,
                                                 "cases": arrears_cases(actor=request.user, org=org)})


@login_required
def export(request, org_id: int):
    """党费收缴台账 (xlsx): one row per member, the 12 months, totals. Audited (personal data)."""
    org = selectors.dues_org_get(actor=request.user, org_id=org_id, perm="dues.export")
    year = _year(request)
    rows = selectors.dues_sheet(actor=request.user, org=org, year=year)
    headers = ["序号", "姓名", "所在党组织", "人员类别", "党费类别", "计费基数", "比例", "月应交"]
    headers += [f"{m}月" for m in range(1, 13)] + ["应交合计", "已交合计", "欠交", "连续未交月数"]
    data = []
    for i, r in enumerate(rows, start=1):
        p = r.profile
        cells = []
        for c in r.cells:
            cells.append(c.paid if c.state == "paid" else {"exempt": "免", "before_start": "", "no_base": "未核定",
                                                           "due": "欠" if c.overdue else "", "future": ""}[c.state])
        data.append([i, r.member.name, r.member.org.name, r.member.get_stage_display(),
                     p.category_label if p else "未核定", p.income if p and p.income is not None else "",
                     f"{p.rate * 100:.1f}%" if p and p.rate is not None else "", p.monthly_amount if p else "",
                     *cells, r.due_total, r.paid_total, r.outstanding, r.arrears])
    wb = build_workbook(title=f"{org.name} {year} 年党费收缴台账", headers=headers, rows=data,
                        widths=[6, 10, 22, 10, 12, 10, 8, 8] + [8] * 12 + [10, 10, 10, 12], sheet_title="党费收缴台账")
    audit(actor=request.user, verb="dues.export", target=org, org=org, after={"year": year, "rows": len(data)})
    return xlsx_response(wb, f"{org.name}-{year}-党费收缴台账.xlsx")


@login_required
def publication(request, org_id: int):
    """The annual publication of dues collected and used (RULES §4)."""
    org = selectors.dues_org_get(actor=request.user, org_id=org_id)
    year = _year(request)
    form = PublicationForm(request.POST or None)
    if request.method == "POST":
        selectors.dues_org_get(actor=request.user, org_id=org_id, perm="dues.edit")
        if form.is_valid():
            try:
                services.dues_publication_publish(actor=request.user, org=org, year=year, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已公布 {year} 年党费收缴使用情况")
                return redirect(f"{reverse('dues:publication', args=[org.id])}?year={year}")
    pubs = selectors.publications(actor=request.user, org=org)
    collected, voluntary = selectors.collected_in_year(org=org, year=year)
    return render(request, "dues/publication.html", {
        "org": org, "year": year, "years": _years(year), "form": form,
        "current": pubs.filter(org=org, year=year).first(), "history": pubs.filter(org=org)[:10],
        "below": pubs.exclude(org=org).filter(year=year)[:200], "collected": collected, "voluntary": voluntary,
        "can_edit": can(request.user, "dues.edit", org)}, status=400 if form.errors else 200)
