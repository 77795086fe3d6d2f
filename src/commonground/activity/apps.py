from django.apps import AppConfig
from django.db.models.signals import pre_delete


class ActivityConfig(AppConfig):
    name = "commonground.activity"
    label = "activity"
    verbose_name = "Activity stream"

    def ready(self) -> None:
        from commonground.people.models import Person

        pre_delete.connect(_person_removing, sender=Person, dispatch_uid="activity.person_removing")


def _person_removing(sender, instance, **kwargs) -> None:
    """An ORM delete of a person waits for activity writes in flight (see ``locks``); the
    cascade's DELETE of their activity runs after this, so it finds what they wrote."""
    from .locks import people_hold_exclusive

    people_hold_exclusive(association_id=instance.association_id)
