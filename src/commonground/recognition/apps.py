from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "commonground.recognition"
    label = "recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        # Here, not at the top: the hooks import models, which needs a ready app registry.
        from .hooks import connect

        connect()
