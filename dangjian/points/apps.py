from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "dangjian.points"
    label = "points"
    verbose_name = "党员积分"
    # (label, url name, Tabler icon, permission) — read by the shell to build the left menu.
    menu = [
        ("先锋指数排名", "points:ranking", "ti-trophy", "points.view"),
        ("积分台账", "points:ledger", "ti-list-numbers", "points.view"),
        ("积分审核", "points:queue", "ti-checklist", "points.edit"),
        ("三亮一评", "points:pledges", "ti-flag", "points.view"),
        ("积分预警", "points:warnings", "ti-alert-triangle", "points.edit"),
        ("积分公示", "points:publications", "ti-speakerphone", ""),
        ("我的积分", "points:me", "ti-star", ""),
    ]
