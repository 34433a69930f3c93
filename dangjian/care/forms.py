from django import forms

from . import rules
from .models import Fund, FundLedger, Relief

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
MONEY = {"class": "form-control", "inputmode": "decimal"}


class PlanForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=100, widget=forms.TextInput(attrs=INPUT))
    occasion = forms.ChoiceField(label="慰问事由", choices=list(rules.OCCASIONS.items()), widget=forms.Select(attrs=SELECT))
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs=DATE))
    budget = forms.CharField(label="预算（元）", max_length=20, initial="0", widget=forms.TextInput(attrs=MONEY))
    fund_id = forms.TypedChoiceField(label="资金来源", required=False, coerce=int, empty_value=None,
                                     widget=forms.Select(attrs=SELECT))
    note = forms.CharField(label="说明", required=False, max_length=500, widget=forms.TextInput(attrs=INPUT))

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund_id"].choices = [("", "不使用基金")] + [(f.id, f"{f.name}（余额 {f.balance}）") for f in funds]


class VisitForm(forms.Form):
    member_id = forms.TypedChoiceField(label="慰问对象", coerce=int, widget=forms.Select(attrs=SELECT))
    visited_on = forms.DateField(label="走访日期", widget=forms.DateInput(attrs=DATE))
    visitors = forms.CharField(label="走访人", max_length=100, widget=forms.TextInput(attrs=INPUT))
    gifts = forms.CharField(label="慰问品", required=False, max_length=200, widget=forms.TextInput(attrs=INPUT))
    money = forms.CharField(label="慰问金（元）", max_length=20, initial="0", widget=forms.TextInput(attrs=MONEY))
    approval_ref = forms.CharField(label="审批文号（超过审批额度时）", required=False, max_length=100,
                                   widget=forms.TextInput(attrs=INPUT))
    photo = forms.FileField(label="照片", required=False,
                            widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}))
    note = forms.CharField(label="情况记录", required=False, max_length=500,
                           widget=forms.Textarea(attrs={**INPUT, "rows": 2}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [(m.id, f"{m.name}（{m.org.name}）") for m in members]


class FundForm(forms.Form):
    name = forms.CharField(label="基金名称", max_length=100, widget=forms.TextInput(attrs=INPUT))
    kind = forms.ChoiceField(label="类型", choices=Fund.Kind.choices, widget=forms.Select(attrs=SELECT))
    approval_threshold = forms.CharField(label="单笔审批额度（元）", max_length=20, initial="5000", required=False,
                                         widget=forms.TextInput(attrs=MONEY))


class IncomeForm(forms.Form):
    amount = forms.CharField(label="金额（元）", max_length=20, widget=forms.TextInput(attrs=MONEY))
    category = forms.ChoiceField(label="类别", widget=forms.Select(attrs=SELECT),
                                 choices=[c for c in FundLedger.Category.choices if c[0] in FundLedger.INCOME_CATEGORIES])
    purpose = forms.CharField(label="摘要", max_length=200, widget=forms.TextInput(attrs=INPUT))
    entry_on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs=DATE))


class DisburseForm(forms.Form):
    amount = forms.CharField(label="金额（元）", max_length=20, widget=forms.TextInput(attrs=MONEY))
    category = forms.ChoiceField(label="类别", widget=forms.Select(attrs=SELECT),
                                 choices=[c for c in FundLedger.Category.choices
                                          if c[0] in ("activity", "care_visit", "other")])
    purpose = forms.CharField(label="用途", max_length=200, widget=forms.TextInput(attrs=INPUT))
    approval_ref = forms.CharField(label="审批文号（超过审批额度时）", required=False, max_length=100,
                                   widget=forms.TextInput(attrs=INPUT))
    entry_on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs=DATE))


class ReliefForm(forms.Form):
    member_id = forms.TypedChoiceField(label="救助对象", coerce=int, widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(label="救助类型", choices=Relief.Kind.choices, widget=forms.Select(attrs=SELECT))
    amount = forms.CharField(label="金额（元）", max_length=20, widget=forms.TextInput(attrs=MONEY))
    reason = forms.CharField(label="救助原因", max_length=300, widget=forms.TextInput(attrs=INPUT))
    decided_on = forms.DateField(label="决定日期", required=False, widget=forms.DateInput(attrs=DATE))
    approval_ref = forms.CharField(label="审批文号（超过审批额度时）", required=False, max_length=100,
                                   widget=forms.TextInput(attrs=INPUT))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [(m.id, f"{m.name}（{m.org.name}）") for m in members]


class CareProfileForm(forms.Form):
    is_ill = forms.BooleanField(label="长期患病", required=False)
    laid_off = forms.BooleanField(label="下岗失业", required=False)
    lives_alone = forms.BooleanField(label="独居", required=False)
    note = forms.CharField(label="情况说明", required=False, max_length=300, widget=forms.TextInput(attrs=INPUT))
