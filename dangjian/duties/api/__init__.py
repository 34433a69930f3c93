"""JSON API of duties and honors: /api/v1/duties/… (incl. group-duty-lists), /api/v1/honors, /api/v1/brands."""
from ninja import Router

from . import group_duties, inspections, instructors, pledges, recognition, reviews

router = Router()
for module in (pledges, inspections, reviews, instructors, recognition, group_duties):
    router.add_router("", module.router)
