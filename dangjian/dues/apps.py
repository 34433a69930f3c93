from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = "党费管理"
    # (label, url name, Tabler icon, permission) — the shell builds the left menu from this.
    menu = [
        ("党费收缴", "dues:index", "ti-coin-yuan", "dues.view"),
        ("我的党费", "dues:me", "ti-receipt", ""),
    ]
