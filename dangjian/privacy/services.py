"""Data subject export (PIPL 第四十五条: a person may obtain a copy of their information) and audit retention."""
from __future__ import annotations

import datetime as dt
import decimal
import json

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.models import AuditEvent
from dangjian.members.models import Member
from dangjian.members.selectors import member_get

from . import rules

SKIP_APPS = {"auditlog", "sessions", "admin", "contenttypes"}
SECRET_FIELDS = {"password", "key_hash", "secret", "id_index"}  # never in an export, even the subject's own


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (dict, list, str, int, float, bool)) or value is None:
        return value
    return str(value)


def _row(obj) -> dict:
    out = {}
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        out[f.attname] = _plain(getattr(obj, f.attname))
    return out


def _related(member: Member) -> dict[str, list[dict]]:
    """Every row of every app that points at the member by a foreign key or one-to-one (found generically)."""
    found: dict[str, list[dict]] = {}
    for model in apps.get_models():
        if model._meta.app_label in SKIP_APPS or model is Member:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Member:
                rows = model._default_manager.filter(**{field.name: member}).order_by("pk")[:5000]
                key = f"{model._meta.label}（{model._meta.verbose_name}）.{field.name}"
                found[key] = [_row(r) for r in rows]
    return {k: v for k, v in found.items() if v}


def member_data_export(*, actor, member_id: int) -> dict:
    """All we hold on one member: the member row (ID number in full: it is the subject's own), every row of
    any app that refers to them, their user account, and the audit events about them. Audited."""
    member = member_get(actor=actor, member_id=member_id)  # 404 outside scope
    require(actor, "members.export", member.org)
    data = {"exported_at": timezone.now().isoformat(), "member": _row(member)}
    data["member"]["id_number"] = member.id_number
    data["related"] = _related(member)
    if member.user_id:
        user = member.user
        data["account"] = {"username": user.username, "last_login": _plain(user.last_login),
                           "date_joined": _plain(user.date_joined), "is_active": user.is_active}
    events = AuditEvent.objects.filter(target_type=Member._meta.label_lower, target_id=str(member.pk)).order_by("pk")
    data["audit_events"] = [_row(e) for e in events[:10000]]
    from auditlog.models import LogEntry

    data["field_history"] = [_row(e) for e in LogEntry.objects.get_for_object(member).order_by("pk")[:10000]]
    with transaction.atomic():
        audit(actor=actor, verb="privacy.subject_export", target=member, org=member.org,
              after={"sections": len(data["related"]), "audit_events": len(data["audit_events"])})
    return data


def export_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def export_workbook(data: dict):
    """One sheet per section, formula-safe through core.xlsx."""
    from openpyxl import Workbook

    from dangjian.core.xlsx import safe_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    for key, value in data["member"].items():
        ws.append([key, safe_cell(value if not isinstance(value, (dict, list)) else json.dumps(value, ensure_ascii=False))])
    sections = list(data["related"].items()) + [("审计记录", data["audit_events"]),
                                                 ("字段变更记录", data.get("field_history", []))]
    for n, (name, rows) in enumerate(sections, start=1):
        sheet = wb.create_sheet(f"{n}-{name.split('（')[0].split('.')[-1]}"[:31])
        sheet.append([safe_cell(name)])
        headers = list(rows[0]) if rows else []
        sheet.append(headers)
        for row in rows:
            sheet.append([safe_cell(v if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False))
                          for v in row.values()])
    return wb


def audit_purge(*, today: dt.date | None = None) -> dict:
    """Delete audit events older than the retention (settings.AUDIT_RETENTION_DAYS, never under six months)."""
    today = today or timezone.localdate()
    cutoff = rules.purge_before(today, getattr(settings, "AUDIT_RETENTION_DAYS", None))
    start = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    with transaction.atomic():
        deleted, _ = AuditEvent.objects.filter(created_at__lt=start).delete()
        audit(actor=None, verb="privacy.audit_purge", after={"before": cutoff.isoformat(), "deleted": deleted})
    return {"deleted": deleted, "before": cutoff.isoformat()}
