"""URLs for the check-in benchmark: the project's own, plus a bare Django view behind the same middleware."""
import json

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request):
    payload = json.loads(request.body or b"{}")
    return JsonResponse({"ok": True, "token": len(payload.get("token", ""))})


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
