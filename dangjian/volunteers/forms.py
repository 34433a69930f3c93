"""Forms of the volunteer pages: they only parse; the services validate the rules."""
from django import forms

from .models import Demand, Level, Specialty, UnitMembership
from .rules import WEEKDAYS


class Styled:
    """Tabler classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def org_choices(orgs):
    return [(o.id, "　" * (o.depth - 1) + o.name) for o in orgs]


DT = {"type": "datetime-local"}
TAGS_HELP = "多项用逗号或顿号分隔，如：医疗、法律、理发"


class UnitForm(Styled, forms.Form):
    org_id = forms.TypedChoiceField(label="所属党组织", coerce=int)
    name = forms.CharField(label="名称", max_length=100)
    level = forms.ChoiceField(label="层级", choices=Level.choices)
    parent_id = forms.TypedChoiceField(label="上级单位", coerce=int, required=False, empty_value=None)
    specialty = forms.ChoiceField(label="专业方向（服务队）", choices=[("", "—")] + Specialty.choices, required=False)
    description = forms.CharField(label="简介", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orgs=(), parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = org_choices(orgs)
        self.fields["parent_id"].choices = [("", "（无，作为总站）")] + [
            (u.id, f"{u.name}（{u.get_level_display()} · {u.org.name}）") for u in parents]


class UnitMemberForm(Styled, forms.Form):
    volunteer_id = forms.TypedChoiceField(label="志愿者", coerce=int)
    role = forms.ChoiceField(label="角色", choices=UnitMembership.Role.choices, initial=UnitMembership.Role.MEMBER)

    def __init__(self, *args, volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer_id"].choices = [(v.id, f"{v.name}（{v.org.name}）") for v in volunteers]


class AvailabilityField(forms.CharField):
    """Weekly slots typed as lines “周一 08:00-12:00” or “1 08:00-12:00”."""

    NAMES = {v: k for k, v in WEEKDAYS.items()} | {"周天": 7, "星期日": 7, "星期天": 7} | {
        f"星期{n}": i for i, n in enumerate("一二三四五六", start=1)}

    def to_python(self, value):
        value = super().to_python(value)
        slots = []
        for i, line in enumerate(l.strip() for l in (value or "").replace("；", "\n").replace(";", "\n").splitlines()):
            if not line:
                continue
            parts = line.replace("—", "-").replace("～", "-").replace("~", "-").split()
            if len(parts) != 2 or "-" not in parts[1]:
                raise forms.ValidationError(f"第 {i + 1} 行应写成“周一 08:00-12:00”")
            day = self.NAMES.get(parts[0]) or (int(parts[0]) if parts[0].isdigit() else None)
            if day is None:
                raise forms.ValidationError(f"第 {i + 1} 行的星期无法识别：{parts[0]}")
            start, _, end = parts[1].partition("-")
            slots.append({"weekday": day, "start": start, "end": end})
        return slots


def slots_text(slots) -> str:
    return "\n".join(f"{WEEKDAYS.get(s['weekday'], s['weekday'])} {s['start']}-{s['end']}" for s in slots or [])


class ProfileForm(Styled, forms.Form):
    skills = forms.CharField(label="特长", max_length=400, required=False, help_text=TAGS_HELP)
    interests = forms.CharField(label="兴趣", max_length=400, required=False)
    capacity = forms.CharField(label="服务能力", max_length=200, required=False,
                               help_text="如：可上门服务、会驾驶、每周可服务 4 小时")
    availability = AvailabilityField(label="服务时间", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text="每行一段，如：周六 08:00-12:00")
    grid = forms.CharField(label="网格", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=11, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    max_load = forms.IntegerField(label="同时承接需求上限", min_value=1, max_value=20, initial=2)


class StaffProfileForm(ProfileForm):
    member_id = forms.TypedChoiceField(label="党员", coerce=int, required=False, empty_value=None)
    org_id = forms.TypedChoiceField(label="群众志愿者所属组织", coerce=int, required=False, empty_value=None)
    name = forms.CharField(label="群众志愿者姓名", max_length=50, required=False)
    field_order = ["member_id", "org_id", "name"]

    def __init__(self, *args, members=(), orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [("", "（登记群众志愿者）")] + [(m.id, f"{m.name}（{m.org.name}）")
                                                                     for m in members]
        self.fields["org_id"].choices = [("", "—")] + org_choices(orgs)


class ActivityForm(Styled, forms.Form):
    org_id = forms.TypedChoiceField(label="所属党组织", coerce=int)
    unit_id = forms.TypedChoiceField(label="组织单位", coerce=int, required=False, empty_value=None)
    title = forms.CharField(label="活动名称", max_length=100)
    place = forms.CharField(label="地点", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"))
    headcount = forms.IntegerField(label="招募人数", min_value=1, max_value=1000)
    skills = forms.CharField(label="所需特长", max_length=400, required=False, help_text=TAGS_HELP)
    description = forms.CharField(label="活动内容", max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = org_choices(orgs)
        self.fields["unit_id"].choices = [("", "—")] + [(u.id, f"{u.name}（{u.get_level_display()}）") for u in units]


class HoursForm(forms.Form):
    volunteer_id = forms.IntegerField()
    hours = forms.DecimalField(max_digits=6, decimal_places=2)
    reason = forms.CharField(max_length=200, required=False)


class DeedForm(Styled, forms.Form):
    volunteer_id = forms.TypedChoiceField(label="志愿者", coerce=int)
    unit_id = forms.TypedChoiceField(label="服务队", coerce=int, required=False, empty_value=None)
    done_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label="事迹", max_length=100)
    description = forms.CharField(label="经过", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    witness = forms.CharField(label="证明人", max_length=50)
    witness_phone = forms.CharField(label="证明人电话", max_length=11, required=False)

    def __init__(self, *args, volunteers=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer_id"].choices = [(v.id, f"{v.name}（{v.org.name}）") for v in volunteers]
        self.fields["unit_id"].choices = [("", "—")] + [(u.id, u.name) for u in units]


class PostForm(Styled, forms.Form):
    org_id = forms.TypedChoiceField(label="所属党组织", coerce=int)
    title = forms.CharField(label="岗位名称", max_length=100)
    duty = forms.CharField(label="岗位职责", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label="服务地点", max_length=200, required=False)
    schedule = forms.CharField(label="服务时间", max_length=200, required=False, help_text="如：每周六上午")
    capacity = forms.IntegerField(label="设岗人数", min_value=1, max_value=500, initial=1)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = org_choices(orgs)


class DemandForm(Styled, forms.Form):
    org_id = forms.TypedChoiceField(label="所属党组织", coerce=int)
    title = forms.CharField(label="需求", max_length=100)
    skills = forms.CharField(label="所需特长", max_length=400, required=False, help_text=TAGS_HELP)
    description = forms.CharField(label="详细说明", max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(label="需要时间（起）", widget=forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label="需要时间（止）", widget=forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label="地点", max_length=200, required=False)
    grid = forms.CharField(label="网格", max_length=50, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Demand.Urgency.choices, initial=Demand.Urgency.LOW)
    requester_name = forms.CharField(label="居民姓名", max_length=50, required=False)
    requester_phone = forms.CharField(label="居民电话", max_length=11, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = org_choices(orgs)
