"""表彰 / 榜样: nominations, approval by a higher committee, public showcase."""
from datetime import date

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.scope import in_scope, require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .. import rules
from ..models import Honor
from .common import not_future, require_above, text, year as check_year
from .common import photo as check_photo


@transaction.atomic
def honor_nominate(*, actor, org: Org, subject: str, award: str, level: str, year: int, member=None,
                   person_name: str = "", awarded_on: date | None = None, story: str = "",
                   photo=None) -> Honor:
    """Nominate a person (a member or a named person of org) or org itself for an award."""
    require(actor, "duties.edit", org)
    photo = check_photo(photo)
    if subject not in Honor.Subject.values:
        raise DomainError("表彰对象应为个人或组织", field="subject")
    award = text(award, field="award", label="表彰名称", max_len=50)
    problem = rules.check_award_subject(award, subject)
    if problem:
        raise DomainError(problem, field="award")
    if level not in Honor.Level.values:
        raise DomainError("表彰级别无效", field="level")
    check_year(year)
    if awarded_on is not None:
        not_future(awarded_on, field="awarded_on", label="表彰日期")
    story = text(story, field="story", label="先进事迹", max_len=20000, required=False)
    if subject == Honor.Subject.PERSON:
        if member is not None:
            if not Org.objects.filter(subtree_q(org.path), pk=member.org_id).exists():
                raise DomainError("该党员不在推荐组织内", field="member_id")
            person_name = member.name
        person_name = text(person_name, field="person_name", label="姓名", max_len=100)
    else:
        member, person_name = None, org.name
    if Honor.objects.filter(org=org, subject=subject, person_name=person_name, award=award, year=year).exclude(
            state=Honor.State.REJECTED).exists():
        raise Conflict(f"{person_name} 已被推荐 {year} 年度“{award}”")
    honor = Honor.objects.create(org=org, region_id=org.region_id, subject=subject, member=member,
                                 person_name=person_name, award=award, level=level, year=year,
                                 awarded_on=awarded_on, story=story, photo=photo, created_by=actor)
    audit(actor=actor, verb="honor.nominate", target=honor, org=org,
          after={"subject": subject, "person_name": person_name, "award": award, "level": level, "year": year})
    return honor


@transaction.atomic
def honor_decide(*, actor, honor: Honor, approve: bool, public: bool = False, note: str = "",
                 awarded_on: date | None = None) -> Honor:
    """A committee above the nominating org approves (optionally for the public showcase) or rejects."""
    require_above(actor, honor.org, "duties.edit", message="表彰须由上级党组织审批")
    honor = Honor.objects.select_for_update().get(pk=honor.pk)
    if honor.state != Honor.State.NOMINATED:
        raise Conflict("该推荐已审批")
    note = text(note, field="note", label="审批意见", max_len=200, required=False)
    if not approve and not note:
        raise DomainError("不予通过时请填写审批意见", field="note")
    if awarded_on is not None:
        not_future(awarded_on, field="awarded_on", label="表彰日期")
    before = {"state": honor.state, "is_public": honor.is_public}
    honor.state = Honor.State.APPROVED if approve else Honor.State.REJECTED
    honor.is_public = bool(approve and public)
    honor.awarded_on = awarded_on or honor.awarded_on or (timezone.localdate() if approve else None)
    honor.decided_by, honor.decided_at, honor.decision_note = actor, timezone.now(), note
    honor.save()
    audit(actor=actor, verb="honor.decide", target=honor, org=honor.org, before=before,
          after={"state": honor.state, "is_public": honor.is_public, "note": note})
    return honor


@transaction.atomic
def honor_set_public(*, actor, honor: Honor, public: bool) -> Honor:
    require_above(actor, honor.org, "duties.edit", message="榜样展示须由上级党组织决定")
    if honor.state != Honor.State.APPROVED:
        raise DomainError("只有已批准的表彰才能展示", field="public")
    before = {"is_public": honor.is_public}
    honor.is_public = bool(public)
    honor.save(update_fields=["is_public"])
    audit(actor=actor, verb="honor.public", target=honor, org=honor.org, before=before,
          after={"is_public": honor.is_public})
    return honor


def honor_visible(actor, honor: Honor) -> bool:
    return in_scope(actor, honor.org)
