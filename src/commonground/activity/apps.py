from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "commonground.activity"
    label = "activity"
    verbose_name = "Activity stream"

    def ready(self) -> None:
        # Imported here, not at the top: the hooks and the ingest import models, which the
        # app registry allows only once every app is loaded.
        from commonground.core.batches import registry

        from . import ingest_command
        from .hooks import connect
        from .ingest import engine

        connect()
        registry.register(engine.KIND, command=ingest_command.COMMAND)
