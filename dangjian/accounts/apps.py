from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "账号与权限"
    menu = [
        ("用户与角色", "accounts:users", "ti-users", "users.manage"),
        ("审计日志", "accounts:audit", "ti-history", "audit.view"),
    ]
