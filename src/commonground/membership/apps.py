from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "commonground.membership"
    label = "membership"

    def ready(self) -> None:
        # Imported here, not at the top: the hooks import models, which the app registry
        # allows only once every app is loaded.
        from .hooks import connect

        connect()
