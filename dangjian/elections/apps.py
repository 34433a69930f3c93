from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "dangjian.elections"
    label = "elections"
    verbose_name = "班子与换届"
    # (label, url name, Tabler icon, permission) — the shell builds the left menu from this.
    menu = [
        ("班子与任期", "elections:index", "ti-users-group", "elections.view"),
        ("换届提醒", "elections:terms_index", "ti-hourglass", "elections.view"),
        ("换届选举", "elections:list_index", "ti-checkbox", "elections.view"),
    ]
