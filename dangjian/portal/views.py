from django.http import HttpResponse
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
