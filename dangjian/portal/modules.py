"""The five modules of the 百事通 portal (seed 003): 党建工作, 社区互动, 便民服务, 教育培训, 领导信箱.

Each tile points at a page another app already serves; a tile whose app is not installed is simply
absent. `public` tiles work without an account (residents); the others need a login.
"""
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Tile:
    label: str
    url_name: str
    icon: str
    public: bool = False
    query: str = ""


MODULES = [
    ("党建工作", "ti-flag-3", [
        Tile("我的消息", "notify:inbox", "ti-bell"),
        Tile("我的会议", "meetings:mine", "ti-calendar-event"),
        Tile("我的积分", "points:me", "ti-star"),
        Tile("我的党费", "dues:me", "ti-coin-yuan"),
        Tile("我的信息", "members:me", "ti-id-badge-2"),
        Tile("公示公开", "portal:public_disclosures", "ti-speakerphone", public=True),
        Tile("服务品牌", "portal:public_brands", "ti-award", public=True),
        Tile("示范岗与示范支部", "portal:public_models", "ti-medal", public=True),
    ]),
    ("社区互动", "ti-heart-handshake", [
        Tile("志愿活动", "volunteers:activities", "ti-run"),
        Tile("服务岗位", "volunteers:posts", "ti-briefcase"),
        Tile("我的志愿服务", "volunteers:me", "ti-user-heart"),
        Tile("好人好事", "volunteers:deeds", "ti-thumb-up"),
    ]),
    ("便民服务", "ti-building-community", [
        Tile("公开信息", "portal:public_index", "ti-world", public=True),
        Tile("提交诉求", "petitions:public", "ti-message-2", public=True),
        Tile("请志愿者帮忙", "portal:public_need", "ti-hand-stop", public=True),
        Tile("查询办理进度", "petitions:public_track", "ti-search", public=True),
        Tile("榜样的力量", "duties:public_showcase", "ti-trophy", public=True),
        Tile("党群阵地", "portal:public_venues", "ti-building-community", public=True),
    ]),
    ("教育培训", "ti-book", [
        Tile("我的学习", "study:me", "ti-school"),
        Tile("学习资料", "study:materials", "ti-books"),
        Tile("在线测试", "study:quizzes", "ti-checklist"),
    ]),
    ("领导信箱", "ti-mail", [
        Tile("给书记写信", "petitions:public", "ti-mail-forward", public=True, query="channel=mailbox"),
    ]),
]


def tiles_for(user) -> list[dict]:
    """The modules with the tiles this user may open (anonymous: public tiles only)."""
    logged_in = getattr(user, "is_authenticated", False)
    out = []
    for title, icon, tiles in MODULES:
        items = []
        for tile in tiles:
            if not (tile.public or logged_in):
                continue
            try:
                url = reverse(tile.url_name)
            except NoReverseMatch:
                continue  # that app is not installed here
            items.append({"label": tile.label, "url": url + (f"?{tile.query}" if tile.query else ""),
                          "icon": tile.icon, "public": tile.public})
        if items:
            out.append({"title": title, "icon": icon, "tiles": items})
    return out
