from django import forms

from dangjian.orgs.models import Org, Unit


def community_choices():
    """Orgs that take residents' needs: committees and branches of villages and communities."""
    qs = Org.objects.filter(is_active=True, unit__kind__in=[Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE]).order_by("path")
    return [(o.id, o.name) for o in qs[:300]]


class NeedForm(forms.Form):
    org_id = forms.TypedChoiceField(label="所在社区/村", coerce=int)
    title = forms.CharField(label="需要什么帮助", max_length=100)
    description = forms.CharField(label="详细说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    skills = forms.CharField(label="需要的特长（可不填，多个用逗号分隔）", max_length=200, required=False)
    place = forms.CharField(label="地点", max_length=200, required=False)
    starts_at = forms.DateTimeField(label="希望从何时开始", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label="到何时结束", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    requester_name = forms.CharField(label="您的姓名", max_length=50)
    requester_phone = forms.CharField(label="手机号码", max_length=11)
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot: people leave it empty

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = community_choices()
