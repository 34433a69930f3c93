from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dangjian.notify"
    label = "notify"
    verbose_name = "消息通知"
    menu = [("消息", "notify:inbox", "ti-bell", "")]
