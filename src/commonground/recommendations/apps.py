from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "commonground.recommendations"
    label = "recommendations"
    verbose_name = "Next-best offering"

    def ready(self) -> None:
        from .hooks import connect  # imports models: after the registry is ready

        connect()
