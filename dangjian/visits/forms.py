"""Forms of the 民情走访 pages (the services do the real validation; these only parse)."""
from django import forms
from django.utils import timezone

from . import rules

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdForm(forms.Form):
    name = forms.CharField(label="户主姓名", max_length=50)
    address = forms.CharField(label="住址", max_length=200)
    grid = forms.CharField(label="网格", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    size = forms.IntegerField(label="家庭人口", min_value=1, max_value=30, initial=1)
    tags = forms.MultipleChoiceField(label="标签", choices=rules.HOUSEHOLD_TAGS, required=False,
                                     widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    circumstances = forms.CharField(label="家庭情况", max_length=1000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    residents = forms.CharField(label="家庭成员", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="每行一人：姓名 关系（户主/配偶/子女/父母/孙辈/其他） 出生年份，如“王芳 配偶 1962”")

    def clean_residents(self):
        labels = {label: code for code, label in rules.RELATIONS}
        rows = []
        for i, line in enumerate(self.cleaned_data["residents"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            row = {"name": parts[0], "relation": "other"}
            for part in parts[1:]:
                if part in labels:
                    row["relation"] = labels[part]
                elif part.isdigit():
                    row["birth_year"] = int(part)
                else:
                    raise forms.ValidationError(f"第 {i} 行无法识别：{part}")
            rows.append(row)
        return rows


class PairingForm(forms.Form):
    member_id = forms.TypedChoiceField(label="党员", coerce=int)
    household_id = forms.TypedChoiceField(label="帮扶户", coerce=int)
    started_on = forms.DateField(label="结对日期", widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label="帮扶措施", max_length=500, required=False)

    def __init__(self, *args, members=(), households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [(m.id, f"{m.name}（{m.org.name}）") for m in members]
        self.fields["household_id"].choices = [(h.id, f"{h.name} · {h.address}") for h in households]


class HelpForm(forms.Form):
    given_on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    kind = forms.ChoiceField(label="类别", choices=rules.HELP_KINDS)
    amount = forms.DecimalField(label="折合金额（元）", min_value=0, max_digits=12, decimal_places=2, initial=0)
    description = forms.CharField(label="内容", max_length=500)


class PlanForm(forms.Form):
    member_id = forms.TypedChoiceField(label="党员", coerce=int)
    month = forms.RegexField(label="月份", regex=r"^\d{4}-\d{2}$", widget=forms.TextInput(attrs={"type": "month"}))
    household_ids = forms.TypedMultipleChoiceField(label="走访户", coerce=int, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, members=(), households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [(m.id, f"{m.name}（{m.org.name}）") for m in members]
        self.fields["household_ids"].choices = [(h.id, f"{h.name} · {h.address}") for h in households]


class LogForm(forms.Form):
    member_id = forms.TypedChoiceField(label="走访党员", coerce=int)
    household_id = forms.TypedChoiceField(label="走访户", coerce=int, required=False, empty_value=None,
                                          help_text="不选则为不入户的民情日记")
    visited_on = forms.DateField(label="走访日期", widget=DATE, initial=timezone.localdate)
    notes = forms.CharField(label="民情记录（听到了什么）", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    needs = forms.CharField(label="群众诉求", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    create_petition = forms.BooleanField(label="转为诉求", required=False, help_text="把群众诉求登记为待办诉求（首问负责）")
    create_need = forms.BooleanField(label="转为志愿服务需求", required=False, help_text="发布到志愿服务需求看板，匹配党员志愿者")
    reason = forms.CharField(label="跨区域走访说明", max_length=200, required=False,
                             help_text="走访不在本人走访区域内的户时填写")

    def __init__(self, *args, members=(), households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [(m.id, m.name) for m in members]
        self.fields["household_id"].choices = [("", "（不入户）")] + [(h.id, f"{h.name} · {h.address}")
                                                                     for h in households]


class MeetingForm(forms.Form):
    held_on = forms.DateField(label="召开日期", widget=DATE, initial=timezone.localdate)
    topic = forms.CharField(label="议题", max_length=100, initial="本周民情分析")
    attendees = forms.CharField(label="参会人员", max_length=500, required=False)
    summary = forms.CharField(label="分析情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label="工作部署", max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    log_ids = forms.TypedMultipleChoiceField(label="研究的民情日记", coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def __init__(self, *args, logs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["log_ids"].choices = [
            (x.id, f"{x.visited_on:%m-%d} {x.member.name} · {x.household.name if x.household_id else '日记'}"
                   f"{' · ' + x.needs[:20] if x.needs else ''}") for x in logs]


class SpotCheckForm(forms.Form):
    month = forms.RegexField(label="月份", regex=r"^\d{4}-\d{2}$", widget=forms.TextInput(attrs={"type": "month"}))
    sample_size = forms.IntegerField(label="抽查篇数", min_value=1, max_value=rules.SPOT_CHECK_MAX_SIZE)
    seed = forms.IntegerField(label="随机种子", required=False, min_value=0, max_value=rules.SEED_MAX,
                              help_text="留空则随机生成并记录；填写同一种子可复现同一抽样")
    note = forms.CharField(label="说明", max_length=200, required=False)
