import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    # Refuse to serve while demo accounts with the published password exist.
    from dangjian.core.checks import demo_accounts_present  # noqa: E402

    found = demo_accounts_present()
    if found:
        raise SystemExit("生产环境存在演示账号（" + ", ".join(found) + "），拒绝启动")
