from django.http import JsonResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from dangjian.core.api import Detail
from dangjian.orgs.selectors import org_get

from . import services
from .lockout import MESSAGE as LOCKED_MESSAGE

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str = ""  # the 6-digit TOTP code, for accounts with two-factor authentication


class TokenOut(Schema):
    token: str


class RoleOut(Schema):
    org_id: int
    role: str


class MeOut(Schema):
    username: str
    roles: list[RoleOut]


class UserIn(Schema):
    username: str
    password: str
    org_id: int
    role: str


class UserOut(Schema):
    id: int
    username: str
    roles: list[RoleOut]


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: Detail, 429: Detail})
def token_create(request, payload: TokenIn):
    """Exchange username and password for a bearer token (5 failures lock for 30 minutes)."""
    try:
        raw = services.token_issue(request=request, username=payload.username, password=payload.password,
                                  otp=payload.otp)
    except services.LockedOut:
        return JsonResponse({"detail": LOCKED_MESSAGE}, status=429)
    return {"token": raw}


def _roles_of(user) -> list[dict]:
    return [{"org_id": r.org_id, "role": r.role} for r in user.roles.all()]


@router.get("/me", response=MeOut)
def me(request):
    return {"username": request.user.username, "roles": _roles_of(request.user)}


@router.post("/users", response={201: UserOut, 400: Detail, 403: Detail, 404: Detail, 409: Detail})
def user_create(request, payload: UserIn):
    org = org_get(actor=request.user, org_id=payload.org_id)
    user = services.user_create(actor=request.user, username=payload.username, password=payload.password,
                                org=org, role=payload.role)
    return 201, {"id": user.id, "username": user.username, "roles": _roles_of(user)}


__all__ = ["router", "HttpError"]
