from django import forms

from .choices import ETHNICITY_CHOICES, Degree, Education, Gender, Stage
from .models import Disposal, MobileRecord

DATE = {"widget": forms.DateInput(attrs={"type": "date"}), "required": False}


class MemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18, required=False,
                                help_text="18 位，末位可为 X；填写后自动核对出生日期和性别")
    gender = forms.ChoiceField(label="性别", choices=[("", "—")] + Gender.choices, required=False)
    birth_date = forms.DateField(label="出生日期", **DATE)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial="汉族")
    phone = forms.CharField(label="手机号码", max_length=11, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "—")] + Education.choices, required=False)
    degree = forms.ChoiceField(label="学位", choices=[("", "—")] + Degree.choices, required=False)
    unit_name = forms.CharField(label="工作单位", max_length=100, required=False)
    occupation = forms.CharField(label="工作岗位/职业", max_length=100, required=False)
    address = forms.CharField(label="家庭住址", max_length=200, required=False)
    stage = forms.ChoiceField(label="人员类别", choices=Stage.choices, initial=Stage.FULL)
    applied_on = forms.DateField(label="申请入党日期", **DATE)
    joined_on = forms.DateField(label="入党日期", **DATE)
    full_on = forms.DateField(label="转正日期", **DATE)
    work_started_on = forms.DateField(label="参加工作日期", **DATE)
    party_group_id = forms.TypedChoiceField(label="党小组", coerce=int, required=False, empty_value=None)
    in_hardship = forms.BooleanField(label="困难党员", required=False)
    is_retired = forms.BooleanField(label="离退休", required=False)
    is_cadre = forms.BooleanField(label="领导干部", required=False)
    is_exempt = forms.BooleanField(label="送学上门", required=False, help_text="年老体弱、重病，不参加组织生活提醒")
    notes = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # Editing only: the record's version when the form was shown (a concurrent change is refused, not overwritten).
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group_id"].choices = [("", "—")] + [(g.id, g.name) for g in groups]


class TransferForm(forms.Form):
    to_org_id = forms.IntegerField(label="接收党支部（系统内）", required=False,
                                   widget=forms.Select)
    external_org_name = forms.CharField(label="或：系统外接收组织名称", max_length=200, required=False)
    letter_no = forms.CharField(label="介绍信编号", max_length=50, required=False)
    cross_province = forms.BooleanField(label="跨省转接", required=False, help_text="介绍信有效期 6 个月（省内 3 个月）")
    reason = forms.CharField(label="转接原因", max_length=200, required=False)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org_id"].widget.choices = [("", "—")] + [(b.id, b.name) for b in branches]


class MobileForm(forms.Form):
    direction = forms.ChoiceField(label="方向", choices=MobileRecord.Direction.choices)
    place = forms.CharField(label="流动地点", max_length=200)
    since = forms.DateField(label="流动日期", widget=forms.DateInput(attrs={"type": "date"}))
    contact = forms.CharField(label="联系方式", max_length=100, required=False)
    host_org_name = forms.CharField(label="流入地管理党组织", max_length=200, required=False)
    certificate_no = forms.CharField(label="流动党员活动证编号", max_length=50, required=False)


class DisposalForm(forms.Form):
    kind = forms.ChoiceField(label="处置类型", choices=Disposal.Kind.choices)
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label="决定日期", widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label="改正期限（限期改正时必填，最长一年）", **DATE)


class ChangeRequestForm(forms.Form):
    field = forms.ChoiceField(label="更正项目")
    new_value = forms.CharField(label="正确的信息", max_length=200)
    reason = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = list(fields)
