from django import forms

from . import rules

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
NUMBER = {"class": "form-control", "inputmode": "numeric"}
COUNT = dict(min_value=0, max_value=1_000_000)


class PlanForm(forms.Form):
    title = forms.CharField(label="名称", required=False, max_length=100, widget=forms.TextInput(attrs=INPUT),
                            help_text="留空则为“某组织某年换届选举”")
    planned_on = forms.DateField(label="计划选举日期", required=False, widget=forms.DateInput(attrs=DATE))
    seats = forms.IntegerField(label="应选名额", min_value=1, max_value=rules.OTHER_MAX_SEATS,
                               widget=forms.NumberInput(attrs=NUMBER),
                               help_text="正式党员 7 人以上的党支部设支部委员会（3–5 人，最多 7 人）；不足 7 人只选书记（必要时选副书记）")
    note = forms.CharField(label="说明", required=False, max_length=500, widget=forms.TextInput(attrs=INPUT))


class CandidateForm(forms.Form):
    member_id = forms.TypedChoiceField(label="候选人", coerce=int, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [("", "选择正式党员")] + [(m.id, m.name) for m in members]


class ResultForm(forms.Form):
    held_on = forms.DateField(label="选举日期", widget=forms.DateInput(attrs=DATE))
    entitled = forms.IntegerField(label="应到会有选举权的正式党员", **COUNT, widget=forms.NumberInput(attrs=NUMBER),
                                  help_text="系统按本组织有选举权的正式党员预填；预备党员没有选举权")
    entitled_reason = forms.CharField(label="应到人数与系统统计不同的原因", required=False, max_length=200,
                                      widget=forms.TextInput(attrs=INPUT),
                                      help_text="如经批准不列入应到人数的长期外出、患病党员")
    present = forms.IntegerField(label="实到会有选举权的正式党员", **COUNT, widget=forms.NumberInput(attrs=NUMBER))
    ballots_issued = forms.IntegerField(label="发出选票", **COUNT, widget=forms.NumberInput(attrs=NUMBER))
    ballots_returned = forms.IntegerField(label="收回选票", **COUNT, widget=forms.NumberInput(attrs=NUMBER))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for c in self.candidates:
            self.fields[f"votes_{c.member_id}"] = forms.IntegerField(
                label=f"{c.member.name} 得票", **COUNT, widget=forms.NumberInput(attrs=NUMBER))

    def votes(self) -> dict[int, int]:
        return {c.member_id: self.cleaned_data[f"votes_{c.member_id}"] for c in self.candidates}


class InstallForm(forms.Form):
    took_office_on = forms.DateField(label="就职日期", widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, elected=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.elected = list(elected)
        for i, c in enumerate(self.elected):
            self.fields[f"duty_{c.member_id}"] = forms.ChoiceField(
                label=f"{c.member.name} 分工", choices=rules.DUTIES, initial="secretary" if i == 0 else "member",
                widget=forms.Select(attrs=SELECT))

    def duties(self) -> dict[int, str]:
        return {c.member_id: self.cleaned_data[f"duty_{c.member_id}"] for c in self.elected}


class RecordForm(forms.Form):
    """补录 an existing committee: one select per duty, several plain members."""

    elected_on = forms.DateField(label="选举日期", widget=forms.DateInput(attrs=DATE))
    secretary = forms.TypedChoiceField(label="书记", coerce=int, widget=forms.Select(attrs=SELECT))
    deputy_secretary = forms.TypedChoiceField(label="副书记", coerce=int, required=False, empty_value=None,
                                              widget=forms.Select(attrs=SELECT))
    organizing_member = forms.TypedChoiceField(label="组织委员", coerce=int, required=False, empty_value=None,
                                               widget=forms.Select(attrs=SELECT))
    publicity_member = forms.TypedChoiceField(label="宣传委员", coerce=int, required=False, empty_value=None,
                                              widget=forms.Select(attrs=SELECT))
    discipline_member = forms.TypedChoiceField(label="纪检委员", coerce=int, required=False, empty_value=None,
                                               widget=forms.Select(attrs=SELECT))
    members = forms.TypedMultipleChoiceField(label="其他委员", coerce=int, required=False,
                                             widget=forms.SelectMultiple(attrs={**SELECT, "size": 4}))

    DUTY_FIELDS = ["secretary", "deputy_secretary", "organizing_member", "publicity_member", "discipline_member"]

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.id, m.name) for m in members]
        for name in self.DUTY_FIELDS:
            self.fields[name].choices = [("", "—")] + choices
        self.fields["members"].choices = choices

    def seats(self) -> list[tuple[int, str]]:
        data = self.cleaned_data
        seats = [(data[name], name) for name in self.DUTY_FIELDS if data.get(name)]
        seats += [(mid, "member") for mid in data.get("members") or []]
        return seats


class PostponeForm(forms.Form):
    new_expires_on = forms.DateField(label="延期至", widget=forms.DateInput(attrs=DATE),
                                     help_text="最长不超过任期届满后 1 年")
    approved_on = forms.DateField(label="批准日期", widget=forms.DateInput(attrs=DATE))
    approval_org = forms.CharField(label="批准机关", max_length=100, widget=forms.TextInput(attrs=INPUT))
    approval_doc = forms.CharField(label="批准文号", required=False, max_length=100, widget=forms.TextInput(attrs=INPUT))
    reason = forms.CharField(label="延期原因", max_length=500, widget=forms.Textarea(attrs={**INPUT, "rows": 2}))


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label="批复日期", widget=forms.DateInput(attrs=DATE))
    approval_org = forms.CharField(label="批复机关", max_length=100, widget=forms.TextInput(attrs=INPUT))
    approval_doc = forms.CharField(label="批复文号", required=False, max_length=100, widget=forms.TextInput(attrs=INPUT))


class SettingsForm(forms.Form):
    remind_days = forms.IntegerField(label="换届提醒提前天数", min_value=1, max_value=rules.REMIND_DAYS_MAX,
                                     widget=forms.NumberInput(attrs=NUMBER), help_text="默认 90 天，下级组织沿用")
