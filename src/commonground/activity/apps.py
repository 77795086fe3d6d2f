from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "commonground.activity"
    label = "activity"
    verbose_name = "Activity stream"

    def ready(self) -> None:
        # Imported here, not at the top: the hooks and the batch registry import models,
        # which the app registry allows only once every app is loaded.
        from commonground.core.batches import registry

        from .hooks import connect

        connect()
        registry.register("activities", kind="commonground.activity.ingest.engine.KIND",
                          command="commonground.activity.ingest_command.COMMAND")
