from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "dangjian.visits"
    label = "visits"
    verbose_name = "民情走访"
    default_auto_field = "django.db.models.BigAutoField"
    menu = [
        ("我的走访", "visits:my", "ti-walk", ""),
        ("居民户台账", "visits:households", "ti-home-heart", "visits.view"),
        ("民情日记", "visits:logs", "ti-notebook", "visits.view"),
        ("走访计划", "visits:plans", "ti-calendar-event", "visits.view"),
        ("结对帮扶", "visits:coverage", "ti-heart-handshake", "visits.view"),
        ("民情分析与抽查", "visits:checks", "ti-zoom-check", "visits.view"),
    ]
