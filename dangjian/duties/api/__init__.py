"""JSON API of duties and honors: /api/v1/duties/…, /api/v1/honors, /api/v1/brands."""
from ninja import Router

from . import inspections, instructors, pledges, recognition, reviews

router = Router()
for module in (pledges, inspections, reviews, instructors, recognition):
    router.add_router("", module.router)
