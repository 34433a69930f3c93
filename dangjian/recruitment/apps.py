from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "dangjian.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"
    default_auto_field = "django.db.models.BigAutoField"
    menu = [
        ("发展党员", "recruitment:board", "ti-user-plus", "recruitment.view"),
        ("发展党员计划", "recruitment:plan", "ti-target-arrow", "recruitment.view"),
        ("我的入党进度", "recruitment:me", "ti-route", ""),
    ]
