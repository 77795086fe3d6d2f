from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "commonground.scoring"
    label = "scoring"
    verbose_name = "Engagement score"

    def ready(self) -> None:
        # Imported here: the hooks and the registry import models (see activity.apps).
        from commonground.core.batches import registry

        from .hooks import connect

        connect()
        registry.register("scores", kind="commonground.scoring.services.KIND")
