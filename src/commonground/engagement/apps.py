from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "commonground.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        # Imported here: the hooks import models, allowed only once every app is loaded.
        from .hooks import connect

        connect()
