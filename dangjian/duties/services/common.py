"""Small validation and permission helpers shared by the duties services."""
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import in_scope, scope_paths
from dangjian.core.errors import DomainError
from dangjian.core.files import validate_upload
from dangjian.orgs.models import Org

from .. import rules


def today() -> date:
    return timezone.localdate()


def text(value, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise DomainError(f"{label}格式不正确", field=field)
    if required and not value:
        raise DomainError(f"{label}不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return value


def photo(upload):
    """An optional photo (品牌, 表彰): a real JPG/PNG/WebP image of ≤ rules.PHOTO_MAX_BYTES, stored under a random name;
    checked before anything is written, so a refusal leaves no row and no file."""
    if not upload:
        return None
    ext = validate_upload(upload, allowed=rules.PHOTO_TYPES, max_bytes=rules.PHOTO_MAX_BYTES, field="photo")
    upload.name = uuid.uuid4().hex + ext
    return upload


def decimal(value, *, field: str, label: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(f"{label}应为数字", field=field)
    if not result.is_finite():
        raise DomainError(f"{label}应为数字", field=field)
    return result


def not_future(day: date | None, *, field: str, label: str, on: date | None = None) -> None:
    if day is not None and day > (on or today()):
        raise DomainError(f"{label}不能晚于今天", field=field)


def year(value, *, field: str = "year") -> int:
    problem = rules.check_year(value, today=today())
    if problem:
        raise DomainError(problem, field=field)
    return value


def not_branch(org: Org, *, what: str) -> None:
    if org.kind == Org.Kind.BRANCH:
        raise DomainError(f"党支部没有下级党组织，不能{what}", field="org_id")


def strictly_under(org: Org, parent: Org) -> bool:
    return org.path.startswith(parent.path) and org.path != parent.path


def require_above(actor, org: Org, perm: str, *, message: str) -> None:
    """The actor must hold perm at an org strictly above org (committees evaluate those under them).

    404 when org is outside the actor's scope; 403 when the actor is only at org's own level.
    """
    if not in_scope(actor, org):
        raise Http404
    paths = scope_paths(actor, perm)
    if paths is None:
        return
    if not any(org.path.startswith(p) and org.path != p for p in paths):
        raise PermissionDenied(message)
