from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "账号与权限"
    menu = [
        ("用户与角色", "accounts:users", "ti-users", "users.manage"),
        ("审计日志", "accounts:audit", "ti-history", "audit.view"),
    ]

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from . import token_cache
        from .models import ApiToken

        post_save.connect(token_cache.on_token_saved, sender=ApiToken, dispatch_uid="token_cache.saved")
        post_delete.connect(token_cache.on_token_deleted, sender=ApiToken, dispatch_uid="token_cache.deleted")
        post_save.connect(token_cache.on_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="token_cache.user")
