from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "commonground.activity"
    label = "activity"
    verbose_name = "Activity stream"

    def ready(self) -> None:
        # Imported here, not at the top: the hooks import models, which the app registry
        # allows only once every app is loaded.
        from .hooks import connect

        connect()
