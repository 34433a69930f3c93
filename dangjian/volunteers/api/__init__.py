"""The volunteer API under /api/v1/volunteers/… (issue 8), one sub-router per sub-domain."""
from ninja import Router

from . import activities, posts, units

router = Router(tags=["志愿服务"])
router.add_router("", units.router)
router.add_router("", activities.router)
router.add_router("", posts.router)
