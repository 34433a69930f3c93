from django import forms

from .models import Role


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class UserCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="至少 10 位，须包含字母和数字")
    org_id = forms.TypedChoiceField(label="所在组织", coerce=int)
    role = forms.ChoiceField(label="角色", choices=Role.Kind.choices)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, "　" * (o.depth - 1) + o.name) for o in orgs]


class RoleGrantForm(forms.Form):
    org_id = forms.TypedChoiceField(label="组织", coerce=int)
    role = forms.ChoiceField(label="角色", choices=Role.Kind.choices)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, "　" * (o.depth - 1) + o.name) for o in orgs]
