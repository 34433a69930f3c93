"""Shared bits of the volunteer API: lookups that 404 outside scope, and the self-service fallback."""
from dangjian.core.api import Detail
from dangjian.core.errors import DomainError
from dangjian.members.selectors import member_get

from .. import selectors


def responses(code: int, schema) -> dict:
    return {code: schema, 400: Detail, 401: Detail, 403: Detail, 404: Detail, 409: Detail}


def org_or_none(actor, org_id):
    return None if org_id is None else selectors.org_visible(actor=actor, org_id=org_id)


def volunteer_or_own(actor, volunteer_id):
    """The named volunteer (404 outside scope) or, when none is named, the actor's own record."""
    if volunteer_id is not None:
        return selectors.volunteer_get(actor=actor, volunteer_id=volunteer_id)
    own = selectors.own_volunteer(actor)
    if own is None:
        raise DomainError("您还没有登记为志愿者，请先登记志愿者信息", field="volunteer_id")
    return own


def member_or_own(actor, member_id):
    if member_id is not None:
        return member_get(actor=actor, member_id=member_id)
    own = selectors.own_member(actor)
    if own is None:
        raise DomainError("您的账号未关联党员信息，请联系党支部", field="member_id")
    return own
