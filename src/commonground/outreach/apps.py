from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "commonground.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # Here, not at the top: the hooks import models, which needs a ready app registry.
        from .hooks import connect

        connect()
