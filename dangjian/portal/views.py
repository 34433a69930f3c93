from django.apps import apps
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from .modules import tiles_for


def home(request):
    """The mobile hub: open to residents (public tiles) and members (everything they may use)."""
    member = None
    if request.user.is_authenticated:
        from dangjian.members.selectors import member_of_user

        member = member_of_user(request.user)
    return render(request, "portal/home.html", {"modules": tiles_for(request.user), "member": member})


@cache_control(max_age=3600)
def manifest(request):
    import json

    data = {
        "name": "百事通 · 智慧党建", "short_name": "百事通", "lang": "zh-CN", "start_url": "/portal/",
        "scope": "/portal/", "display": "standalone", "background_color": "#ffffff", "theme_color": "#c8102e",
        "icons": [{"src": static("portal/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@cache_control(max_age=0, no_cache=True)
def service_worker(request):
    """Caches the shell so the portal opens offline; served from /portal/ so its scope is the portal."""
    js = """const CACHE = 'portal-v1';
const SHELL = ['/portal/', '%s', '%s', '%s'];
self.addEventListener('install', e => e.waitUntil(caches.open(CACHE).then(c => c.addAll(SHELL))));
self.addEventListener('activate', e => e.waitUntil(caches.keys().then(keys =>
  Promise.all(keys.filter(k => k !== CACHE).map(k => caches.delete(k))))));
self.addEventListener('fetch', e => {
  if (e.request.method !== 'GET') return;
  e.respondWith(fetch(e.request).catch(() => caches.match(e.request).then(r => r || caches.match('/portal/'))));
});
""" % (static("vendor/tabler/tabler.min.css"), static("vendor/tabler-icons/tabler-icons.min.css"),
       static("portal/icon.svg"))
    return HttpResponse(js, content_type="application/javascript")


NEED_LIMIT_PER_HOUR = 10  # per IP, like the public petition form


def public_need(request):
    """A resident asks for help without an account; the need lands on the community's needs board."""
    if not apps.is_installed("dangjian.volunteers"):
        raise Http404
    from dangjian.core.errors import DomainError
    from dangjian.core.forms import apply_domain_error
    from dangjian.core.middleware import client_ip_of
    from dangjian.orgs.models import Org
    from dangjian.volunteers.services import demand_submit

    from .forms import NeedForm

    form = NeedForm(request.POST or None)
    if request.method == "POST":
        key = f"portal-need:{client_ip_of(request)}"
        if cache.get(key, 0) >= NEED_LIMIT_PER_HOUR:
            return render(request, "portal/need.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            if form.cleaned_data["website"]:
                return render(request, "portal/need.html", {"done": True})  # a bot: pretend, write nothing
            data = dict(form.cleaned_data)
            org = Org.objects.get(id=data.pop("org_id"))
            data.pop("website")
            data["skills"] = [s.strip() for s in data["skills"].replace("，", ",").split(",") if s.strip()]
            try:
                demand_submit(org=org, data=data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                cache.set(key, cache.get(key, 0) + 1, 3600)
                return render(request, "portal/need.html", {"done": True})
        return render(request, "portal/need.html", {"form": form}, status=400)
    return render(request, "portal/need.html", {"form": form})
