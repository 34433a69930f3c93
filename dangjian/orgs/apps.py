from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "党组织"
    # (label, url name, Tabler icon, permission) — read by the shell to build the left menu.
    menu = [("组织架构", "orgs:tree", "ti-sitemap", "orgs.view")]
