from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "commonground.membership"
    label = "membership"

    def ready(self) -> None:
        # Imported here, not at the top: the hooks and the batch registry import models,
        # which the app registry allows only once every app is loaded.
        from commonground.core.batches import registry

        from .hooks import connect

        connect()
        registry.register("people", kind="commonground.membership.roster.engine.KIND",
                          command="commonground.membership.roster.cli.COMMAND")
        registry.register("memberships", kind="commonground.membership.history.engine.KIND",
                          command="commonground.membership.history.cli.COMMAND")
