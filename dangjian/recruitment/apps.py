from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "dangjian.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"
    default_auto_field = "django.db.models.BigAutoField"
    menu = [
        ("发展党员", "recruitment:board", "ti-user-plus", "recruitment.view"),
    ]
