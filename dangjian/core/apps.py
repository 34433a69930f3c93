from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from . import checks  # noqa: F401  (registers the production checks)
        from . import security  # noqa: F401  (connects the idle-timeout login signal)
