"""Accounts: users, roles and API tokens."""
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org

from .models import ApiToken, Role
from .scope import require

User = get_user_model()
USERNAME_MAX = 150


def _perm_for_role(role: str) -> str:
    # Handing out org roles is an administrator's act; a secretary may give a member their own login.
    return "members.account" if role == Role.Kind.MEMBER else "users.manage"


def _check_password(password: str, user=None) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError("密码不符合要求：" + "；".join(exc.messages), field="password")


@transaction.atomic
def user_create(*, actor, username: str, password: str, org: Org, role: str, full_name: str = "") -> User:
    if role not in Role.Kind.values:
        raise DomainError("角色无效，应为 admin / secretary / committee_member / member", field="role")
    require(actor, _perm_for_role(role), org)
    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX:
        raise DomainError(f"用户名不能为空且不超过 {USERNAME_MAX} 个字符", field="username")
    if not all(c.isalnum() or c in "@.+-_" for c in username):
        raise DomainError("用户名只能包含字母、数字和 @.+-_", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("用户名已被使用", field="username")
    candidate = User(username=username, first_name=(full_name or "")[:150])
    _check_password(password, candidate)
    candidate.set_password(password)
    candidate.save()
    Role.objects.create(user=candidate, org=org, role=role)
    audit(actor=actor, verb="user.create", target=candidate, org=org,
          after={"username": username, "org_id": org.id, "role": role})
    return candidate


@transaction.atomic
def role_grant(*, actor, user, org: Org, role: str) -> Role:
    if role not in Role.Kind.values:
        raise DomainError("角色无效", field="role")
    require(actor, _perm_for_role(role), org)
    obj, created = Role.objects.get_or_create(user=user, org=org, role=role)
    if created:
        audit(actor=actor, verb="role.grant", target=user, org=org, after={"org_id": org.id, "role": role})
    return obj


@transaction.atomic
def role_revoke(*, actor, role: Role) -> None:
    require(actor, _perm_for_role(role.role), role.org)
    audit(actor=actor, verb="role.revoke", target=role.user, org=role.org,
          before={"org_id": role.org_id, "role": role.role})
    role.delete()


@transaction.atomic
def user_set_password(*, actor, user, password: str) -> None:
    if actor.pk != user.pk:
        for r in user.roles.select_related("org"):
            require(actor, _perm_for_role(r.role), r.org)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit(actor=actor, verb="user.set_password", target=user)


@transaction.atomic
def user_set_active(*, actor, user, active: bool) -> None:
    for r in user.roles.select_related("org"):
        require(actor, _perm_for_role(r.role), r.org)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit(actor=actor, verb="user.activate" if active else "user.deactivate", target=user)


class LockedOut(Exception):
    pass


def token_issue(*, request, username: str, password: str, otp: str = "") -> str:
    """Check credentials through django-axes (lockout) and return a new raw token."""
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut
    if user is None:
        raise DomainError("用户名或密码错误", status=401)
    from .twofactor import code_check

    code_check(user=user, code=otp)  # no-op without a confirmed TOTP device
    with transaction.atomic():
        _, raw = ApiToken.issue(user)
        audit(actor=user, verb="token.issue", target=user)
    return raw
