"""Writes of 标准化规范化, venues and model designations: one transaction each, audited (DESIGN rule 3)."""
import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from dangjian.accounts.scope import can, require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org, Unit

from . import rules, selectors
from .models import (Evidence, ModelDesignation, ModelReview, StandardCheck, StandardChecklist, StandardItem, Venue,
                     VenuePhoto)

VENUE_FIELDS = ["org", "kind", "name", "address", "area", "facilities", "opening_hours", "is_public", "is_active"]
MODEL_FIELDS = ["org", "kind", "title", "member", "public_name", "criteria", "story", "starts_on", "ends_on", "state",
                "is_public"]
TARGET_KINDS = {Org.Kind.BRANCH, Org.Kind.GENERAL_BRANCH, Org.Kind.COMMITTEE}


def _upload(upload, *, kind: str, field: str = "file") -> str:
    """R-STD-UPLOAD: checks type (by content) and size; renames to a random name (never trust the upload's)."""
    ext = rules.check_upload(upload, kind=kind, field=field)
    original = (upload.name or "")[:200]
    upload.name = uuid.uuid4().hex + ext
    return original


# --- checklists ------------------------------------------------------------------------------------

def _issue(*, actor, org: Org, name: str, year: int, items: list[tuple[str, str, str]], target_kinds: list[str],
           unit_kinds: list[str], note: str = "", previous: StandardChecklist | None = None) -> StandardChecklist:
    name = (name or "").strip()[:100]
    if not name:
        raise DomainError("请填写清单名称", rule="R-STD-ITEMS", field="name")
    if not target_kinds or not set(target_kinds) <= TARGET_KINDS:
        raise DomainError("请选择适用的组织类型", rule="R-STD-ITEMS", field="target_kinds")
    if not set(unit_kinds) <= set(Unit.Kind.values):
        raise DomainError("单位类型不正确", rule="R-STD-ITEMS", field="unit_kinds")
    if not 2000 <= year <= selectors.today().year + 1:
        raise DomainError("年度不正确", rule="R-STD-ITEMS", field="year")
    targets = list(selectors.targets_for(org, target_kinds=target_kinds, unit_kinds=unit_kinds))
    if not targets:
        raise DomainError("下级没有适用该清单的党组织", rule="R-STD-ITEMS", field="target_kinds")
    try:
        with transaction.atomic():
            checklist = StandardChecklist.objects.create(
                org=org, region_id=org.region_id, name=name, year=year, issued_on=selectors.today(),
                target_kinds=sorted(target_kinds), unit_kinds=sorted(unit_kinds), note=(note or "")[:500],
                previous=previous, created_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        raise Conflict(f"{year}年已下发过“{name}”", rule="R-STD-ITEMS", field="year")
    made = StandardItem.objects.bulk_create([StandardItem(checklist=checklist, code=c, name=n, description=d, order=i)
                                             for i, (c, n, d) in enumerate(items)])
    StandardCheck.objects.bulk_create([StandardCheck(checklist=checklist, item=item, org=t, region_id=t.region_id)
                                       for t in targets for item in made])
    audit(actor=actor, verb="standards.checklist_issue", target=checklist, org=org,
          after={"name": name, "year": year, "items": [c for c, _, _ in items], "targets": [t.id for t in targets],
                 "previous": previous.id if previous else None})
    return checklist


@transaction.atomic
def checklist_issue(*, actor, org: Org, name: str, year: int, items_text: str, target_kinds: list[str],
                    unit_kinds: list[str] | None = None, note: str = "") -> StandardChecklist:
    """A committee issues a checklist to the orgs below it (default items: 八有, seed 003)."""
    require(actor, "standards.edit", org)
    if org.kind == Org.Kind.BRANCH:
        raise DomainError("标准化清单由党委或党总支下发", rule="R-STD-ITEMS")
    return _issue(actor=actor, org=org, name=name, year=year, items=rules.parse_items(items_text),
                  target_kinds=target_kinds, unit_kinds=unit_kinds or [], note=note)


@transaction.atomic
def checklist_recheck(*, actor, checklist: StandardChecklist, year: int | None = None,
                      system: bool = False) -> StandardChecklist:
    """年度复查: the same items for next year, every target (as the tree is now) back to pending."""
    if not system:
        require(actor, "standards.edit", checklist.org)
    year = year or checklist.year + 1
    if year <= checklist.year:
        raise DomainError("复查年度须晚于原清单年度", rule="R-STD-RECHECK", field="year")
    items = [(i.code, i.name, i.description) for i in checklist.items.all()]
    return _issue(actor=actor, org=checklist.org, name=checklist.name, year=year, items=items,
                  target_kinds=checklist.target_kinds, unit_kinds=checklist.unit_kinds, note=checklist.note,
                  previous=checklist)


def checklists_recheck_due(today: date) -> int:
    """The yearly job: last year's checklists without a re-check get one for this year."""
    done = 0
    for checklist in StandardChecklist.objects.filter(year=today.year - 1).exclude(
            rechecks__year=today.year).select_related("org"):
        try:
            checklist_recheck(actor=None, checklist=checklist, year=today.year, system=True)
        except DomainError:
            continue
        done += 1
    return done


@transaction.atomic
def evidence_add(*, actor, check: StandardCheck, kind: str, upload=None, figure_value: Decimal | None = None,
                 figure_unit: str = "", caption: str = "") -> Evidence:
    """The org (or its upper org) offers a photo, document or figure for one item."""
    require(actor, "standards.edit", check.org)
    rules.check_evidence(kind=kind, has_file=bool(upload), figure=figure_value)
    original = _upload(upload, kind=kind) if upload else ""
    ev = Evidence.objects.create(standard_check=check, org=check.org, kind=kind, file=upload or "",
                                 original_name=original, size=getattr(upload, "size", 0) or 0,
                                 figure_value=figure_value if kind == rules.FIGURE else None,
                                 figure_unit=(figure_unit or "").strip()[:10] if kind == rules.FIGURE else "",
                                 caption=(caption or "").strip()[:200], uploaded_by=actor)
    audit(actor=actor, verb="standards.evidence_add", target=check, org=check.org,
          after={"evidence": ev.id, "kind": kind, "file": original, "figure": figure_value})
    return ev


@transaction.atomic
def check_judge(*, actor, check: StandardCheck, verdict: str, note: str = "") -> StandardCheck:
    """The checker's verdict: by the issuing committee (not the org judging itself), met only on evidence."""
    if not can(actor, "standards.edit", check.checklist.org):
        raise PermissionDenied("检查结论由下发清单的党组织作出")
    check = StandardCheck.objects.select_for_update().get(pk=check.pk)
    rules.check_verdict(verdict, check.evidence.count())
    before = {"verdict": check.verdict, "note": check.note}
    check.verdict, check.note = verdict, (note or "").strip()[:500]
    check.checked_by, check.checked_on = actor, selectors.today()
    check.save(update_fields=["verdict", "note", "checked_by", "checked_on"])
    audit(actor=actor, verb="standards.check_judge", target=check, org=check.org, before=before,
          after={"verdict": verdict, "note": check.note})
    return check


# --- venues ----------------------------------------------------------------------------------------

def _venue_data(data: dict) -> dict:
    out = {k: data[k] for k in ("kind", "name", "address", "area", "facilities", "opening_hours", "is_public")
           if k in data}
    if "kind" in out and out["kind"] not in dict(rules.VENUE_KINDS):
        raise DomainError("阵地类型不正确", rule="R-STD-VENUE", field="kind")
    for key in ("name", "address"):
        if key in out:
            out[key] = (out[key] or "").strip()
            if not out[key]:
                raise DomainError("请填写名称和地址", rule="R-STD-VENUE", field=key)
    if out.get("area") in ("", None):
        out["area"] = None
    elif "area" in out:
        try:
            out["area"] = Decimal(str(out["area"]))
        except ArithmeticError:
            raise DomainError("面积须是数字", rule="R-STD-VENUE", field="area")
    rules.check_area(out.get("area"))
    return out


@transaction.atomic
def venue_create(*, actor, org: Org, data: dict) -> Venue:
    require(actor, "standards.edit", org)
    fields = _venue_data(data)
    if Venue.objects.filter(org=org, name=fields.get("name", "")).exists():
        raise Conflict("本组织已有同名阵地", rule="R-STD-VENUE", field="name")
    venue = Venue.objects.create(org=org, region_id=org.region_id, created_by=actor, **fields)
    audit(actor=actor, verb="standards.venue_create", target=venue, org=org, after=snapshot(venue, VENUE_FIELDS))
    return venue


@transaction.atomic
def venue_update(*, actor, venue: Venue, data: dict) -> Venue:
    require(actor, "standards.edit", venue.org)
    fields = _venue_data(data)
    if "is_active" in data:
        fields["is_active"] = bool(data["is_active"])
    if Venue.objects.filter(org=venue.org, name=fields.get("name", venue.name)).exclude(pk=venue.pk).exists():
        raise Conflict("本组织已有同名阵地", rule="R-STD-VENUE", field="name")
    before = snapshot(venue, VENUE_FIELDS)
    for key, value in fields.items():
        setattr(venue, key, value)
    venue.save()
    audit(actor=actor, verb="standards.venue_update", target=venue, org=venue.org, before=before,
          after=snapshot(venue, VENUE_FIELDS))
    return venue


@transaction.atomic
def venue_photo_add(*, actor, venue: Venue, upload, caption: str = "") -> VenuePhoto:
    require(actor, "standards.edit", venue.org)
    if not upload:
        raise DomainError("请选择照片", rule="R-STD-UPLOAD", field="file")
    if venue.photos.count() >= rules.PHOTOS_PER_VENUE:
        raise DomainError(f"每处阵地最多 {rules.PHOTOS_PER_VENUE} 张照片", rule="R-STD-UPLOAD", field="file")
    original = _upload(upload, kind=rules.PHOTO)
    photo = VenuePhoto.objects.create(venue=venue, org=venue.org, file=upload, caption=(caption or "").strip()[:100],
                                      uploaded_by=actor)
    audit(actor=actor, verb="standards.venue_photo_add", target=venue, org=venue.org,
          after={"photo": photo.id, "file": original})
    return photo


# --- model posts and branches --------------------------------------------------------------------

@transaction.atomic
def designation_propose(*, actor, org: Org, kind: str, title: str, criteria: str, starts_on: date, ends_on: date,
                        member_id=None, public_name: str = "", story: str = "",
                        is_public: bool = True) -> ModelDesignation:
    require(actor, "standards.edit", org)
    if kind not in dict(rules.MODEL_KINDS):
        raise DomainError("请选择类型", rule="R-STD-MODEL", field="kind")
    title, criteria = (title or "").strip()[:100], (criteria or "").strip()[:500]
    if not title or not criteria:
        raise DomainError("请填写名称和评定标准", rule="R-STD-MODEL", field="title" if not title else "criteria")
    rules.check_period(starts_on, ends_on)
    member = None
    if kind == rules.POST:
        member = members_on_rolls(org).filter(id=member_id).first() if member_id else None
        if member is None:
            raise DomainError("党员示范岗须选择本组织的党员", rule="R-STD-MODEL", field="member_id")
        public_name = (public_name or "").strip()[:100] or member.name
    else:
        if org.kind != Org.Kind.BRANCH:
            raise DomainError("示范支部须是党支部", rule="R-STD-MODEL", field="kind")
        public_name = org.name
    d = ModelDesignation.objects.create(org=org, region_id=org.region_id, kind=kind, title=title, member=member,
                                        public_name=public_name, criteria=criteria, story=(story or "")[:2000],
                                        starts_on=starts_on, ends_on=ends_on, is_public=bool(is_public),
                                        created_by=actor)
    audit(actor=actor, verb="standards.model_propose", target=d, org=org, after=snapshot(d, MODEL_FIELDS))
    return d


NEXT_STATE = {
    ModelReview.Outcome.APPROVE: ({ModelDesignation.State.PROPOSED}, ModelDesignation.State.APPROVED),
    ModelReview.Outcome.REJECT: ({ModelDesignation.State.PROPOSED}, ModelDesignation.State.REJECTED),
    ModelReview.Outcome.KEEP: ({ModelDesignation.State.APPROVED}, ModelDesignation.State.APPROVED),
    ModelReview.Outcome.REVOKE: ({ModelDesignation.State.APPROVED}, ModelDesignation.State.REVOKED),
}


@transaction.atomic
def designation_review(*, actor, designation: ModelDesignation, outcome: str, reviewed_on: date,
                       note: str = "") -> ModelReview:
    """审核 / 复评 by the upper org (an org never names itself a model)."""
    org = designation.org
    upper = org.get_parent() or org
    if not can(actor, "standards.edit", upper):
        raise PermissionDenied("示范岗、示范支部由上级党组织审核命名")
    if outcome not in NEXT_STATE:
        raise DomainError("请选择审核结论", rule="R-STD-MODEL", field="outcome")
    allowed, new_state = NEXT_STATE[outcome]
    if designation.state not in allowed:
        raise DomainError(f"当前状态“{designation.get_state_display()}”不能作此结论", rule="R-STD-MODEL", field="outcome")
    if reviewed_on > selectors.today():
        raise DomainError("审核日期不能晚于今天", rule="R-DATE", field="reviewed_on")
    review = ModelReview.objects.create(designation=designation, org=org, outcome=outcome, reviewed_on=reviewed_on,
                                        note=(note or "").strip()[:500], reviewer=actor)
    before = designation.state
    ModelDesignation.objects.filter(pk=designation.pk).update(state=new_state)
    designation.state = new_state
    audit(actor=actor, verb="standards.model_review", target=designation, org=org, before={"state": before},
          after={"state": new_state, "outcome": outcome, "note": review.note})
    return review


# --- size settings (R-COMMITTEE-100 ⚙) ---------------------------------------------------------------

@transaction.atomic
def size_settings_set(*, actor, org: Org, committee_min_members: int):
    """A 党委 sets its own R-COMMITTEE-100 threshold for the orgs below it (default 100)."""
    from .models import SizeSettings

    require(actor, "standards.edit", org)
    if org.kind != Org.Kind.COMMITTEE:
        raise DomainError("只有党委可以设置设立基层党委的人数标准", rule="R-COMMITTEE-100", field="committee_min_members")
    rules.check_committee_min(committee_min_members)
    row = SizeSettings.objects.select_for_update().filter(org=org).first()
    before = {"committee_min_members": row.committee_min_members} if row else None
    if row is None:
        row = SizeSettings(org=org)
    row.committee_min_members, row.updated_by = committee_min_members, actor
    row.save()
    audit(actor=actor, verb="standards.size_settings", target=row, org=org, before=before,
          after={"committee_min_members": committee_min_members})
    return row
