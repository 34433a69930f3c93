"""Production refuses to run with demo accounts still usable (issue 3)."""
from django.conf import settings
from django.core import checks

DEMO_USERNAMES = ("zhang", "li", "wang", "zhao")
DEMO_PASSWORD = "dangjian-demo"


def demo_accounts_present() -> list[str]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    found = []
    for user in User.objects.filter(username__in=DEMO_USERNAMES, is_active=True):
        if user.check_password(DEMO_PASSWORD):
            found.append(user.username)
    return found


@checks.register(checks.Tags.security, deploy=True)
def production_demo_accounts(app_configs, databases=None, **kwargs):
    if not settings.PRODUCTION or not databases:
        return []
    try:
        found = demo_accounts_present()
    except Exception:  # tables may not exist before the first migrate
        return []
    if found:
        return [checks.Error(f"生产环境存在演示账号（{', '.join(found)}），请删除或修改其密码", id="dangjian.E001")]
    return []
