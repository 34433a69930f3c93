"""Writes: volunteer units (总站/分站/服务队), their members, and volunteer records (志愿者台账)."""
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.pinyin import pinyin_full, pinyin_initials
from dangjian.orgs.models import Org

from .. import rules
from ..models import Specialty, UnitMembership, VolunteerProfile, VolunteerUnit
from . import _common as c

UNIT_FIELDS = ["name", "level", "specialty", "description", "parent", "is_active"]
PROFILE_FIELDS = ["name", "phone", "skills", "interests", "capacity", "max_load", "availability", "grid", "address",
                  "is_active"]


@transaction.atomic
def unit_create(*, actor, org: Org, name, level, parent: VolunteerUnit | None = None, specialty="",
                description="") -> VolunteerUnit:
    require(actor, "volunteers.edit", org)
    name = c.text(name, field="name", label="名称", max_len=100, required=True)
    description = c.text(description, field="description", label="简介", max_len=500)
    specialty = specialty or ""
    if specialty and specialty not in Specialty.values:
        raise DomainError("专业方向取值无效", field="specialty")
    rules.check_unit_level(level=level, parent_level=parent.level if parent else None, specialty=specialty)
    if parent is not None and not org.path.startswith(parent.org.path):
        # R-VOL-LEVELS: a unit hangs from a unit of its own org or of an org above it.
        raise DomainError("上级单位须属于本组织或其上级党组织", field="parent_id", rule="R-VOL-LEVELS")
    if VolunteerUnit.objects.filter(org=org, name=name).exists():
        raise Conflict(f"本组织已有名为“{name}”的志愿服务组织", field="name")
    unit = VolunteerUnit.objects.create(org=org, region_id=org.region_id, parent=parent, name=name, level=level,
                                        specialty=specialty, description=description)
    audit(actor=actor, verb="volunteer_unit.create", target=unit, org=org, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: VolunteerUnit, data: dict) -> VolunteerUnit:
    require(actor, "volunteers.edit", unit.org)
    unit = VolunteerUnit.objects.select_for_update(of=("self",)).select_related("org", "parent").get(pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    if "name" in data:
        name = c.text(data["name"], field="name", label="名称", max_len=100, required=True)
        if VolunteerUnit.objects.filter(org=unit.org, name=name).exclude(pk=unit.pk).exists():
            raise Conflict(f"本组织已有名为“{name}”的志愿服务组织", field="name")
        unit.name = name
    if "description" in data:
        unit.description = c.text(data["description"], field="description", label="简介", max_len=500)
    if "specialty" in data:
        specialty = data["specialty"] or ""
        if specialty and specialty not in Specialty.values:
            raise DomainError("专业方向取值无效", field="specialty")
        rules.check_unit_level(level=unit.level, parent_level=None, specialty=specialty)
        unit.specialty = specialty
    if "is_active" in data:
        unit.is_active = bool(data["is_active"])
    unit.save()
    after = snapshot(unit, UNIT_FIELDS)
    if after != before:
        audit(actor=actor, verb="volunteer_unit.update", target=unit, org=unit.org, before=before, after=after)
    return unit


@transaction.atomic
def unit_add_member(*, actor, unit: VolunteerUnit, volunteer: VolunteerProfile,
                    role: str = UnitMembership.Role.MEMBER) -> UnitMembership:
    require(actor, "volunteers.edit", unit.org)
    role = c.choice(role, field="role", label="角色", choices=UnitMembership.Role, default=UnitMembership.Role.MEMBER)
    if not volunteer.is_active:
        raise DomainError("该志愿者已停用", field="volunteer_id")
    row = UnitMembership.objects.filter(unit=unit, volunteer=volunteer).first()
    if row is not None and row.role == role:
        raise Conflict(f"{volunteer.name} 已在{unit.name}中", field="volunteer_id")
    before = {"role": row.role} if row else None
    if row is None:
        row = UnitMembership.objects.create(unit=unit, volunteer=volunteer, role=role,
                                            joined_on=timezone.localdate())
    else:
        row.role = role
        row.save(update_fields=["role"])
    audit(actor=actor, verb="volunteer_unit.member", target=unit, org=unit.org, before=before,
          after={"volunteer_id": volunteer.id, "role": role})
    return row


@transaction.atomic
def unit_remove_member(*, actor, unit: VolunteerUnit, volunteer: VolunteerProfile) -> None:
    require(actor, "volunteers.edit", unit.org)
    row = UnitMembership.objects.filter(unit=unit, volunteer=volunteer).first()
    if row is None:
        raise DomainError(f"{volunteer.name} 不在{unit.name}中", field="volunteer_id", status=404)
    row.delete()
    audit(actor=actor, verb="volunteer_unit.member_remove", target=unit, org=unit.org,
          before={"volunteer_id": volunteer.id, "role": row.role})


# --- Volunteer records (志愿者台账) -------------------------------------------------------------------

def _clean_profile(data: dict, *, partial: bool) -> dict:
    out = {}
    if "name" in data:
        out["name"] = c.text(data["name"], field="name", label="姓名", max_len=50, required=True)
    if "phone" in data:
        out["phone"] = c.phone(data["phone"])
    if "skills" in data:
        out["skills"] = rules.clean_tags(data["skills"], field="skills", label="特长")
    if "interests" in data:
        out["interests"] = rules.clean_tags(data["interests"], field="interests", label="兴趣")
    if "capacity" in data:
        out["capacity"] = c.text(data["capacity"], field="capacity", label="服务能力", max_len=200)
    if "max_load" in data and data["max_load"] not in (None, ""):
        out["max_load"] = c.integer(data["max_load"], field="max_load", label="同时承接需求上限", lo=1, hi=20)
    if "availability" in data:
        out["availability"] = [s.as_dict() for s in rules.parse_slots(data["availability"])]
    if "grid" in data:
        out["grid"] = c.text(data["grid"], field="grid", label="网格", max_len=50)
    if "address" in data:
        out["address"] = c.text(data["address"], field="address", label="住址", max_len=200)
    if "is_active" in data and partial:
        out["is_active"] = bool(data["is_active"])
    return out


def _apply_profile(profile: VolunteerProfile, data: dict) -> None:
    for key, value in data.items():
        setattr(profile, key, value)
    profile.name_pinyin = pinyin_full(profile.name)[:200]
    profile.name_initials = pinyin_initials(profile.name)[:50]


@transaction.atomic
def volunteer_register(*, actor, data: dict, member=None, org: Org | None = None) -> VolunteerProfile:
    """A member registers themself (self-service) or staff register a member or a resident (群众)."""
    if member is not None:
        own = c.is_self(actor, member)
        if not own:
            require(actor, "volunteers.edit", member.org)
        if VolunteerProfile.objects.filter(member=member).exists():
            raise Conflict(f"{member.name} 已登记为志愿者", field="member_id")
        data = {k: v for k, v in data.items() if k != "name"}
        cleaned = _clean_profile(data, partial=False)
        profile = VolunteerProfile(org=member.org, region_id=member.org.region_id, member=member, name=member.name,
                                   phone=cleaned.pop("phone", "") or member.phone,
                                   registered_via=VolunteerProfile.Via.SELF if own else VolunteerProfile.Via.STAFF)
    else:
        if org is None:
            raise DomainError("请选择党员，或填写群众志愿者的所属组织", field="org_id")
        require(actor, "volunteers.edit", org)
        if not data.get("name"):
            raise DomainError("请填写群众志愿者的姓名", field="name")
        cleaned = _clean_profile(data, partial=False)
        if cleaned.get("phone") and VolunteerProfile.objects.filter(org=org, member__isnull=True,
                                                                    phone=cleaned["phone"]).exists():
            raise Conflict("该手机号已登记为本组织的群众志愿者", field="phone")
        profile = VolunteerProfile(org=org, region_id=org.region_id, registered_via=VolunteerProfile.Via.STAFF)
    profile.registered_by = actor if getattr(actor, "pk", None) else None
    _apply_profile(profile, cleaned)
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:  # the same member registered concurrently
        raise Conflict("该党员已登记为志愿者", field="member_id")
    audit(actor=actor, verb="volunteer.register", target=profile, org=profile.org,
          after=snapshot(profile, PROFILE_FIELDS + ["member", "registered_via"]))
    return profile


@transaction.atomic
def volunteer_update(*, actor, volunteer: VolunteerProfile, data: dict) -> VolunteerProfile:
    """The volunteer themself (a member, on a phone) or staff of the volunteer's org."""
    if not c.is_self(actor, volunteer.member):
        require(actor, "volunteers.edit", volunteer.org)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError(f"字段不能修改：{', '.join(sorted(unknown))}")
    if volunteer.member_id and "name" in data:
        raise DomainError("党员志愿者的姓名以党员信息为准", field="name")
    profile = (VolunteerProfile.objects.select_for_update(of=("self",)).select_related("org", "member")
               .get(pk=volunteer.pk))
    cleaned = _clean_profile(data, partial=True)
    if "is_active" in cleaned and not c.is_self(actor, profile.member):
        require(actor, "volunteers.edit", profile.org)
    before = snapshot(profile, PROFILE_FIELDS)
    _apply_profile(profile, cleaned)
    profile.save()
    after = snapshot(profile, PROFILE_FIELDS)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit(actor=actor, verb="volunteer.update", target=profile, org=profile.org,
              before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return profile
