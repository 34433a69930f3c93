from django import forms

from . import rules
from .models import DuesPayment

INPUT = {"class": "form-control"}


class BaseForm(forms.Form):
    category = forms.ChoiceField(label="党费类别", choices=rules.CATEGORY_CHOICES,
                                 widget=forms.Select(attrs={"class": "form-select"}))
    income = forms.CharField(label="月收入（计费基数，元）", required=False, max_length=20,
                             help_text="在职：税后工资性收入；离退休：基本养老金。固定标准类别不填",
                             widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}))
    effective_from = forms.CharField(label="起始月份", max_length=7,
                                     widget=forms.TextInput(attrs={**INPUT, "type": "month"}))
    reason = forms.CharField(label="调整原因", required=False, max_length=200,
                             help_text="年中调整须填写（如收入变化）", widget=forms.TextInput(attrs=INPUT))


class PaymentForm(forms.Form):
    months = forms.MultipleChoiceField(label="交纳月份", choices=[], widget=forms.CheckboxSelectMultiple)
    amount = forms.CharField(label="党费金额（元）", max_length=20,
                             widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal", "id": "pay-amount"}))
    voluntary = forms.CharField(label="自愿多交（元）", required=False, max_length=20,
                                widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}))
    method = forms.ChoiceField(label="交纳方式", choices=DuesPayment.Method.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))
    reference = forms.CharField(label="交易号", required=False, max_length=64, widget=forms.TextInput(attrs=INPUT))
    proxy_name = forms.CharField(label="代交人", required=False, max_length=50,
                                 help_text="经支部同意由他人代交时填写", widget=forms.TextInput(attrs=INPUT))
    paid_on = forms.DateField(label="交纳日期", required=False,
                              widget=forms.DateInput(attrs={**INPUT, "type": "date"}))

    def __init__(self, *args, month_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = list(month_choices)


class ExemptionForm(forms.Form):
    from_month = forms.CharField(label="起始月份", max_length=7, widget=forms.TextInput(attrs={**INPUT, "type": "month"}))
    to_month = forms.CharField(label="截止月份", max_length=7, widget=forms.TextInput(attrs={**INPUT, "type": "month"}))
    monthly_amount = forms.CharField(label="减免后月交纳额（元，免交填 0）", max_length=20, initial="0",
                                     widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}))
    reason = forms.CharField(label="申请理由", max_length=300, widget=forms.TextInput(attrs=INPUT))
    branch_decided_on = forms.DateField(label="支部研究日期", widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    approved_on = forms.DateField(label="上级党委批准日期", widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    approval_ref = forms.CharField(label="批准文号/意见", max_length=100, widget=forms.TextInput(attrs=INPUT))


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲销原因", max_length=200, widget=forms.TextInput(attrs=INPUT))


class PublicationForm(forms.Form):
    handed_up = forms.CharField(label="上缴上级党委（元）", max_length=20, initial="0",
                                widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}))
    used = forms.CharField(label="下拨使用（元）", max_length=20, initial="0",
                           widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}))
    use_note = forms.CharField(label="使用情况说明", required=False, max_length=500,
                               widget=forms.Textarea(attrs={**INPUT, "rows": 3}))


class CaseContactForm(forms.Form):
    kind = forms.ChoiceField(label="方式", choices=[("talk", "谈话"), ("reminder", "书面/电话提醒")],
                             widget=forms.Select(attrs={"class": "form-select"}))
    contacted_on = forms.DateField(label="日期",
                                   widget=forms.DateInput(format="%Y-%m-%d", attrs={**INPUT, "type": "date"}))
    summary = forms.CharField(label="情况记录", max_length=500, widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
                              help_text="了解的原因、本人态度、约定补交时间等")
    good_reason = forms.BooleanField(label="经了解有正当理由（如长期住院、失去收入且已申请减免），不再按第三十八条处理",
                                     required=False)


class CaseDisposeForm(forms.Form):
    decided_on = forms.DateField(label="支部大会决定日期",
                                 widget=forms.DateInput(format="%Y-%m-%d", attrs={**INPUT, "type": "date"}))
    reason = forms.CharField(label="处置意见", max_length=300, widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
                             help_text="支部大会讨论情况和表决结果；除名须报上级党组织批准")
