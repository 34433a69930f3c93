"""Writes to the member registry: one transaction each, with its audit event (DESIGN rule 3)."""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.scope import can, in_scope, require
from dangjian.core.audit import audit
from dangjian.core.crypto import blind_index
from dangjian.core.errors import Conflict, DomainError, FieldErrors
from dangjian.core.idnumber import mask_id_number
from dangjian.core.pinyin import pinyin_full, pinyin_initials
from dangjian.orgs.models import Org, PartyGroup

from . import rules
from .choices import ETHNICITIES, Degree, Education, Gender, Stage, Status
from .models import ChangeRequest, Member

# Fields a secretary edits through the form / PATCH, and which a member may propose to correct.
EDITABLE = ["name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "degree", "occupation",
            "unit_name", "address", "stage", "applied_on", "joined_on", "full_on", "work_started_on",
            "in_hardship", "is_retired", "is_cadre", "is_exempt", "notes", "party_group_id"]
SELF_SERVICE_FIELDS = {"phone": "手机号码", "address": "家庭住址", "education": "学历", "degree": "学位",
                       "occupation": "工作岗位/职业", "unit_name": "工作单位"}
AUDITED = [f for f in EDITABLE if f != "id_number"] + ["org_id", "status"]
CHOICES = {"gender": Gender.values, "stage": Stage.values, "education": Education.values + [""],
           "degree": Degree.values + [""], "ethnicity": ETHNICITIES}
MAX_LEN = {"name": 50, "phone": 11, "occupation": 100, "unit_name": 100, "address": 200, "notes": 500}
# The same, as _validate walks them 100 000 times in a roster import: sets of the allowed values (57 ethnicities).
_TEXT_LIMITS = tuple(MAX_LEN.items())
_ALLOWED = tuple((key, frozenset(values)) for key, values in CHOICES.items())


def _today() -> date:
    return timezone.localdate()


def _validate(data: dict, *, org: Org, today: date) -> dict:
    """Validate a full set of member fields; returns cleaned data or raises FieldErrors."""
    errors: list[rules.FieldError] = []
    data = dict(data)
    get = data.get  # (bound once: ~20 lookups per call, 100 000 calls in a roster import)
    for key, limit in _TEXT_LIMITS:
        if key in data:
            value = data[key] = (data[key] or "").strip()
            if len(value) > limit:
                errors.append(rules.FieldError(key, f"不能超过 {limit} 个字"))
    if not get("name"):
        errors.append(rules.FieldError("name", "姓名不能为空"))
    for key, allowed in _ALLOWED:
        value = get(key)
        if value is None or value == "":
            continue
        if not (isinstance(value, str) and value in allowed):  # every choice is a str (TextChoices too)
            errors.append(rules.FieldError(key, f"取值无效：{value}"))
    id_errors, derived = rules.check_identity(id_number=(get("id_number") or "").strip(),
                                              birth_date=get("birth_date"), gender=get("gender"),
                                              today=today)
    errors += id_errors
    if derived:
        data["id_number"] = derived["id_number"]
        data.setdefault("birth_date", None)
        data["birth_date"] = data["birth_date"] or derived["birth_date"]
        data["gender"] = get("gender") or derived["gender"]
    if not get("birth_date"):
        errors.append(rules.FieldError("birth_date", "请填写出生日期或身份证号"))
    if not get("gender"):
        errors.append(rules.FieldError("gender", "请填写性别或身份证号"))
    errors += rules.check_phone(get("phone") or "")
    errors += rules.check_dates(birth_date=get("birth_date"), applied_on=get("applied_on"),
                                joined_on=get("joined_on"), full_on=get("full_on"),
                                work_started_on=get("work_started_on"), today=today)
    errors += rules.check_stage_dates(stage=get("stage") or Stage.FULL, joined_on=get("joined_on"),
                                      full_on=get("full_on"))
    group_id = get("party_group_id")
    if group_id and not PartyGroup.objects.filter(id=group_id, org=org).exists():
        errors.append(rules.FieldError("party_group_id", "党小组不属于该党支部"))
    if errors:
        raise FieldErrors(errors)
    return data


def duplicate_message(*, actor, holder: Member) -> str:
    """Name the holder's org only if the actor may see it (otherwise a neutral message)."""
    if in_scope(actor, holder.org):
        return f"该身份证号已登记：{holder.name}（{holder.org.name}）"
    return "该身份证号已在系统中登记，请联系上级党组织核实"


def _check_duplicate(*, actor, id_number: str, exclude_id: int | None = None) -> str | None:
    if not id_number:
        return None
    index = blind_index(id_number)
    holder = Member.objects.select_related("org").filter(id_index=index).exclude(id=exclude_id).first()
    if holder is not None:
        raise Conflict(duplicate_message(actor=actor, holder=holder), field="id_number", rule="R-UNIQUE-PERSON")
    return index


def _apply(member: Member, data: dict) -> None:
    for key, value in data.items():
        if key in EDITABLE:
            setattr(member, key, value)
    member.name_pinyin = pinyin_full(member.name)[:200]
    member.name_initials = pinyin_initials(member.name)[:50]
    member.id_masked = mask_id_number(member.id_number or "")
    member.id_index = blind_index(member.id_number) if member.id_number else None


def _snapshot(member: Member) -> dict:
    from dangjian.core.audit import snapshot

    return snapshot(member, AUDITED)


@transaction.atomic
def member_create(*, actor, org: Org, data: dict) -> Member:
    require(actor, "members.edit", org)
    if org.kind != Org.Kind.BRANCH:
        raise DomainError("党员须编入党支部，请选择一个党支部", field="org_id")
    data = {k: v for k, v in data.items() if k in EDITABLE}
    data.setdefault("stage", Stage.FULL)
    data = _validate(data, org=org, today=_today())
    _check_duplicate(actor=actor, id_number=data.get("id_number") or "")
    member = Member(org=org, region_id=org.region_id)
    _apply(member, data)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # a concurrent insert of the same ID number won the race
        raise Conflict("该身份证号已在系统中登记", field="id_number", rule="R-UNIQUE-PERSON")
    audit(actor=actor, verb="member.create", target=member, org=org, after=_snapshot(member))
    return member


def require_edit(actor, member: Member) -> None:
    """A member may see their own record but not edit it (403); others outside scope get 404."""
    if member.user_id and member.user_id == getattr(actor, "pk", None) and not in_scope(actor, member.org):
        raise PermissionDenied("请通过“申请更正信息”提交修改，由党支部审核")
    require(actor, "members.edit", member.org)


def member_version(member: Member) -> str:
    """The token an editor carries from the form it was shown to the save (optimistic locking): the time of the
    last save, which every write of the record moves."""
    return member.updated_at.isoformat() if member.updated_at else ""


@transaction.atomic
def member_update(*, actor, member: Member, data: dict, verb: str = "member.update",
                  expected_version: str | None = None) -> Member:
    """Save a change. With expected_version (what member_version said when the editor opened the record), a
    record changed by someone else in between is refused with 409 instead of being silently overwritten."""
    require_edit(actor, member)
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if expected_version is not None and expected_version != member_version(member):
        raise Conflict("该党员信息已被他人修改，请刷新页面查看最新内容后再保存")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise DomainError(f"字段不能修改：{', '.join(sorted(unknown))}")
    before = _snapshot(member)
    merged = {k: getattr(member, k) for k in EDITABLE}
    merged.update(data)
    if "id_number" in data and not data["id_number"]:
        merged["id_number"] = ""
    cleaned = _validate(merged, org=member.org, today=_today())
    old_id = member.id_number
    if cleaned.get("id_number") != old_id:
        _check_duplicate(actor=actor, id_number=cleaned.get("id_number") or "", exclude_id=member.id)
    _apply(member, cleaned)
    member.save()
    after = _snapshot(member)
    changed_before = {k: v for k, v in before.items() if after.get(k) != v}
    changed_after = {k: after[k] for k in changed_before}
    if cleaned.get("id_number") != old_id:
        changed_after["id_number"] = member.id_masked
    if changed_after:
        audit(actor=actor, verb=verb, target=member, org=member.org, before=changed_before, after=changed_after)
    return member


def can_reveal_id(actor, member: Member) -> bool:
    return can(actor, "members.reveal_id", member.org)


@transaction.atomic
def member_reveal_id(*, actor, member: Member) -> str:
    """The full ID number, for an actor whose role may see it; every reveal is audited."""
    require(actor, "members.reveal_id", member.org)
    audit(actor=actor, verb="member.reveal_id", target=member, org=member.org)
    return member.id_number


@transaction.atomic
def member_set_status(*, actor, member: Member, status: str, since: date | None = None, verb: str = "") -> Member:
    require(actor, "members.edit", member.org)
    if status not in Status.values:
        raise DomainError("党籍状态无效", field="status")
    before = {"status": member.status, "status_since": member.status_since}
    member.status = status
    member.status_since = since or _today()
    member.save(update_fields=["status", "status_since", "updated_at"])
    audit(actor=actor, verb=verb or "member.status", target=member, org=member.org, before=before,
          after={"status": status, "status_since": member.status_since})
    return member


@transaction.atomic
def member_move_to_group(*, actor, members: list[Member], group: PartyGroup | None) -> int:
    moved = 0
    for member in members:
        require(actor, "members.edit", member.org)
        if group is not None and group.org_id != member.org_id:
            raise DomainError(f"{member.name} 不在该党小组所在的党支部", field="party_group_id")
        if member.party_group_id != (group.id if group else None):
            before = {"party_group_id": member.party_group_id}
            member.party_group = group
            member.save(update_fields=["party_group", "updated_at"])
            audit(actor=actor, verb="member.move_group", target=member, org=member.org, before=before,
                  after={"party_group_id": group.id if group else None})
            moved += 1
    return moved


@transaction.atomic
def member_account_create(*, actor, member: Member, username: str, password: str):
    """The member's own self-service login (role `member`)."""
    from dangjian.accounts.services import user_create

    if member.user_id:
        raise Conflict("该党员已有登录账号", field="username")
    user = user_create(actor=actor, username=username, password=password, org=member.org, role="member",
                       full_name=member.name)
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    audit(actor=actor, verb="member.account", target=member, org=member.org, after={"username": user.username})
    return user


# --- Self-service corrections -------------------------------------------------------------

@transaction.atomic
def change_request_create(*, actor, member: Member, field: str, new_value: str, reason: str = "") -> ChangeRequest:
    if member.user_id != actor.pk:
        raise DomainError("只能申请更正本人的信息", status=403)
    if field not in SELF_SERVICE_FIELDS:
        raise DomainError("该项信息不能自助更正，请联系党支部", field="field")
    new_value = (new_value or "").strip()
    try:
        cleaned = _validate({**{k: getattr(member, k) for k in EDITABLE}, field: new_value}, org=member.org,
                            today=_today())
    except FieldErrors as exc:
        raise DomainError(exc.detail, field="new_value")
    if member.change_requests.filter(field=field, state=ChangeRequest.State.PENDING).exists():
        raise Conflict(f"“{SELF_SERVICE_FIELDS[field]}”已有待审核的更正申请")
    old = getattr(member, field) or ""
    if str(cleaned[field]) == str(old):
        raise DomainError("新值与当前信息相同", field="new_value")
    req = ChangeRequest.objects.create(member=member, field=field, old_value=str(old)[:200],
                                       new_value=str(cleaned[field])[:200], reason=(reason or "").strip()[:200])
    audit(actor=actor, verb="member.change_request", target=member, org=member.org,
          after={"field": field, "new_value": req.new_value})
    return req


@transaction.atomic
def change_request_decide(*, actor, request: ChangeRequest, approve: bool, note: str = "") -> ChangeRequest:
    member = request.member
    require(actor, "members.edit", member.org)
    if request.state != ChangeRequest.State.PENDING:
        raise Conflict("该申请已处理")
    if approve:
        member_update(actor=actor, member=member, data={request.field: request.new_value},
                      verb="member.change_approved")
    request.state = ChangeRequest.State.APPROVED if approve else ChangeRequest.State.REJECTED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decision_note = (note or "").strip()[:200]
    request.save()
    if not approve:
        audit(actor=actor, verb="member.change_rejected", target=member, org=member.org,
              after={"field": request.field, "new_value": request.new_value, "note": request.decision_note})
    return request
