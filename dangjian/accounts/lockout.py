"""django-axes lockout answer: JSON 429 for the API, a Chinese page for the browser."""
from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "登录失败次数过多，账号已锁定 30 分钟，请稍后再试"


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=429)
    return render(request, "accounts/locked.html", {"message": MESSAGE}, status=429)
