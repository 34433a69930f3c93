"""The standard ledgers (台账) of every installed area, as data: title, columns, and how to build rows.

Each ledger builds its rows itself from the owning app's models (read-only), for an org's whole subtree
and a period, with select_related/prefetch so that a page of rows costs a fixed number of queries.
A ledger whose app is not installed is simply absent.
"""
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet

from dangjian.core.idnumber import mask_id_number
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.members.selectors import members_in_subtree
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .rules import Period


@dataclass(frozen=True)
class Ledger:
    key: str
    title: str
    app: str                         # the app whose data it is (members, meetings, …)
    perm: str                        # the area right needed besides reports.export (e.g. "points.view")
    columns: tuple                   # (header, pdf width mm, xlsx width, left-aligned in the PDF)
    queryset: Callable[[Org, Period], QuerySet] | None = None
    row: Callable[[object], list] | None = None
    rows_list: Callable[[Org, Period, object], list] | None = None   # for ledgers built as a list
    count_fn: Callable[[Org, Period], int] | None = None
    uses_period: bool = True
    personal: bool = True            # names people: exports are audited (DESIGN rule 7)
    note: str = ""

    @property
    def headers(self) -> list[str]:
        return ["序号"] + [c[0] for c in self.columns]

    @property
    def pdf_widths(self) -> list[float]:
        return [9] + [c[1] for c in self.columns]

    @property
    def xlsx_widths(self) -> list[int]:
        return [6] + [c[2] for c in self.columns]

    @property
    def pdf_left(self) -> set[int]:
        return {i + 1 for i, c in enumerate(self.columns) if c[3]}

    def count(self, org: Org, period: Period) -> int:
        if self.count_fn is not None:
            return self.count_fn(org, period)
        return self.queryset(org, period).count()

    def rows(self, org: Org, period: Period, actor=None, *, offset: int = 0, limit: int | None = None) -> Iterator[list]:
        """Numbered rows (序号 first), optionally one page of them."""
        if self.rows_list is not None:
            data = self.rows_list(org, period, actor)
            data = data[offset:offset + limit] if limit is not None else data[offset:]
            for n, values in enumerate(data, start=offset + 1):
                yield [n, *values]
            return
        qs = self.queryset(org, period)
        items = qs[offset:offset + limit] if limit is not None else qs[offset:].iterator(chunk_size=2000)
        for n, obj in enumerate(items, start=offset + 1):
            yield [n, *self.row(obj)]


def _label(choices, value) -> str:
    return dict(choices).get(value, value or "")


# --- 党员花名册 (members) --------------------------------------------------------------------------

def _roster_qs(org: Org, period: Period) -> QuerySet:
    return (members_in_subtree(org).filter(stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES)
            .select_related("org", "party_group").order_by("org__path", "name_pinyin", "name", "id"))


def _roster_row(m: Member) -> list:
    work = " ".join(x for x in (m.unit_name, m.occupation) if x)
    return [m.name, m.get_gender_display(), m.ethnicity, m.birth_date, m.get_education_display(),
            m.id_masked or mask_id_number(m.id_number or ""), m.get_stage_display(), m.joined_on, m.full_on,
            m.party_years, m.org.name, m.party_group.name if m.party_group_id else "", work, m.phone]


ROSTER = Ledger(
    "roster", "党员花名册", "members", "members.view",
    (("姓名", 14, 10, False), ("性别", 8, 6, False), ("民族", 13, 8, False), ("出生日期", 20, 12, False),
     ("学历", 16, 10, False), ("身份证号（脱敏）", 33, 21, False), ("人员类别", 14, 10, False),
     ("入党日期", 20, 12, False), ("转正日期", 20, 12, False), ("党龄", 8, 6, False),
     ("所在党组织", 30, 22, True), ("党小组", 16, 10, False), ("工作单位及职务", 35, 26, True),
     ("联系电话", 21, 13, False)),
    queryset=_roster_qs, row=_roster_row, uses_period=False,
    note="在册的正式党员和预备党员（截至今日），身份证号脱敏")


# --- 发展党员工作台账 (recruitment) -----------------------------------------------------------------

KEY_STEPS = ["application", "activist_recommendation", "candidate_designation", "admission_vote",
             "conversion_approval"]


def _recruit_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.recruitment.models import RecruitmentRecord, StepRecord

    steps = StepRecord.objects.filter(step__in=KEY_STEPS, voids__isnull=True, voided_by__isnull=True).order_by("id")
    return (RecruitmentRecord.objects.filter(subtree_q(org.path, field="member__org__path"))
            .select_related("member", "member__org")
            .prefetch_related(Prefetch("steps", queryset=steps, to_attr="key_steps"))
            .order_by("member__org__path", "member__name_pinyin", "id"))


def _recruit_row(r) -> list:
    from dangjian.recruitment.steps import label

    dates = {}
    for s in r.key_steps:
        dates[s.step] = s.date  # the latest record of each step wins
    m = r.member
    return [m.name, m.get_gender_display(), m.birth_date, m.org.name, m.get_stage_display(),
            *[dates.get(code) for code in KEY_STEPS], label(r.next_step) if r.next_step else "",
            r.deadline_on, r.get_state_display()]


RECRUITMENT = Ledger(
    "recruitment", "发展党员工作台账", "recruitment", "recruitment.view",
    (("姓名", 14, 10, False), ("性别", 8, 6, False), ("出生日期", 19, 12, False), ("所在党组织", 32, 22, True),
     ("当前阶段", 19, 12, False), ("申请入党", 19, 12, False), ("确定积极分子", 19, 13, False),
     ("确定发展对象", 19, 13, False), ("支部大会接收", 19, 13, False), ("批准转正", 19, 12, False),
     ("下一步", 46, 20, True), ("最近期限", 19, 12, False), ("状态", 16, 10, False)),
    queryset=_recruit_qs, row=_recruit_row, uses_period=False, note="全部发展党员档案（截至今日）")


# --- 三会一课记录 and 谈心谈话 (meetings) ---------------------------------------------------------

def _meetings_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.meetings.selectors import local_start

    from datetime import timedelta

    return (Meeting.objects.filter(subtree_q(org.path, field="org__path"), state=Meeting.State.HELD,
                                   starts_at__gte=local_start(period.start),
                                   starts_at__lt=local_start(period.end + timedelta(days=1)))
            .select_related("org", "party_group")
            .annotate(n_expected=Count("attendances"),
                      n_present=Count("attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)),
                      n_leave=Count("attendances", filter=Q(attendances__status=Attendance.Status.LEAVE)))
            .order_by("org__path", "starts_at", "id"))


def _meeting_row(m) -> list:
    from django.utils import timezone

    start = timezone.localtime(m.starts_at)
    return [f"{start:%Y.%m.%d %H:%M}", m.org.name, m.get_kind_display() + (f"（{m.party_group.name}）"
                                                                           if m.party_group_id else ""),
            m.title, m.place, m.speaker, m.n_expected, m.n_present, m.n_leave, m.n_expected - m.n_present - m.n_leave,
            m.resolutions or m.minutes]


MEETINGS = Ledger(
    "meetings", "三会一课记录", "meetings", "meetings.view",
    (("时间", 30, 16, False), ("党组织", 29, 22, True), ("类型", 22, 14, False), ("主题", 44, 28, True),
     ("地点", 28, 16, True), ("主讲", 14, 10, False), ("应到", 9, 6, False), ("实到", 9, 6, False),
     ("请假", 9, 6, False), ("缺席", 9, 6, False), ("会议内容及决议", 65, 40, True)),
    queryset=_meetings_qs, row=_meeting_row, personal=False, note="期间内已召开的组织生活")


def _talks_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.meetings.models import HeartTalk

    return (HeartTalk.objects.filter(subtree_q(org.path, field="org__path"),
                                     talked_on__range=(period.start, period.end))
            .select_related("org", "member").order_by("org__path", "talked_on", "id"))


HEART_TALKS = Ledger(
    "heart_talks", "谈心谈话记录", "meetings", "meetings.view",
    (("日期", 19, 12, False), ("党组织", 32, 22, True), ("谈话对象", 14, 10, False), ("谈话人", 14, 10, False),
     ("谈话主题", 40, 28, True), ("谈话内容", 99, 44, True), ("后续事项", 50, 30, True)),
    queryset=_talks_qs, row=lambda t: [t.talked_on, t.org.name, t.member.name, t.talker_name, t.topic, t.content,
                                       t.follow_up])


# --- 积分台账 (points) -------------------------------------------------------------------------------

def _points_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.points.selectors import entries_in_subtree

    return (entries_in_subtree(org).filter(occurred_on__range=(period.start, period.end))
            .select_related("member", "org", "rule_version").order_by("org__path", "occurred_on", "id"))


def _points_row(e) -> list:
    return [e.occurred_on, e.org.name, e.member.name if e.member_id else "（组织）", e.rule_code,
            e.rule_version.name, e.get_category_display(), e.points, e.get_source_display(), e.get_status_display(),
            ("冲正：" + e.reason) if e.reverses_id else e.note]


POINTS = Ledger(
    "points", "积分台账", "points", "points.view",
    (("日期", 19, 12, False), ("党组织", 32, 22, True), ("党员", 14, 10, False), ("编码", 16, 10, False),
     ("积分标准", 44, 30, True), ("类别", 14, 12, False), ("分值", 13, 8, False), ("来源", 14, 10, False),
     ("状态", 12, 8, False), ("事由", 90, 30, True)),
    queryset=_points_qs, row=_points_row, note="期间内发生的全部积分记录（含冲正，按台账原样）")


# --- 志愿服务台账 and 服务时长 (volunteers) -------------------------------------------------------

def _volunteer_rows(org: Org, period: Period, actor) -> list:
    from dangjian.volunteers.selectors import ledger_rows

    return [r[1:] for r in ledger_rows(actor=actor, org=org, year=period.start.year)]  # drop their 序号


def _volunteer_count(org: Org, period: Period) -> int:
    from dangjian.volunteers.models import VolunteerProfile

    return VolunteerProfile.objects.filter(subtree_q(org.path, field="org__path")).count()


VOLUNTEERS = Ledger(
    "volunteers", "志愿服务台账", "volunteers", "volunteers.view",
    (("姓名", 14, 10, False), ("身份", 9, 6, False), ("所属组织", 28, 20, True), ("联系电话", 21, 13, False),
     ("特长", 24, 16, True), ("兴趣", 20, 14, True), ("服务能力", 24, 16, True), ("服务时间", 30, 18, True),
     ("网格", 14, 10, False), ("服务队", 24, 16, True), ("年度时长", 14, 10, False), ("好人好事", 14, 9, False),
     ("登记方式", 16, 12, False), ("状态", 9, 8, False)),
    rows_list=_volunteer_rows, count_fn=_volunteer_count, note="志愿者登记信息，时长和好人好事为期间所在年度")


def _hours_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.volunteers.models import HoursEntry

    return (HoursEntry.objects.filter(subtree_q(org.path, field="org__path"),
                                      served_on__range=(period.start, period.end))
            .select_related("org", "volunteer", "activity").order_by("org__path", "served_on", "id"))


VOLUNTEER_HOURS = Ledger(
    "volunteer_hours", "志愿服务时长记录", "volunteers", "volunteers.view",
    (("服务日期", 19, 12, False), ("党组织", 32, 22, True), ("志愿者", 14, 10, False), ("活动", 80, 36, True),
     ("时长（小时）", 20, 12, False), ("说明", 103, 30, True)),
    queryset=_hours_qs, row=lambda h: [h.served_on, h.org.name, h.volunteer.name, h.activity.title, h.hours,
                                       h.reason])


# --- 民情日记 (visits) and 群众诉求 (petitions) --------------------------------------------------

def _visits_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.visits.selectors import logs_in_subtree

    return (logs_in_subtree(org).filter(visited_on__range=(period.start, period.end))
            .select_related("org", "member", "household").order_by("org__path", "visited_on", "id"))


def _visit_row(v) -> list:
    h = v.household
    return [v.visited_on, v.org.name, v.member.name, h.name if h else "（未入户）", h.address if h else "",
            h.grid if h else "", v.notes, v.needs]


VISITS = Ledger(
    "visits", "民情日记", "visits", "visits.view",
    (("走访日期", 19, 12, False), ("党组织", 30, 20, True), ("走访党员", 14, 10, False), ("走访户", 14, 10, False),
     ("住址", 36, 22, True), ("网格", 14, 10, False), ("民情记录", 85, 50, True), ("群众诉求", 56, 34, True)),
    queryset=_visits_qs, row=_visit_row)


def _petitions_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.petitions.selectors import petitions_in_subtree

    return (petitions_in_subtree(org).filter(received_on__range=(period.start, period.end))
            .select_related("org").order_by("org__path", "received_on", "id"))


def _petition_row(p) -> list:
    from dangjian.petitions import rules as prules

    who = "匿名" if p.anonymous else p.submitter_name
    resolved = "" if p.resolved is None else ("已解决" if p.resolved else "未解决")
    return [p.tracking_code, p.received_on, p.org.name, p.get_channel_display(), p.get_kind_display(),
            _label(prules.CATEGORIES, p.category), p.title, who, p.submitter_phone_masked, p.get_state_display(),
            p.closed_on, resolved, _label(prules.SATISFACTION, p.satisfaction)]


PETITIONS = Ledger(
    "petitions", "群众诉求办理台账", "petitions", "petitions.view",
    (("查询码", 29, 14, False), ("受理日期", 19, 12, False), ("承办组织", 28, 20, True), ("渠道", 14, 10, False),
     ("类别", 13, 8, False), ("分类", 14, 10, False), ("标题", 44, 30, True), ("反映人", 14, 10, False),
     ("电话（脱敏）", 21, 13, False), ("状态", 13, 8, False), ("办结日期", 19, 12, False),
     ("结果", 13, 8, False), ("满意度", 13, 10, False)),
    queryset=_petitions_qs, row=_petition_row, note="反映人电话脱敏")


# --- 党费收缴 (dues) and 慰问记录 (care) -----------------------------------------------------------

def _dues_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.dues.models import DuesPayment, DuesPaymentMonth

    return (DuesPayment.objects.filter(subtree_q(org.path, field="org__path"),
                                       paid_on__range=(period.start, period.end))
            .select_related("org", "member")
            .prefetch_related(Prefetch("months", queryset=DuesPaymentMonth.objects.order_by("month")))
            .order_by("org__path", "paid_on", "id"))


def _months_text(months) -> str:
    labels = [f"{m.month:%Y.%m}" for m in months]
    if len(labels) > 2:
        return f"{labels[0]}–{labels[-1]}（{len(labels)}个月）"
    return "、".join(labels)


def _dues_row(p) -> list:
    return [p.receipt_no, p.paid_on, p.org.name, p.member.name, _months_text(p.months.all()), p.amount, p.voluntary,
            p.get_method_display(), p.get_kind_display(), p.proxy_name, p.reason if p.reverses_id else p.note]


DUES = Ledger(
    "dues", "党费收缴台账", "dues", "dues.view",
    (("收据号", 24, 16, False), ("交纳日期", 19, 12, False), ("党组织", 30, 22, True), ("党员", 14, 10, False),
     ("所交月份", 40, 26, True), ("党费", 15, 10, False), ("自愿多交", 14, 10, False), ("方式", 14, 10, False),
     ("类型", 9, 8, False), ("代交人", 14, 10, False), ("备注", 75, 26, True)),
    queryset=_dues_qs, row=_dues_row, note="期间内的全部交纳记录（冲销为负数）")


def _care_qs(org: Org, period: Period) -> QuerySet:
    from dangjian.care.models import CareVisit

    return (CareVisit.objects.filter(subtree_q(org.path, field="org__path"),
                                     visited_on__range=(period.start, period.end))
            .select_related("org", "member").order_by("org__path", "visited_on", "id"))


CARE = Ledger(
    "care", "走访慰问记录", "care", "care.view",
    (("走访日期", 19, 12, False), ("党组织", 32, 22, True), ("慰问对象", 14, 10, False), ("事由", 14, 12, False),
     ("走访人", 30, 18, True), ("慰问品", 40, 24, True), ("慰问金（元）", 18, 12, False), ("情况记录", 101, 44, True)),
    queryset=_care_qs, row=lambda c: [c.visited_on, c.org.name, c.member.name, c.get_occasion_display(), c.visitors,
                                      c.gifts, c.money, c.note])


ALL = [ROSTER, RECRUITMENT, MEETINGS, HEART_TALKS, POINTS, VOLUNTEERS, VOLUNTEER_HOURS, VISITS, PETITIONS, DUES, CARE]


def available() -> list[Ledger]:
    """The ledgers whose app is installed, in menu order."""
    return [ledger for ledger in ALL if apps.is_installed(f"dangjian.{ledger.app}")]


def get(key: str) -> Ledger | None:
    return next((ledger for ledger in available() if ledger.key == key), None)


def period_label(ledger: Ledger, period: Period) -> str:
    from django.utils import timezone

    return period.display if ledger.uses_period else f"截至{timezone.localdate():%Y年%m月%d日}"
