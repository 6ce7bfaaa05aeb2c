from django.apps import AppConfig


class ScsPortalConfig(AppConfig):
    """The project layer: may import every app (demo data, site pages)."""

    name = "scs_portal"
    verbose_name = "SCS Portal"
