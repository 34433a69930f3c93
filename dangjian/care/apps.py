from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "dangjian.care"
    label = "care"
    verbose_name = "关怀帮扶"
    # (label, url name, Tabler icon, permission) — the shell builds the left menu from this.
    menu = [
        ("政治生日与关怀", "care:index", "ti-cake", "care.view"),
        ("走访慰问", "care:plans_index", "ti-heart-handshake", "care.view"),
        ("帮扶基金", "care:funds_index", "ti-pig-money", "care.view"),
    ]
