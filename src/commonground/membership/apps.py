from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "commonground.membership"
    label = "membership"

    def ready(self) -> None:
        # Imported here, not at the top: the hooks and the roster import models, which the
        # app registry allows only once every app is loaded.
        from commonground.core.batches import registry

        from .hooks import connect
        from .roster import cli, engine

        connect()
        registry.register(engine.KIND, command=cli.COMMAND)
