from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "commonground.collaboration"
    label = "collaboration"
    verbose_name = "Collaboration"

    def ready(self) -> None:
        # Here, not at the top: the hooks import models, which needs a ready app registry.
        from .hooks import connect

        connect()
