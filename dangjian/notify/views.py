from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of

from . import services
from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["phone", "use_sms", "email", "use_email", "quiet_from", "quiet_to"]
        widgets = {"quiet_from": forms.TimeInput(attrs={"type": "time"}), "quiet_to": forms.TimeInput(attrs={"type": "time"})}


@login_required
def inbox(request):
    unread = request.GET.get("unread") == "1"
    page = page_of(services.inbox(actor=request.user, unread_only=unread), request)
    return render(request, "notify/inbox.html", {"page": page, "unread": unread, "query": f"unread={int(unread)}"})


@login_required
@require_POST
def read(request, notification_id: int):
    services.notification_mark_read(actor=request.user, notification_id=notification_id)
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("notify:inbox")


@login_required
@require_POST
def read_all(request):
    n = services.notification_mark_read(actor=request.user, all_=True)
    messages.success(request, f"已将 {n} 条消息标为已读")
    return redirect("notify:inbox")


@login_required
def preferences(request):
    pref, _ = Preference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_update(actor=request.user, **{k: form.cleaned_data[k] for k in PreferenceForm.Meta.fields})
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存提醒设置")
            return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})
