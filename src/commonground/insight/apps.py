from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "commonground.insight"
    label = "insight"
    verbose_name = "Insight"

    def ready(self) -> None:
        # Here, not at the top: the hooks import models, which needs a ready app registry.
        from .hooks import connect

        connect()
