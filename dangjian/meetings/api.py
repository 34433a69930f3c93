"""JSON API of organizational life (issue 6 contract), thin over services and selectors."""
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import AuthenticationError
from pydantic import Field

from dangjian.accounts import token_cache
from dangjian.accounts.models import hash_token
from dangjian.accounts.scope import home_org, org_get_visible, require
from dangjian.core.api import BearerToken, Detail, Page, Session
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate
from dangjian.members.selectors import member_get

from . import checkin_queue, rules, selectors, services, signin
from .models import Attendance, HeartTalk, LeaveRequest, Meeting

router = Router(tags=["组织生活"])
ERRORS = {400: Detail, 401: Detail, 403: Detail, 404: Detail, 409: Detail}


class MeetingIn(Schema):
    org_id: int
    kind: str
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    place: str = Field("", max_length=200)
    agenda: str = Field("", max_length=5000)
    speaker: str = Field("", max_length=50)
    party_group_id: int | None = None
    venue_id: int | None = None


class MeetingPatch(Schema):
    title: str | None = Field(None, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = Field(None, max_length=200)
    agenda: str | None = Field(None, max_length=5000)
    speaker: str | None = Field(None, max_length=50)
    minutes: str | None = Field(None, max_length=20000)
    resolutions: str | None = Field(None, max_length=5000)
    state: str | None = None
    venue_id: int | None = None  # null clears the venue


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str
    kind: str
    kind_label: str
    party_group_id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    venue_id: int | None = None
    venue_name: str = ""
    speaker: str
    state: str
    expected: int | None = None
    present: int | None = None


class MeetingDetailOut(MeetingOut):
    agenda: str
    minutes: str
    resolutions: str
    summary: dict


class MeetingParams(Schema):
    org_id: int | None = None
    kind: str = ""
    state: str = ""
    year: int | None = Field(None, ge=2000, le=2100)
    month: int | None = Field(None, ge=1, le=12)
    date_from: date | None = None
    date_to: date | None = None
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class AttendanceIn(Schema):
    member_id: int
    status: str


class AttendanceOut(Schema):
    member_id: int
    name: str
    status: str
    method: str
    checked_at: datetime | None
    is_full: bool
    is_exempt: bool


class CheckInIn(Schema):
    token: str = Field(max_length=500)
    member_id: int | None = None


class CheckInOut(AttendanceOut):
    meeting_id: int
    created: bool


class CodeOut(Schema):
    token: str
    url: str
    state: str
    opens_at: datetime
    closes_at: datetime
    expires_in: int


class LeaveIn(Schema):
    reason: str = Field(max_length=200)


class LeaveOut(Schema):
    id: int
    meeting_id: int
    member_id: int
    member_name: str
    reason: str
    state: str
    decision_note: str
    created_at: datetime


class MeetingsDecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class TalkIn(Schema):
    member_id: int
    talker_name: str = Field(max_length=50)
    talked_on: date
    topic: str = Field(max_length=200)
    content: str = Field("", max_length=5000)
    follow_up: str = Field("", max_length=500)
    reply_by: date | None = None


class TalkOut(Schema):
    id: int
    org_id: int
    member_id: int
    member_name: str
    talker_name: str
    talked_on: date
    topic: str
    follow_up: str
    reply_by: date | None


class SettingsIn(Schema):
    checkin_lead_minutes: int = rules.CHECKIN_LEAD_MINUTES
    lecture_freq: str = rules.QUARTER
    assembly_quorum: bool = True
    absent_warning_months: int = rules.ABSENT_WARNING_MONTHS
    review_excellent_cap: int | None = None  # ⚙ RULES §7: share cap on 优秀 in %, null = none


class SettingsOut(SettingsIn):
    org_id: int
    inherited_from: int | None


class NoteIn(Schema):
    note: str = Field("", max_length=500)


def _meeting_out(m: Meeting) -> dict:
    return {"id": m.id, "org_id": m.org_id, "org_name": m.org.name, "kind": m.kind, "kind_label": m.get_kind_display(),
            "party_group_id": m.party_group_id, "title": m.title, "starts_at": m.starts_at, "ends_at": m.ends_at,
            "place": m.place, "venue_id": m.venue_id, "venue_name": m.venue.name if m.venue_id else "",
            "speaker": m.speaker, "state": m.state,
            "expected": getattr(m, "n_expected", None), "present": getattr(m, "n_present", None)}


def _detail_out(m: Meeting) -> dict:
    return {**_meeting_out(m), "agenda": m.agenda, "minutes": m.minutes, "resolutions": m.resolutions,
            "summary": selectors.meeting_summary(m)}


def _att_out(row: Attendance) -> dict:
    return {"member_id": row.member_id, "name": row.member.name, "status": row.status, "method": row.method,
            "checked_at": row.checked_at, "is_full": row.is_full, "is_exempt": row.is_exempt}


def _leave_out(row: LeaveRequest) -> dict:
    return {"id": row.id, "meeting_id": row.meeting_id, "member_id": row.member_id, "member_name": row.member.name,
            "reason": row.reason, "state": row.state, "decision_note": row.decision_note,
            "created_at": row.created_at}


def _talk_out(t: HeartTalk) -> dict:
    return {"id": t.id, "org_id": t.org_id, "member_id": t.member_id, "member_name": t.member.name,
            "talker_name": t.talker_name, "talked_on": t.talked_on, "topic": t.topic, "follow_up": t.follow_up,
            "reply_by": t.reply_by}


# --- Meetings ---

@router.post("/meetings", response={201: MeetingDetailOut, **ERRORS})
def meeting_create(request, payload: MeetingIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    meeting = services.meeting_create(actor=request.user, org=org, data=payload.dict())
    return 201, _detail_out(meeting)


@router.get("/meetings", response={200: Page[MeetingOut], **ERRORS})
def meeting_list(request, params: Query[MeetingParams]):
    """Meetings of an org's subtree (default: the actor's highest org)."""
    org = (org_get_visible(actor=request.user, org_id=params.org_id) if params.org_id is not None
           else home_org(request.user))
    if org is None:
        return {"items": [], "count": 0}
    filters = selectors.MeetingFilters(kind=params.kind, state=params.state, year=params.year, month=params.month,
                                       date_from=params.date_from, date_to=params.date_to, q=params.q)
    result = paginate(selectors.meeting_list(actor=request.user, org=org, filters=filters),
                      page=params.page, page_size=params.page_size)
    return {"items": [_meeting_out(m) for m in result["items"]], "count": result["count"]}


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS})
def meeting_detail(request, meeting_id: int):
    return _detail_out(selectors.meeting_get(actor=request.user, meeting_id=meeting_id))


@router.patch("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS})
def meeting_patch(request, meeting_id: int, payload: MeetingPatch):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    return _detail_out(services.meeting_update(actor=request.user, meeting=meeting,
                                               data=payload.dict(exclude_unset=True)))


@router.get("/meetings/{meeting_id}/attendance", response={200: Page[AttendanceOut], **ERRORS})
def attendance_list(request, meeting_id: int):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.view", meeting.org)
    rows = list(selectors.attendance_sheet(meeting))
    return {"items": [_att_out(r) for r in rows], "count": len(rows)}


@router.post("/meetings/{meeting_id}/attendance", response={200: AttendanceOut, **ERRORS})
def attendance_set(request, meeting_id: int, payload: AttendanceIn):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.edit", meeting.org)
    member = services.attendee_get(meeting, payload.member_id)
    return _att_out(services.attendance_set(actor=request.user, meeting=meeting, member=member,
                                            status=payload.status))


class DeferredBearer(BearerToken):
    """Check-in's bearer auth. With the write-behind queue on, the token is checked by the sign-in script in
    Redis, or by the database when Redis does not know it (`_check_in_fast`), so it is passed on unchecked
    here: every path of `check_in` authenticates it before anything is read or written."""

    def authenticate(self, request, token):
        if checkin_queue.enabled():
            request.deferred_bearer = token
            return token
        return super().authenticate(request, token)


def _check_in_fast(request, meeting_id: int, payload) -> dict | None:
    """The check-in decided on the Redis sheet (checkin_queue), or None for the synchronous path."""
    bearer = getattr(request, "deferred_bearer", None)
    args = {"token": payload.token, "meeting_id": meeting_id, "member_id": payload.member_id}
    if bearer is None:
        got = checkin_queue.accept(user_id=request.user.pk, **args)
    else:
        key_hash = hash_token(bearer)
        got = checkin_queue.accept(bearer_hash=key_hash, **args)
        if got == "token":  # unknown to Redis: the database decides, and Redis remembers it until it expires
            _authenticate(request, bearer)
            token_cache.remember(key_hash=key_hash, user_id=request.user.pk, expires_at=request.api_token.expires_at)
            got = checkin_queue.accept(bearer_hash=key_hash, **args)
    if isinstance(got, checkin_queue.Accepted):
        return got.payload()
    if bearer is not None:  # the synchronous path needs the user from the database
        _authenticate(request, bearer)
    return None


def _authenticate(request, bearer: str) -> None:
    """The deferred bearer checked by the database, once per request; 401 when it is not valid."""
    if getattr(request, "api_token", None) is None and BearerToken().authenticate(request, bearer) is None:
        raise AuthenticationError()


@router.post("/meetings/{meeting_id}/check-in", response={200: CheckInOut, **ERRORS},
             auth=[DeferredBearer(), Session()])
def check_in(request, meeting_id: int, payload: CheckInIn):
    """The logged-in member signs in with the token of the meeting's QR code (idempotent).

    With the write-behind queue on, a bearer client's well-formed check-in is usually answered before this, by
    the fast lane at the same path (meetings/api_fast.py); this handles all the rest."""
    if checkin_queue.enabled():
        fast = _check_in_fast(request, meeting_id, payload)
        if fast is not None:
            return fast
    row, created = services.meeting_check_in(actor=request.user, token=payload.token, meeting_id=meeting_id,
                                             member_id=payload.member_id)
    return {**_att_out(row), "meeting_id": row.meeting_id, "created": created}


@router.get("/meetings/{meeting_id}/checkin-code", response={200: CodeOut, **ERRORS})
def checkin_code(request, meeting_id: int):
    """A fresh sign-in token and the URL its QR code encodes (for the secretary's screen)."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.edit", meeting.org)
    lead = selectors.settings_for(meeting.org).checkin_lead_minutes
    opens, closes = rules.checkin_window(starts_at=meeting.starts_at, ends_at=meeting.ends_at, lead_minutes=lead)
    token = signin.make_token(meeting.id)
    state = rules.checkin_state(now=timezone.now(), starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                                lead_minutes=lead)
    if state == "open":
        checkin_queue.sheet_warm(meeting.id)  # the code is on screen: load the sheet before the first scan
    return {"token": token, "url": request.build_absolute_uri(reverse("meetings:checkin", args=[token])),
            "state": state, "opens_at": opens, "closes_at": closes, "expires_in": signin.TOKEN_MAX_AGE}


# --- Leave requests ---

@router.get("/meetings/{meeting_id}/leave-requests", response={200: Page[LeaveOut], **ERRORS})
def leave_list(request, meeting_id: int):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.view", meeting.org)
    rows = list(selectors.leave_requests_of(meeting))
    return {"items": [_leave_out(r) for r in rows], "count": len(rows)}


@router.post("/meetings/{meeting_id}/leave-requests", response={201: LeaveOut, **ERRORS})
def leave_create(request, meeting_id: int, payload: LeaveIn):
    """The member asks for leave from a meeting they are expected at."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    return 201, _leave_out(services.leave_request_create(actor=request.user, meeting=meeting, reason=payload.reason))


@router.post("/leave-requests/{request_id}/decide", response={200: LeaveOut, **ERRORS})
def leave_decide(request, request_id: int, payload: MeetingsDecideIn):
    leave = selectors.leave_request_get(actor=request.user, request_id=request_id)
    return _leave_out(services.leave_request_decide(actor=request.user, leave=leave, approve=payload.approve,
                                                    note=payload.note))


# --- A member's own ---

@router.get("/my/meetings", response={200: dict, **ERRORS})
def my_meetings(request):
    data = selectors.my_meetings(user=request.user)
    if data is None:
        return {"member_id": None, "upcoming": [], "recent": [], "makeups": []}

    def row(m):
        mine = m.mine[0].status if m.mine else None
        return {**_meeting_out(m), "my_status": mine}
    return {"member_id": data["member"].id, "upcoming": [row(m) for m in data["upcoming"]],
            "recent": [row(m) for m in data["recent"]],
            "makeups": [{"id": k.id, "meeting_id": k.meeting_id, "title": k.meeting.title, "due_on": k.due_on}
                        for k in data["makeups"]]}


@router.post("/makeups/{makeup_id}/complete", response={200: dict, **ERRORS})
def makeup_complete(request, makeup_id: int, payload: NoteIn):
    makeup = selectors.makeup_get(actor=request.user, makeup_id=makeup_id)
    makeup = services.makeup_complete(actor=request.user, makeup=makeup, note=payload.note)
    return {"id": makeup.id, "state": makeup.state, "done_on": makeup.done_on}


# --- Compliance, rates, warnings ---

def _year(year: int | None) -> int:
    return year or timezone.localdate().year


@router.get("/orgs/{org_id}/compliance", response={200: dict, **ERRORS})
def compliance(request, org_id: int, year: int | None = Query(None, ge=2000, le=2100),
               page: int = Query(1, ge=1), page_size: int = Query(200, ge=1, le=200)):
    """Required vs. held per kind for every branch of the subtree (RULES §3)."""
    org = org_get_visible(actor=request.user, org_id=org_id)
    return selectors.compliance(actor=request.user, org=org, year=_year(year), page=page, page_size=page_size)


@router.get("/orgs/{org_id}/attendance-rates", response={200: dict, **ERRORS})
def attendance_rates(request, org_id: int, date_from: date | None = None, date_to: date | None = None):
    org = org_get_visible(actor=request.user, org_id=org_id)
    today = timezone.localdate()
    start, end = date_from or date(today.year, 1, 1), date_to or today
    if end < start:
        raise DomainError("结束日期不能早于开始日期", field="date_to")
    rows = selectors.branch_attendance_rates(actor=request.user, org=org, start=start, end=end)
    return {"date_from": start, "date_to": end, "branches": rows}


@router.get("/orgs/{org_id}/absence-warnings", response={200: dict, **ERRORS})
def absence_warnings(request, org_id: int):
    """R-ABSENT-6M: warnings at 3 months ⚙, cases at 6 months; nothing is changed."""
    org = org_get_visible(actor=request.user, org_id=org_id)
    rows = selectors.absence_warnings(actor=request.user, org=org)
    return {"rule": "R-ABSENT-6M", "items": [{k: v for k, v in r.items() if k != "member"} for r in rows]}


@router.get("/orgs/{org_id}/meeting-settings", response={200: SettingsOut, **ERRORS})
def settings_get(request, org_id: int):
    org = org_get_visible(actor=request.user, org_id=org_id)
    eff = selectors.settings_for(org)
    return {"org_id": org.id, "inherited_from": eff.source_org_id, "checkin_lead_minutes": eff.checkin_lead_minutes,
            "lecture_freq": eff.lecture_freq, "assembly_quorum": eff.assembly_quorum,
            "absent_warning_months": eff.absent_warning_months, "review_excellent_cap": eff.review_excellent_cap}


@router.put("/orgs/{org_id}/meeting-settings", response={200: SettingsOut, **ERRORS})
def settings_put(request, org_id: int, payload: SettingsIn):
    org = org_get_visible(actor=request.user, org_id=org_id)
    row = services.meeting_settings_set(actor=request.user, org=org, data=payload.dict())
    return {"org_id": org.id, "inherited_from": org.id, "checkin_lead_minutes": row.checkin_lead_minutes,
            "lecture_freq": row.lecture_freq, "assembly_quorum": row.assembly_quorum,
            "absent_warning_months": row.absent_warning_months, "review_excellent_cap": row.review_excellent_cap}


# --- 谈心谈话 ---

@router.post("/heart-talks", response={201: TalkOut, **ERRORS})
def talk_create(request, payload: TalkIn):
    member = member_get(actor=request.user, member_id=payload.member_id)
    talk = services.heart_talk_create(actor=request.user, member=member, data=payload.dict())
    return 201, _talk_out(talk)


@router.get("/heart-talks", response={200: Page[TalkOut], **ERRORS})
def talk_list(request, org_id: int, year: int | None = Query(None, ge=2000, le=2100),
              page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    org = org_get_visible(actor=request.user, org_id=org_id)
    result = paginate(selectors.heart_talks(actor=request.user, org=org, year=year), page=page, page_size=page_size)
    return {"items": [_talk_out(t) for t in result["items"]], "count": result["count"]}


from . import api_more  # noqa: E402,F401  (registers 民主评议, 工作提示, 双重组织生活 on this router)
