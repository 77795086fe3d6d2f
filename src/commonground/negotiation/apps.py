from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "commonground.negotiation"
    label = "negotiation"
    verbose_name = "Spaces of negotiation"

    def ready(self) -> None:
        # Here, not at the top: the hooks import models, which needs a ready app registry.
        from .hooks import connect

        connect()
