from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "commonground.segments"
    label = "segments"
    verbose_name = "Segments"

    def ready(self) -> None:
        # Here, not at the top: the hooks import models, which needs a ready app registry.
        from .hooks import connect

        connect()
