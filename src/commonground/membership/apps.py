from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "commonground.membership"
    label = "membership"

    def ready(self) -> None:
        # Imported here, not at the top: the roster's modules use models, which load only
        # once the app registry is ready.
        from commonground.core.batches import registry

        from .roster import cli, engine

        registry.register(engine.KIND, command=cli.COMMAND)
