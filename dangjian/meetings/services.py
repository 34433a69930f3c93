"""Writes of organizational life: one transaction each, with its audit event (DESIGN rule 3)."""
import os
import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.files import safe_content_type
from dangjian.members.choices import Stage
from dangjian.members.models import Member
from dangjian.members.selectors import member_of_user
from dangjian.orgs.models import Org, PartyGroup

from . import checkin_queue, rules, signin
from .models import Attendance, HeartTalk, LeaveRequest, Makeup, Meeting, MeetingAttachment, MeetingSettings
from .selectors import checkin_lead_subquery, expected_members, lead_minutes, settings_for, venues_for

TEXT_LIMITS = {"title": 200, "place": 200, "speaker": 50, "agenda": 5000, "minutes": 20000, "resolutions": 5000}
EDITABLE = ["title", "place", "agenda", "speaker", "starts_at", "ends_at", "minutes", "resolutions"]
SETTINGS_AUDITED = ["checkin_lead_minutes", "lecture_freq", "assembly_quorum", "absent_warning_months",
                    "review_excellent_cap"]
AUDITED = ["org_id", "kind", "party_group_id", "title", "starts_at", "ends_at", "place", "venue_id", "speaker", "state"]


def _aware(value):
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _clean_text(data: dict) -> dict:
    out = {}
    for key, limit in TEXT_LIMITS.items():
        if key in data:
            value = (data[key] or "").strip()
            if len(value) > limit:
                raise DomainError(f"不能超过 {limit} 个字", field=key)
            out[key] = value
    return out


def _check_times(starts_at, ends_at) -> None:
    message = rules.check_times(starts_at=starts_at, ends_at=ends_at)
    if message:
        raise DomainError(message, field="ends_at" if starts_at and ends_at else "starts_at")


def _sync_attendees(meeting: Meeting) -> None:
    """Add expected members missing from the sheet; before the meeting is recorded, drop untouched
    rows of members no longer expected (transferred out, group changed)."""
    expected = {m.id: m for m in expected_members(org=meeting.org, kind=meeting.kind, party_group=meeting.party_group)
                .only("id", "stage", "is_exempt")}
    have = dict(meeting.attendances.values_list("member_id", "id"))
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, member=m, region_id=meeting.region_id, is_full=m.stage == Stage.FULL,
                   is_exempt=m.is_exempt)
        for mid, m in expected.items() if mid not in have])
    if meeting.state == Meeting.State.PLANNED:
        gone = [mid for mid in have if mid not in expected]
        meeting.attendances.filter(member_id__in=gone, status=Attendance.Status.ABSENT, method="").delete()


def _venue(org: Org, venue_id):
    """A venue the meeting may be held at: in use, registered by its org or an org above it (issue 15)."""
    if venue_id in (None, "", 0):
        return None
    try:
        venue_id = int(venue_id)
    except (TypeError, ValueError):
        venue_id = 0
    venue = venues_for(org).filter(id=venue_id).first()
    if venue is None:
        raise DomainError("请选择本组织或上级组织登记的在用阵地", field="venue_id")
    return venue


# --- Meetings ---

@transaction.atomic
def meeting_create(*, actor, org: Org, data: dict) -> Meeting:
    require(actor, "meetings.edit", org)
    if org.kind != Org.Kind.BRANCH or not org.is_active:
        raise DomainError("三会一课以党支部为单位开展，请选择一个党支部", field="org_id")
    kind = data.get("kind")
    if kind not in rules.MEETING_KINDS:
        raise DomainError("会议类型无效", field="kind")
    fields = _clean_text(data)
    if not fields.get("title"):
        raise DomainError("请填写会议主题", field="title")
    starts_at, ends_at = _aware(data.get("starts_at")), _aware(data.get("ends_at"))
    _check_times(starts_at, ends_at)
    group = None
    if kind == "group":
        group = PartyGroup.objects.filter(org=org, id=data.get("party_group_id") or 0).first()
        if group is None:
            raise DomainError("党小组会须选择本支部的一个党小组", field="party_group_id", rule="R-MEET-GROUP")
    venue = _venue(org, data.get("venue_id"))
    meeting = Meeting.objects.create(org=org, region_id=org.region_id, kind=kind, party_group=group, venue=venue,
                                     starts_at=starts_at, ends_at=ends_at, created_by=actor, **fields)
    _sync_attendees(meeting)
    audit(actor=actor, verb="meeting.create", target=meeting, org=org, after=snapshot(meeting, AUDITED))
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, data: dict) -> Meeting:
    """Edit plan or record; `state` "held" records the meeting, "cancelled" cancels it."""
    require(actor, "meetings.edit", meeting.org)
    checkin_queue.flush_pending()  # recording it hands out 补学 by attendance: every accepted check-in counts
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("org", "party_group").get(pk=meeting.pk)
    before = snapshot(meeting, AUDITED)
    if meeting.state == Meeting.State.CANCELLED:
        raise DomainError("会议已取消，不能修改", field="state")
    fields = _clean_text({k: v for k, v in data.items() if k in EDITABLE})
    if "title" in fields and not fields["title"]:
        raise DomainError("请填写会议主题", field="title")
    starts_at = _aware(data.get("starts_at")) or meeting.starts_at
    ends_at = _aware(data.get("ends_at")) or meeting.ends_at
    if (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at):
        if meeting.state == Meeting.State.HELD:
            raise DomainError("会议已召开，不能修改时间", field="starts_at")
        _check_times(starts_at, ends_at)
    if "venue_id" in data:
        meeting.venue = _venue(meeting.org, data["venue_id"])
    for key, value in fields.items():
        setattr(meeting, key, value)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    state = data.get("state")
    if state not in (None, meeting.state):
        if state == Meeting.State.HELD:
            _record(meeting)
        elif state == Meeting.State.CANCELLED:
            if meeting.state != Meeting.State.PLANNED:
                raise DomainError("已召开的会议不能取消", field="state")
            meeting.state = Meeting.State.CANCELLED
        else:
            raise DomainError("状态无效（可改为 held 已召开 或 cancelled 已取消）", field="state")
    meeting.save()
    if meeting.state == Meeting.State.PLANNED:
        _sync_attendees(meeting)
    audit(actor=actor, verb="meeting.update", target=meeting, before=before, after=snapshot(meeting, AUDITED))
    checkin_queue.sheet_drop(meeting.id)  # window, state or expected members may have changed
    return meeting


def _record(meeting: Meeting) -> None:
    """Mark as held: needs a record (minutes); a lecture names its speaker; absentees get 补学."""
    if meeting.starts_at > timezone.now():
        raise DomainError("会议尚未开始，不能登记为已召开", field="state")
    if not (meeting.minutes or "").strip():
        raise DomainError("登记为已召开须填写会议记录", field="minutes")
    if meeting.kind == "lecture" and not meeting.speaker:
        raise DomainError("党课须登记授课人", field="speaker", rule="R-MEET-LECTURE")
    _sync_attendees(meeting)
    meeting.state = Meeting.State.HELD
    meeting.held_at = timezone.now()
    for row in meeting.attendances.all():
        sync_makeup(meeting, row)


def sync_makeup(meeting: Meeting, row: Attendance) -> None:
    """A held meeting: absent or on leave → an open 补学 task; present → an open task is withdrawn."""
    if meeting.state != Meeting.State.HELD:
        return
    task = Makeup.objects.filter(meeting=meeting, member_id=row.member_id).first()
    if row.status == Attendance.Status.PRESENT:
        if task and task.state == Makeup.State.OPEN:
            task.state = Makeup.State.CANCELLED
            task.save(update_fields=["state"])
    elif task is None:
        due = timezone.localdate() + timedelta(days=rules.MAKEUP_DAYS)
        Makeup.objects.create(meeting=meeting, member_id=row.member_id, due_on=due)
    elif task.state == Makeup.State.CANCELLED:
        task.state = Makeup.State.OPEN
        task.save(update_fields=["state"])


# --- Attendance ---

def _row_for(meeting: Meeting, member: Member) -> Attendance:
    row = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is None:
        try:
            with transaction.atomic():
                row = Attendance.objects.create(meeting=meeting, member=member, is_full=member.stage == Stage.FULL,
                                                is_exempt=member.is_exempt)
        except IntegrityError:  # created concurrently: use that one
            row = Attendance.objects.select_for_update().get(meeting=meeting, member=member)
    return row


def attendee_get(meeting: Meeting, member_id) -> Member:
    """A member who may be on this meeting's sheet: already on it, or on the rolls of its branch."""
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        member_id = 0
    member = Member.objects.filter(id=member_id, attendances__meeting=meeting).first()
    if member is None:
        member = expected_members(org=meeting.org, kind="assembly").filter(id=member_id).first()
    if member is None:
        raise DomainError("该党员不是本支部的党员，不能登记出勤", field="member_id")
    return member


@transaction.atomic
def attendance_set(*, actor, meeting: Meeting, member: Member, status: str) -> Attendance:
    """The secretary ticks attendance by hand (present / leave / absent)."""
    require(actor, "meetings.edit", meeting.org)
    if status not in Attendance.Status.values:
        raise DomainError("出勤状态无效（present 出席、leave 请假、absent 缺席）", field="status")
    checkin_queue.flush_pending()  # a check-in accepted before this mark is written before it
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == Meeting.State.CANCELLED:
        raise DomainError("会议已取消", field="status")
    opens, _ = rules.checkin_window(starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                                    lead_minutes=settings_for(meeting.org).checkin_lead_minutes)
    if status != Attendance.Status.LEAVE and timezone.now() < opens:
        raise DomainError("会议尚未开始，只能登记请假", field="status")
    row = _row_for(meeting, member)
    before = {"status": row.status, "method": row.method}
    if row.status != status:
        row.status = status
        row.method = Attendance.Method.MANUAL if status == Attendance.Status.PRESENT else ""
        row.checked_at = timezone.now() if status == Attendance.Status.PRESENT else None
        row.marked_by = actor
        row.save()
        sync_makeup(meeting, row)
        audit(actor=actor, verb="meeting.attendance", target=meeting, before={"member": member.id, **before},
              after={"member": member.id, "status": status, "method": row.method})
        checkin_queue.sheet_drop(meeting.id)
    return row


@transaction.atomic
def meeting_check_in(*, actor, token: str, meeting_id: int | None = None, now: datetime | None = None,
                     member_id: int | None = None) -> tuple[Attendance, bool]:
    """The logged-in member signs in with the meeting's QR token. Idempotent: (row, newly checked in).

    `member_id`: the member the client claims to be (only oneself may sign in). A member already on the sheet
    costs two reads in all (issue 13)."""
    now = now or timezone.now()
    try:
        token_meeting = signin.read_token(token)
    except signin.BadToken as exc:
        raise DomainError(str(exc), field="token")
    if meeting_id is not None and int(meeting_id) != token_meeting:
        raise DomainError("签到码与本次会议不符", field="token")
    # Locked as before (a concurrent "held" or "cancelled" waits for us, or we see it), with the inherited
    # lead time of the sign-in window in the same read.
    # Both reads match at most one row: no ORDER BY to compile or sort (order_by() instead of first()).
    meeting = next(iter(Meeting.objects.select_for_update(of=("self",)).select_related("org", "party_group")
                        .annotate(lead=checkin_lead_subquery()).filter(pk=token_meeting).order_by()), None)
    # The actor's row and member in one locked read; the member alone only when there is no row yet.
    row = None
    if meeting is not None and getattr(actor, "pk", None):
        row = next(iter(Attendance.objects.select_for_update(of=("self",)).select_related("member")
                        .filter(meeting=meeting, member__user_id=actor.pk).order_by()), None)
    member = row.member if row is not None else member_of_user(actor)
    if member_id is not None and (member is None or int(member_id) != member.id):
        raise DomainError("只能本人签到，不能为他人签到", field="member_id")
    if member is None:
        raise PermissionDenied("您的账号未关联党员信息，不能签到")
    if meeting is None:
        raise DomainError("签到码无效", field="token")
    if meeting.state == Meeting.State.CANCELLED:
        raise DomainError("会议已取消，无需签到", field="token")
    lead = lead_minutes(meeting.lead)
    state = rules.checkin_state(now=now, starts_at=meeting.starts_at, ends_at=meeting.ends_at, lead_minutes=lead)
    if state == "early":
        opens = timezone.localtime(meeting.starts_at - timedelta(minutes=lead))
        raise DomainError(f"签到尚未开始，请于 {opens:%m月%d日 %H:%M} 以后签到", field="token")
    if state == "closed":
        raise DomainError(f"签到已结束（会议已于 {timezone.localtime(meeting.ends_at):%m月%d日 %H:%M} 结束）",
                          field="token")
    if row is None:
        # Joined the branch after the meeting was planned: expected? (then the row is made here)
        if not expected_members(org=meeting.org, kind=meeting.kind,
                                party_group=meeting.party_group).filter(id=member.id).exists():
            raise PermissionDenied("您不是本次会议的应到人员，不能签到")
        row = _row_for(meeting, member)
        row.member = member  # the response names the member: no reload
    if row.status == Attendance.Status.PRESENT:
        return row, False
    before = {"status": row.status}
    row.status, row.method, row.checked_at, row.marked_by = Attendance.Status.PRESENT, Attendance.Method.QR, now, actor
    row.save(update_fields=["status", "method", "checked_at", "marked_by", "updated_at"])
    sync_makeup(meeting, row)
    audit(actor=actor, verb="meeting.check_in", target=meeting, before={"member": member.id, **before},
          after={"member": member.id, "status": row.status, "method": row.method})
    checkin_queue.sheet_drop(meeting.id)  # the write-behind sheet (if any) reloads with this row
    return row, True


# --- Leave, 补学 ---

@transaction.atomic
def leave_request_create(*, actor, meeting: Meeting, reason: str) -> LeaveRequest:
    member = member_of_user(actor)
    if member is None:
        raise PermissionDenied("您的账号未关联党员信息")
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise DomainError("请填写请假事由（不超过 200 字）", field="reason")
    if meeting.state == Meeting.State.CANCELLED or meeting.ends_at < timezone.now():
        raise DomainError("会议已结束或已取消，不能请假", field="meeting")
    row = meeting.attendances.filter(member=member).first()
    if row is None and not expected_members(org=meeting.org, kind=meeting.kind,
                                            party_group=meeting.party_group).filter(id=member.id).exists():
        raise DomainError("您不是本次会议的应到人员", field="meeting")
    if row is not None and row.status == Attendance.Status.PRESENT:
        raise DomainError("您已签到，无需请假", field="meeting")
    if meeting.leave_requests.filter(member=member, state__in=["pending", "approved"]).exists():
        raise Conflict("已提交过请假申请", field="meeting")
    leave = LeaveRequest.objects.create(meeting=meeting, member=member, reason=reason)
    audit(actor=actor, verb="meeting.leave_request", target=meeting, org=meeting.org,
          after={"member": member.id, "reason": reason})
    return leave


@transaction.atomic
def leave_request_decide(*, actor, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    require(actor, "meetings.edit", leave.meeting.org)
    checkin_queue.flush_pending()  # an accepted check-in is kept over an approved leave, as in the database
    leave = LeaveRequest.objects.select_for_update().select_related("meeting", "member").get(pk=leave.pk)
    if leave.state != LeaveRequest.State.PENDING:
        raise Conflict("该请假申请已审批", field="state")
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("审批意见不能超过 200 字", field="note")
    leave.state = LeaveRequest.State.APPROVED if approve else LeaveRequest.State.REJECTED
    leave.decided_by, leave.decided_at, leave.decision_note = actor, timezone.now(), note
    leave.save()
    if approve:
        row = _row_for(leave.meeting, leave.member)
        if row.status != Attendance.Status.PRESENT:
            row.status, row.method, row.checked_at, row.marked_by = Attendance.Status.LEAVE, "", None, actor
            row.save()
            sync_makeup(leave.meeting, row)
            checkin_queue.sheet_drop(leave.meeting_id)
    audit(actor=actor, verb="meeting.leave_decide", target=leave.meeting, org=leave.meeting.org,
          after={"member": leave.member_id, "state": leave.state, "note": note})
    return leave


@transaction.atomic
def makeup_complete(*, actor, makeup: Makeup, note: str = "") -> Makeup:
    """The member (or the secretary) records a 补学 as done."""
    if makeup.member.user_id != actor.pk:
        require(actor, "meetings.edit", makeup.meeting.org)
    makeup = Makeup.objects.select_for_update().get(pk=makeup.pk)
    if makeup.state != Makeup.State.OPEN:
        raise Conflict("该补学任务已完成或已撤销", field="state")
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("补学情况不能超过 500 字", field="note")
    makeup.state, makeup.done_on, makeup.note = Makeup.State.DONE, timezone.localdate(), note
    makeup.save()
    audit(actor=actor, verb="meeting.makeup_done", target=makeup.meeting, org=makeup.meeting.org,
          after={"member": makeup.member_id, "note": note})
    return makeup


# --- Attachments ---

@transaction.atomic
def attachment_add(*, actor, meeting: Meeting, upload) -> MeetingAttachment:
    require(actor, "meetings.edit", meeting.org)
    name = os.path.basename(getattr(upload, "name", "") or "")[-200:]
    ext = rules.check_attachment(upload)  # before anything is written: a refusal leaves no row and no file
    row = MeetingAttachment(meeting=meeting, name=name, size=upload.size, content_type=safe_content_type(name),
                            uploaded_by=actor)
    row.file.save(uuid.uuid4().hex + ext, upload, save=False)  # the shown name stays in row.name
    row.save()
    audit(actor=actor, verb="meeting.attachment_add", target=meeting, after={"name": name, "size": upload.size})
    return row


# --- 谈心谈话 ---

@transaction.atomic
def heart_talk_create(*, actor, member: Member, data: dict) -> HeartTalk:
    require(actor, "meetings.edit", member.org)
    talker = (data.get("talker_name") or "").strip()
    topic = (data.get("topic") or "").strip()
    if not talker or len(talker) > 50:
        raise DomainError("请填写谈话人（不超过 50 字）", field="talker_name")
    if not topic or len(topic) > 200:
        raise DomainError("请填写谈话主题（不超过 200 字）", field="topic")
    talked_on, reply_by = data.get("talked_on"), data.get("reply_by")
    if not isinstance(talked_on, date):
        raise DomainError("请填写谈话日期", field="talked_on")
    if talked_on > timezone.localdate():
        raise DomainError("谈话日期不能晚于今天", field="talked_on")
    if reply_by is not None and reply_by < talked_on:
        raise DomainError("答复期限不能早于谈话日期", field="reply_by")
    follow_up, content = (data.get("follow_up") or "").strip(), (data.get("content") or "").strip()
    if len(follow_up) > 500 or len(content) > 5000:
        raise DomainError("后续事项不超过 500 字，谈话内容不超过 5000 字", field="follow_up")
    if member.stage not in (Stage.PROBATIONARY, Stage.FULL):
        raise DomainError("谈心谈话记录的对象应为党员（含预备党员）", field="member_id", rule="R-TALK-YEAR")
    talk = HeartTalk.objects.create(org=member.org, region_id=member.org.region_id, member=member,
                                    talker_name=talker, talked_on=talked_on, topic=topic, content=content,
                                    follow_up=follow_up, reply_by=reply_by, created_by=actor)
    audit(actor=actor, verb="heart_talk.create", target=talk, org=member.org,
          after={"member": member.id, "talked_on": talked_on, "topic": topic})
    return talk


# --- Settings ⚙ ---

@transaction.atomic
def meeting_settings_set(*, actor, org: Org, data: dict) -> MeetingSettings:
    require(actor, "meetings.manage", org)
    lead = data.get("checkin_lead_minutes", rules.CHECKIN_LEAD_MINUTES)
    freq = data.get("lecture_freq", rules.QUARTER)
    warn = data.get("absent_warning_months", rules.ABSENT_WARNING_MONTHS)
    if not isinstance(lead, int) or not 0 <= lead <= rules.CHECKIN_LEAD_MAX:
        raise DomainError(f"提前开放签到的分钟数应在 0 到 {rules.CHECKIN_LEAD_MAX} 之间", field="checkin_lead_minutes")
    if freq not in (rules.MONTH, rules.QUARTER, rules.YEAR):
        raise DomainError("党课频次应为 month、quarter 或 year", field="lecture_freq", rule="R-MEET-LECTURE")
    if not isinstance(warn, int) or not 1 <= warn < rules.ABSENT_CASE_MONTHS:
        raise DomainError("预警月数应在 1 到 5 之间", field="absent_warning_months", rule="R-ABSENT-6M")
    cap = data.get("review_excellent_cap")
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or not 1 <= cap <= 100):
        raise DomainError("优秀比例上限应在 1% 到 100% 之间（留空为不设上限）", field="review_excellent_cap")
    row = MeetingSettings.objects.filter(org=org).first() or MeetingSettings(org=org)
    before = None if row.pk is None else snapshot(row, SETTINGS_AUDITED)
    row.checkin_lead_minutes, row.lecture_freq, row.absent_warning_months = lead, freq, warn
    row.assembly_quorum = bool(data.get("assembly_quorum", True))
    row.review_excellent_cap = cap
    row.updated_by = actor
    row.save()
    audit(actor=actor, verb="meeting.settings", target=org, org=org, before=before,
          after=snapshot(row, SETTINGS_AUDITED))
    checkin_queue.sheets_drop_all()  # the lead time moves the sign-in window of every meeting below
    return row
