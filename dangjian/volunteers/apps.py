from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "dangjian.volunteers"
    label = "volunteers"
    verbose_name = "志愿服务"
    default_auto_field = "django.db.models.BigAutoField"
    menu = [
        ("志愿服务", "volunteers:units", "ti-heart-handshake", "volunteers.view"),
        ("志愿活动", "volunteers:activities", "ti-calendar-event", "volunteers.view"),
        ("服务岗位", "volunteers:posts", "ti-id", "volunteers.view"),
        ("居民需求", "volunteers:needs", "ti-bell-ringing", "volunteers.view"),
        # Self-service for every signed-in person (a member registers, signs up, claims a post on a phone).
        ("我的志愿服务", "volunteers:me", "ti-user-heart", ""),
    ]
