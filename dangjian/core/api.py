"""Shared pieces of the JSON API: auth, error shape, the list envelope."""
from typing import Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from .errors import DomainError

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


class Detail(Schema):
    detail: str
    rule: str | None = None
    field: str | None = None


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        from dangjian.accounts.models import ApiToken, hash_token

        row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        if row is None or row.expires_at <= timezone.now() or not row.user.is_active:
            return None
        if row.last_used_at is None or (timezone.now() - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        request.api_token = row  # its hash and expiry, for meetings' token cache
        return row.user


class Session(SessionAuth):
    """Browser session (CSRF-checked), so pages may call the API too."""


AUTH = [BearerToken(), Session()]


def _validation_message(errors) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(x) for x in err.get("loc", []) if x not in ("body", "payload", "query", "path", "form"))
        parts.append(f"{loc}: {err.get('msg', '')}" if loc else err.get("msg", ""))
    return "输入数据格式不正确（" + "；".join(parts) + "）"


def install_error_handlers(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": "未找到"}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(request, {"detail": str(exc) or "您没有执行此操作的权限"}, status=403)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        errors = [{"loc": [str(x) for x in e.get("loc", [])], "msg": str(e.get("msg", ""))} for e in exc.errors]
        return api.create_response(request, {"detail": _validation_message(errors), "errors": errors}, status=422)

    @api.exception_handler(DjangoValidationError)
    def django_invalid(request, exc: DjangoValidationError):
        return api.create_response(request, {"detail": "；".join(exc.messages)}, status=400)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
