from django import forms

from dangjian.orgs.models import Org, Unit

from . import rules
from .models import ModelReview

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
NUMBER = {"class": "form-control", "inputmode": "decimal"}


class ChecklistForm(forms.Form):
    name = forms.CharField(label="清单名称", max_length=100, initial=rules.BAYOU_NAME, widget=forms.TextInput(attrs=INPUT))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=INPUT))
    target_kinds = forms.MultipleChoiceField(label="适用组织类型", initial=[Org.Kind.BRANCH],
                                             choices=[(Org.Kind.BRANCH, "党支部"), (Org.Kind.GENERAL_BRANCH, "党总支")],
                                             widget=forms.SelectMultiple(attrs={**SELECT, "size": 2}))
    unit_kinds = forms.MultipleChoiceField(label="适用单位类型（不选为全部）", required=False, choices=Unit.Kind.choices,
                                           widget=forms.SelectMultiple(attrs={**SELECT, "size": 4}))
    items_text = forms.CharField(label="检查项目（每行：代码 名称 标准）", initial=rules.default_items_text,
                                 widget=forms.Textarea(attrs={**INPUT, "rows": 9}), max_length=6000)
    note = forms.CharField(label="说明", required=False, max_length=500, widget=forms.TextInput(attrs=INPUT))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=rules.EVIDENCE_KINDS, widget=forms.Select(attrs=SELECT))
    file = forms.FileField(label="文件", required=False,
                           widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                  "accept": ".jpg,.jpeg,.png,.pdf,.doc,.docx,.xls,.xlsx"}),
                           help_text="照片：JPG/PNG ≤ 5 MB；文件：PDF、Word、Excel 或图片 ≤ 10 MB")
    figure_value = forms.DecimalField(label="数值（数据类）", required=False, max_digits=14, decimal_places=2,
                                      widget=forms.NumberInput(attrs=NUMBER))
    figure_unit = forms.CharField(label="单位", required=False, max_length=10, widget=forms.TextInput(attrs=INPUT),
                                  help_text="如：元、平方米、次")
    caption = forms.CharField(label="说明", required=False, max_length=200, widget=forms.TextInput(attrs=INPUT))


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label="检查结论", choices=[(rules.MET, "达标"), (rules.NOT_MET, "未达标")],
                                widget=forms.Select(attrs=SELECT))
    note = forms.CharField(label="检查意见", required=False, max_length=500,
                           widget=forms.Textarea(attrs={**INPUT, "rows": 2}))


class VenueForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=rules.VENUE_KINDS, widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label="名称", max_length=100, widget=forms.TextInput(attrs=INPUT))
    address = forms.CharField(label="地址", max_length=200, widget=forms.TextInput(attrs=INPUT))
    area = forms.DecimalField(label="面积（平方米）", required=False, max_digits=9, decimal_places=1,
                              widget=forms.NumberInput(attrs=NUMBER))
    facilities = forms.CharField(label="设施", required=False, max_length=500,
                                 widget=forms.Textarea(attrs={**INPUT, "rows": 2}))
    opening_hours = forms.CharField(label="开放时间", required=False, max_length=200, widget=forms.TextInput(attrs=INPUT),
                                    help_text="如：周一至周五 8:30–17:30，周六上午")
    is_public = forms.BooleanField(label="公开", required=False, initial=True, help_text="在无需登录的阵地地图页面展示")


class PhotoForm(forms.Form):
    file = forms.FileField(label="照片", widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                            "accept": ".jpg,.jpeg,.png"}),
                           help_text="JPG 或 PNG，不超过 5 MB")
    caption = forms.CharField(label="说明", required=False, max_length=100, widget=forms.TextInput(attrs=INPUT))


class DesignationForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=rules.MODEL_KINDS, widget=forms.Select(attrs=SELECT))
    title = forms.CharField(label="名称", max_length=100, widget=forms.TextInput(attrs=INPUT),
                            help_text="如：诚信经营示范岗、过硬示范支部")
    member_id = forms.TypedChoiceField(label="党员（示范岗）", required=False, coerce=int, empty_value=None,
                                       widget=forms.Select(attrs=SELECT))
    public_name = forms.CharField(label="公开展示的姓名", required=False, max_length=100,
                                  widget=forms.TextInput(attrs=INPUT), help_text="留空则展示党员姓名；不展示其他个人信息")
    criteria = forms.CharField(label="评定标准", max_length=500, initial=rules.DEFAULT_CRITERIA[rules.POST],
                               widget=forms.Textarea(attrs={**INPUT, "rows": 2}))
    story = forms.CharField(label="事迹简介（公开）", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={**INPUT, "rows": 3}))
    starts_on = forms.DateField(label="命名起始", widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label="命名截止", widget=forms.DateInput(attrs=DATE), help_text="最长 3 年，期满复评")
    is_public = forms.BooleanField(label="公开", required=False, initial=True, help_text="命名后在公开页面展示")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [("", "—")] + [(m.id, m.name) for m in members]


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="结论", choices=ModelReview.Outcome.choices, widget=forms.Select(attrs=SELECT))
    reviewed_on = forms.DateField(label="审核日期", widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label="意见", required=False, max_length=500, widget=forms.TextInput(attrs=INPUT))


class SizeSettingsForm(forms.Form):
    committee_min_members = forms.IntegerField(label="党员人数（默认 100）", widget=forms.NumberInput(attrs=INPUT))
