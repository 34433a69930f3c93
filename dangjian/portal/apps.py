from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dangjian.portal"
    label = "portal"
    verbose_name = "百事通"
    menu = [("百事通（手机端）", "portal:home", "ti-device-mobile", "")]
