from django.apps import AppConfig

from .hooks import connect


class PortalConfig(AppConfig):
    name = "commonground.portal"
    label = "portal"

    def ready(self) -> None:
        connect()
