from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.models import AuditEvent
from dangjian.core.pagination import page_of
from dangjian.orgs.models import Org

from . import selectors, services
from .forms import LoginForm, RoleGrantForm, UserCreateForm
from .twofactor import login_or_challenge
from .scope import has_any, scope_q


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is not None:
            nxt = request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                nxt = "/"
            return login_or_challenge(request, user, nxt)  # the TOTP code first, when enrolled
        form.add_error(None, "用户名或密码错误")
    return render(request, "accounts/login.html", {"form": form})


def logout_confirm(request):
    if request.method == "POST":
        logout(request)
        return redirect("login")
    return render(request, "accounts/logout.html")


def _manageable_orgs(actor):
    return Org.objects.filter(scope_q(actor, perm="users.manage")).order_by("path")


@login_required
def users(request):
    if not has_any(request.user, "users.manage"):
        raise Http404
    q = request.GET.get("q", "")
    page = page_of(selectors.user_list(actor=request.user, q=q), request)
    return render(request, "accounts/users.html", {"page": page, "q": q})


@login_required
def user_create(request):
    if not has_any(request.user, "users.manage"):
        raise Http404
    orgs = _manageable_orgs(request.user)
    form = UserCreateForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        org = orgs.filter(id=form.cleaned_data["org_id"]).first()
        try:
            user = services.user_create(actor=request.user, username=form.cleaned_data["username"],
                                        password=form.cleaned_data["password"], org=org,
                                        role=form.cleaned_data["role"], full_name=form.cleaned_data["full_name"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已创建用户 {user.username}")
            return redirect("accounts:user_detail", user_id=user.id)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request, user_id: int):
    user = selectors.user_get(actor=request.user, user_id=user_id)
    orgs = _manageable_orgs(request.user)
    form = RoleGrantForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        org = orgs.filter(id=form.cleaned_data["org_id"]).first()
        try:
            services.role_grant(actor=request.user, user=user, org=org, role=form.cleaned_data["role"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已授予角色")
            return redirect("accounts:user_detail", user_id=user.id)
    return render(request, "accounts/user_detail.html", {"u": user, "form": form})


@login_required
@require_POST
def role_revoke(request, role_id: int):
    role = selectors.role_get(actor=request.user, role_id=role_id)
    user_id = role.user_id
    services.role_revoke(actor=request.user, role=role)
    messages.success(request, "已撤销角色")
    return redirect("accounts:user_detail", user_id=user_id)


@login_required
@require_POST
def user_toggle_active(request, user_id: int):
    user = selectors.user_get(actor=request.user, user_id=user_id)
    services.user_set_active(actor=request.user, user=user, active=not user.is_active)
    messages.success(request, "已启用账号" if user.is_active else "已停用账号")
    return redirect("accounts:user_detail", user_id=user.id)


@login_required
def audit_list(request):
    if not has_any(request.user, "audit.view"):
        raise Http404
    qs = AuditEvent.objects.filter(scope_q(request.user, field="org_path", perm="audit.view"))
    if not request.user.is_superuser:
        qs = qs.exclude(org_path="")
    verb = request.GET.get("verb", "").strip()
    who = request.GET.get("actor", "").strip()
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if who:
        qs = qs.filter(actor_name=who)
    page = page_of(qs.select_related("org"), request, per_page=50)
    return render(request, "accounts/audit.html", {"page": page, "verb": verb, "who": who})



