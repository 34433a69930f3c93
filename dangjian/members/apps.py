from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "党员管理"
    menu = [
        ("党员花名册", "members:roster", "ti-id-badge-2", "members.view"),
        ("组织关系转接", "members:transfers", "ti-transfer", "members.view"),
        ("流动党员", "members:mobile", "ti-walk", "members.view"),
        ("处置与信息更正", "members:cases", "ti-clipboard-check", "members.view"),
    ]
