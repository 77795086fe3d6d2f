from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "commonground.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships"

    def ready(self) -> None:
        # Here, not at the top: the services import models, which needs a ready registry.
        from django.db.models.signals import pre_save

        from commonground.people.models import Organisation

        from .services import guard_public_exclusivity

        # A public body can't be bound by an exclusivity clause, whoever changes its sector.
        pre_save.connect(guard_public_exclusivity, sender=Organisation,
                         dispatch_uid="partnerships.guard_public_exclusivity")
