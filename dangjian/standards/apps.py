from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "dangjian.standards"
    label = "standards"
    verbose_name = "标准化规范化"
    # (label, url name, Tabler icon, permission) — the shell builds the left menu from this.
    menu = [
        ("标准化规范化", "standards:index", "ti-checklist", "standards.view"),
        ("阵地", "standards:venues_index", "ti-building-community", "standards.view"),
        ("示范岗与示范支部", "standards:models_index", "ti-award", "standards.view"),
        ("支部规模预警", "standards:warnings_index", "ti-alert-circle", "standards.view"),
    ]
