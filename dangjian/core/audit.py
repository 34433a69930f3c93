"""Audit events, written by services inside their own transaction (DESIGN rule 3)."""
import datetime as dt
from decimal import Decimal

from django.db import models

from .middleware import current_ip
from .models import AuditEvent


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The named fields of obj as JSON-ready values (for before/after)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = _jsonable(getattr(obj, field.attname))
    return out


def audit(*, actor, verb: str, target: models.Model | None = None, org=None,
          before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Record one event. Call inside the service's transaction so it commits or rolls back with it."""
    event = audit_event(actor=actor, verb=verb, target=target, org=org, before=before, after=after, ip=current_ip())
    event.save(force_insert=True)
    return event


def audit_event(*, actor, verb: str, target: models.Model | None = None, org=None, before: dict | None = None,
                after: dict | None = None, ip: str | None = None) -> AuditEvent:
    """The event audit() records, unsaved: for a batch written with bulk_create in the same transaction as
    the rows it describes (meetings.checkin_queue), each with the IP of its own request."""
    if org is None and target is not None:
        org = getattr(target, "org", None) if not _is_org(target) else target
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "系统",
        org=org,
        org_path=getattr(org, "path", "") or "",
        region_id=region_of(org=org, user=actor),
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=ip,
    )


def region_of(*, org=None, user=None) -> int | None:
    """The region a per-write or per-user row is distributed by (DESIGN rule 9): the org's, else the user's
    member org's, else the home region (the first root's) — never NULL while an org exists."""
    if org is not None and getattr(org, "region_id", None):
        return org.region_id
    from django.apps import apps

    if getattr(user, "pk", None):
        region = (apps.get_model("members", "Member").objects.filter(user_id=user.pk)
                  .values_list("region_id", flat=True).first())
        if region:
            return region
    Org = apps.get_model("orgs", "Org")
    return Org.objects.filter(depth=1).order_by("path").values_list("region_id", flat=True).first()


def _is_org(obj) -> bool:
    return obj._meta.label_lower == "orgs.org"
