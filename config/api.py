"""The JSON API at /api/v1/: mounts each app's router (dangjian.<app>.api.router)."""
from importlib import import_module

from django.apps import apps
from ninja import NinjaAPI

from dangjian.core.api import AUTH, install_error_handlers

api = NinjaAPI(
    title="党建 API",
    version="1",
    description="智慧党建平台接口。认证：POST /api/v1/auth/token 取得令牌后使用 Authorization: Bearer <token>。",
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)

for config in apps.get_app_configs():
    if not config.name.startswith("dangjian."):
        continue
    try:
        module = import_module(f"{config.name}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.api":
            raise
        continue
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router("", router)
