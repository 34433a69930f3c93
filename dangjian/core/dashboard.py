"""The home page's summary of the current org: counts other apps add to via `home_cards`."""
from django.apps import apps
from importlib import import_module

from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q


def home_summary(*, actor, org: Org) -> list[dict]:
    orgs = Org.objects.filter(subtree_q(org.path))
    cards = [
        {"label": "下级党组织", "value": orgs.count() - 1, "icon": "ti-sitemap"},
        {"label": "党支部", "value": orgs.filter(kind=Org.Kind.BRANCH).count(), "icon": "ti-flag"},
    ]
    for config in apps.get_app_configs():
        if not config.name.startswith("dangjian.") or config.label in ("core", "orgs"):
            continue
        try:
            module = import_module(f"{config.name}.selectors")
        except ModuleNotFoundError:
            continue
        hook = getattr(module, "home_cards", None)
        if hook:
            cards.extend(hook(actor=actor, org=org))
    return cards
