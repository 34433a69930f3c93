from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data (PIPL, issue 14): data subject export, audit retention, ID-key rotation support."""

    name = "dangjian.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"
    menu: list = []  # reached from a member's page and the admin; no menu entry of its own
