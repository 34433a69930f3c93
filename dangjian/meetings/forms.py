from django import forms
from django.utils import timezone

from . import rules
from .models import Meeting


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(attrs={"class": "form-control"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    org_id = forms.TypedChoiceField(label="党支部", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=rules.KIND_CHOICES)
    party_group_id = forms.TypedChoiceField(label="党小组（党小组会必选）", coerce=int, required=False, empty_value=None)
    title = forms.CharField(label="主题", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=DateTimeLocal(), input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label="结束时间", widget=DateTimeLocal(), input_formats=["%Y-%m-%dT%H:%M"])
    place = forms.CharField(label="地点", max_length=200, required=False)
    venue_id = forms.TypedChoiceField(label="阵地（可选）", coerce=int, required=False, empty_value=None,
                                      help_text="本支部或上级组织登记的党员之家、党群服务中心等")
    speaker = forms.CharField(label="授课人（党课）", max_length=50, required=False)
    agenda = forms.CharField(label="议程", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=(), groups=(), venues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, o.name) for o in orgs]
        self.fields["venue_id"].choices = venue_choices(venues)
        self.fields["party_group_id"].choices = [("", "—")] + [(g.id, f"{g.org.name}·{g.name}") for g in groups]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)


def venue_choices(venues) -> list:
    return [("", "—")] + [(v.id, f"{v.name}（{v.org.name}）") for v in venues]


class MeetingEditForm(forms.Form):
    title = forms.CharField(label="主题", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=DateTimeLocal(), input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label="结束时间", widget=DateTimeLocal(), input_formats=["%Y-%m-%dT%H:%M"])
    place = forms.CharField(label="地点", max_length=200, required=False)
    venue_id = forms.TypedChoiceField(label="阵地（可选）", coerce=int, required=False, empty_value=None)
    speaker = forms.CharField(label="授课人（党课）", max_length=50, required=False)
    agenda = forms.CharField(label="议程", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label="会议记录", max_length=20000, required=False,
                              widget=forms.Textarea(attrs={"rows": 8}))
    resolutions = forms.CharField(label="决议事项", max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    state = forms.ChoiceField(label="状态", choices=Meeting.State.choices,
                              help_text="登记为“已召开”须填写会议记录；缺席和请假的党员将自动生成补学任务")

    def __init__(self, *args, meeting=None, venues=(), **kwargs):
        if meeting is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": meeting.title, "place": meeting.place, "venue_id": meeting.venue_id, "speaker": meeting.speaker, "agenda": meeting.agenda,
                "minutes": meeting.minutes, "resolutions": meeting.resolutions, "state": meeting.state,
                "starts_at": timezone.localtime(meeting.starts_at), "ends_at": timezone.localtime(meeting.ends_at)}
        super().__init__(*args, **kwargs)
        self.fields["venue_id"].choices = venue_choices(venues)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)


class HeartTalkForm(forms.Form):
    member_id = forms.TypedChoiceField(label="谈话对象", coerce=int)
    talker_name = forms.CharField(label="谈话人", max_length=50)
    talked_on = forms.DateField(label="谈话日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    topic = forms.CharField(label="谈话主题", max_length=200)
    content = forms.CharField(label="谈话内容", max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label="后续事项", max_length=500, required=False)
    reply_by = forms.DateField(label="答复期限", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [(m.id, f"{m.name}（{m.org.name}）") for m in members]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)


class SettingsForm(forms.Form):
    checkin_lead_minutes = forms.IntegerField(label="提前开放签到（分钟）", min_value=0, max_value=rules.CHECKIN_LEAD_MAX)
    lecture_freq = forms.ChoiceField(label="党课频次（R-MEET-LECTURE ⚙）",
                                     choices=[(rules.MONTH, "每月"), (rules.QUARTER, "每季度"), (rules.YEAR, "每年")])
    assembly_quorum = forms.BooleanField(label="党员大会计入合规", required=False,
                                         help_text="须过半数正式党员到会方计入（R-MEET-QUORUM）")
    absent_warning_months = forms.IntegerField(label="未参加组织生活预警（月，R-ABSENT-6M ⚙）", min_value=1,
                                               max_value=rules.ABSENT_CASE_MONTHS - 1)
    review_excellent_cap = forms.IntegerField(label="民主评议优秀比例上限（%，留空为不设上限）", min_value=1,
                                              max_value=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "assembly_quorum":
                css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                field.widget.attrs.setdefault("class", css)


class AttachmentForm(forms.Form):
    """A meeting's photo or document; what the file really is, is checked by services.attachment_add."""

    file = forms.FileField(label="附件", error_messages={"required": "请选择要上传的文件",
                                                         "empty": "文件是空的", "invalid": "请选择要上传的文件"})
