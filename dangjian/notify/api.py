from datetime import datetime

from ninja import Query, Router, Schema

from dangjian.core.api import Detail, Page
from dangjian.core.pagination import paginate

from . import services

router = Router(tags=["消息"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class CountOut(Schema):
    unread: int


@router.get("/notifications", response=Page[NotificationOut])
def notification_list(request, unread: bool = False, page: int = Query(1, ge=1),
                      page_size: int = Query(50, ge=1, le=200)):
    """The caller's own inbox."""
    return paginate(services.inbox(actor=request.user, unread_only=unread), page=page, page_size=page_size)


@router.get("/notifications/unread-count", response=CountOut)
def notification_unread(request):
    return {"unread": services.unread_count(actor=request.user)}


@router.post("/notifications/{notification_id}/read", response={200: CountOut, 404: Detail})
def notification_read(request, notification_id: int):
    services.notification_mark_read(actor=request.user, notification_id=notification_id)
    return {"unread": services.unread_count(actor=request.user)}
