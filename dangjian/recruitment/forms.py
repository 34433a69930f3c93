"""Forms of the 发展党员 pages: a new applicant, and one form per step built from its data (steps.py)."""
from django import forms

from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender, Stage, Status
from dangjian.members.models import Member
from dangjian.orgs.models import PartyGroup

from .dossier import PAPER_CHOICES
from .services import approver_candidates
from .steps import Step

DATE = {"type": "date"}
BOOL_REQUIRED = [("true", "是"), ("false", "否")]
BOOL_OPTIONAL = [("", "由系统计算")] + BOOL_REQUIRED


class ApplicantForm(forms.Form):
    org_id = forms.TypedChoiceField(label="所在党支部", coerce=int)
    applied_on = forms.DateField(label="递交入党申请书日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=[("", "—")] + Gender.choices, required=False)
    birth_date = forms.DateField(label="出生日期", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                                 help_text="填写身份证号时可不填")
    id_number = forms.CharField(label="公民身份号码", max_length=30, required=False)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial="汉族")
    phone = forms.CharField(label="手机号码", max_length=11, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "—")] + Education.choices, required=False)
    unit_name = forms.CharField(label="工作单位", max_length=100, required=False)
    occupation = forms.CharField(label="工作岗位/职业", max_length=100, required=False)
    leaving_on = forms.DateField(label="预计离开工作单位日期", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                                 help_text="三个月内将离开工作单位的，一般不办理接收（R-LEAVING）")

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, o.name) for o in branches]

    def member_data(self) -> dict:
        d = self.cleaned_data
        keys = ["name", "gender", "birth_date", "id_number", "ethnicity", "phone", "education", "unit_name",
                "occupation"]
        return {k: d[k] for k in keys if d.get(k) not in (None, "")}


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)


class LeavingForm(forms.Form):
    leaving_on = forms.DateField(label="预计离开工作单位日期", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


def _voters(member: Member):
    return (Member.objects.filter(org_id=member.org_id, stage=Stage.FULL, status=Status.NORMAL)
            .exclude(pk=member.pk).order_by("name").only("id", "name")[:300])


class StepForm(forms.Form):
    """The date, a late reason, and the step's own data (field names are the API's data keys)."""

    date = forms.DateField(label="日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    late_reason = forms.CharField(label="逾期原因", max_length=200, required=False,
                                  help_text="超过期限记录时必填，记录将标注为逾期")

    def __init__(self, *args, step: Step, member: Member, **kwargs):
        kwargs.setdefault("prefix", step.code)
        super().__init__(*args, **kwargs)
        self.step = step
        people = None
        for spec in step.fields:
            if spec.kind in ("member", "members") and people is None:
                people = [(m.id, m.name) for m in _voters(member)]
            self.fields[spec.name] = self._field(spec, member, people)

    def _field(self, spec, member, people):
        common = {"label": spec.label, "required": spec.required, "help_text": spec.help}
        kind = spec.kind
        if kind == "longtext":
            return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
        if kind == "text":
            return forms.CharField(max_length=200, **common)
        if kind == "int":
            return forms.IntegerField(min_value=0, max_value=100000, **common)
        if kind == "number":
            return forms.DecimalField(min_value=0, max_value=100000, decimal_places=1, **common)
        if kind == "date":
            return forms.DateField(widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"), **common)
        if kind == "bool":
            choices = BOOL_REQUIRED if spec.required else BOOL_OPTIONAL
            return forms.ChoiceField(choices=choices, widget=(forms.RadioSelect(attrs={"class": "form-check-input"}) if spec.required
                                             else forms.Select),
                                     **common)
        if kind == "choice":
            return forms.ChoiceField(choices=list(spec.choices), **common)
        if kind == "member":
            return forms.TypedChoiceField(choices=[("", "—")] + people, coerce=int, empty_value=None, **common)
        if kind == "members":
            return forms.TypedMultipleChoiceField(choices=people, coerce=int, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                                                  **common)
        if kind == "group":
            groups = [(g.id, g.name) for g in PartyGroup.objects.filter(org_id=member.org_id).order_by("name")]
            return forms.TypedChoiceField(choices=[("", "—")] + groups, coerce=int, empty_value=None, **common)
        if kind == "org":
            orgs = [(o.id, o.name) for o in approver_candidates(member.org)]
            return forms.TypedChoiceField(choices=[("", "默认：最近的有审批权党委")] + orgs, coerce=int,
                                          empty_value=None, **common)
        raise ValueError(kind)

    def payload(self) -> dict:
        """The step's data as the service takes it (empty items left out)."""
        out = {}
        for spec in self.step.fields:
            value = self.cleaned_data.get(spec.name)
            if value in (None, "", []):
                continue
            out[spec.name] = value
        return out


class DocumentForm(forms.Form):
    """Register a paper of the 入党材料档案 as received."""

    kind = forms.ChoiceField(label="材料", choices=PAPER_CHOICES)
    received_on = forms.DateField(label="收到日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    copies = forms.IntegerField(label="份数", min_value=1, max_value=99, initial=1)
    note = forms.CharField(label="备注", max_length=200, required=False)


class PlanForm(forms.Form):
    """发展党员计划: the quota of one org below the committee for one year (R-PLAN)."""

    org_id = forms.TypedChoiceField(label="党组织", coerce=int)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quota = forms.IntegerField(label="计划发展人数", min_value=0, max_value=10000)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, ("　" * o.rel_depth) + o.name) for o in orgs]
