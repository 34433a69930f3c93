"""Forms of the 诉求 and 调解 pages (parsing only; the services validate the rules)."""
from django import forms
from django.utils import timezone

from . import rules
from .models import Mediation, Petition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PetitionForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=Petition.Kind.choices)
    channel = forms.ChoiceField(label="反映渠道", choices=Petition.Channel.choices)
    category = forms.ChoiceField(label="事项分类", choices=rules.CATEGORIES, initial="other")
    title = forms.CharField(label="标题", max_length=rules.TITLE_MAX)
    content = forms.CharField(label="内容", max_length=rules.CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    submitter_name = forms.CharField(label="反映人", max_length=50, required=False)
    submitter_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    anonymous = forms.BooleanField(label="匿名", required=False, help_text="匿名反映，不记录姓名和电话")
    received_on = forms.DateField(label="受理日期", widget=DATE, initial=timezone.localdate)


class PublicPetitionForm(forms.Form):
    """The residents' form: no login, no CAPTCHA; `website` is a honeypot hidden from people."""

    org_id = forms.TypedChoiceField(label="反映到", coerce=int)
    kind = forms.ChoiceField(label="类别", choices=Petition.Kind.choices, initial="demand")
    category = forms.ChoiceField(label="事项分类", choices=rules.CATEGORIES, initial="other")
    title = forms.CharField(label="标题", max_length=rules.TITLE_MAX)
    content = forms.CharField(label="内容", max_length=rules.CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    name = forms.CharField(label="您的姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False, help_text="便于工作人员第一时间与您沟通")
    anonymous = forms.BooleanField(label="匿名", required=False, help_text="匿名反映（不留姓名和电话，只能凭查询码查看进度）")
    allow_public = forms.BooleanField(label="公开答复", required=False, help_text="同意在网上公开答复（不含个人信息）")
    website = forms.CharField(label="网站", required=False, max_length=200)

    def __init__(self, *args, queues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, o.name + ("（领导信箱）" if o.depth == 1 else "")) for o in queues]


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(s, rules.STEP_LABELS[s]) for s in rules.STEPS])
    done_on = forms.DateField(label="办理日期", widget=DATE, required=False)
    note = forms.CharField(label="情况说明", max_length=rules.NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    resolved = forms.ChoiceField(label="办理结果", choices=[("1", "已解决"), ("0", "未解决（已解释说明）")],
                                 required=False)
    satisfaction = forms.ChoiceField(label="群众满意度", choices=[("", "—")] + rules.SATISFACTION, required=False)
    public_reply = forms.CharField(label="公开答复", max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class MediationForm(forms.Form):
    title = forms.CharField(label="纠纷事由", max_length=100)
    category = forms.ChoiceField(label="纠纷类别", choices=rules.CATEGORIES, initial="neighbour")
    occurred_on = forms.DateField(label="调解日期", widget=DATE, initial=timezone.localdate)
    parties = forms.CharField(label="当事人", max_length=500, required=False, help_text="各方当事人姓名，用顿号分隔")
    parties_count = forms.IntegerField(label="当事方数", min_value=2, max_value=1000, initial=2)
    people_involved = forms.IntegerField(label="涉及人数", min_value=1, max_value=100000, initial=2)
    amount = forms.DecimalField(label="涉及金额（元）", min_value=0, max_digits=14, decimal_places=2, initial=0)
    outcome = forms.ChoiceField(label="调解结果", choices=Mediation.Outcome.choices)
    agreement = forms.CharField(label="协议内容", max_length=4000, required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    mediator = forms.CharField(label="调解人", max_length=100, required=False)
