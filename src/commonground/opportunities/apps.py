from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "commonground.opportunities"
    label = "opportunities"
    verbose_name = "Opportunities"

    def ready(self) -> None:
        # Imported here: the hooks import models, allowed only once every app is loaded.
        from .hooks import connect

        connect()
