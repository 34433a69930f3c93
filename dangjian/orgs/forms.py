from django import forms

from .models import Org, Unit


class OrgCreateForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=Org.Kind.choices)
    unit_name = forms.CharField(label="所在单位", max_length=100, required=False)
    unit_kind = forms.ChoiceField(label="单位类型", choices=Unit.Kind.choices, required=False)
    founded_on = forms.DateField(label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secretary = forms.CharField(label="书记", max_length=50, required=False)
    is_region = forms.BooleanField(label="县级区域", required=False, help_text="县（区）级组织，作为下级数据的分区键")

    def __init__(self, *args, parent: Org, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = parent.allowed_child_kinds()
        self.fields["kind"].choices = [(k, Org.Kind(k).label) for k in allowed]


class OrgEditForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    founded_on = forms.DateField(label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secretary = forms.CharField(label="书记", max_length=50, required=False)


class OrgMoveForm(forms.Form):
    parent_id = forms.TypedChoiceField(label="移到（新的上级组织）", coerce=int)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = [(o.id, "　" * (o.depth - 1) + o.name) for o in targets]


class PartyGroupForm(forms.Form):
    name = forms.CharField(label="党小组名称", max_length=100)
    leader = forms.CharField(label="党小组长", max_length=50, required=False)
