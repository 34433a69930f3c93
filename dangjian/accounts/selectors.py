from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from dangjian.orgs.models import Org

from .models import Role
from .scope import scope_q

User = get_user_model()


def user_list(*, actor, q: str = "") -> QuerySet:
    """Users holding any role inside the actor's user-management scope."""
    orgs = Org.objects.filter(scope_q(actor, perm="users.manage"))
    roles = Role.objects.filter(org__in=orgs)
    qs = User.objects.filter(id__in=roles.values("user_id")).order_by("username")
    if q:
        qs = qs.filter(username__icontains=q.strip()) | qs.filter(first_name__icontains=q.strip())
    return qs.prefetch_related(Prefetch("roles", queryset=Role.objects.select_related("org").order_by("org__path")))


def user_get(*, actor, user_id) -> User:
    user = user_list(actor=actor).filter(id=user_id).first()
    if user is None:
        raise Http404
    return user


def role_get(*, actor, role_id) -> Role:
    role = Role.objects.select_related("org", "user").filter(
        org__in=Org.objects.filter(scope_q(actor, perm="users.manage")), id=role_id).first()
    if role is None:
        raise Http404
    return role
