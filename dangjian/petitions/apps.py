from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "dangjian.petitions"
    label = "petitions"
    verbose_name = "诉求与调解"
    default_auto_field = "django.db.models.BigAutoField"
    menu = [
        ("群众诉求", "petitions:queue", "ti-message-report", "petitions.view"),
        ("矛盾纠纷调解", "petitions:mediations", "ti-scale", "petitions.view"),
        ("服务成效", "petitions:figures", "ti-chart-bar", "petitions.view"),
    ]
