from django.apps import AppConfig
from django.db.models.signals import pre_delete


class ActivityConfig(AppConfig):
    name = "commonground.activity"
    label = "activity"
    verbose_name = "Activity stream"

    def ready(self) -> None:
        # Imported here, not at the top: models and the modules that use them load only
        # once the app registry is ready.
        from commonground.core.batches import registry
        from commonground.people.models import Person
        from commonground.people.signals import identities_added

        from .ingest import cli, engine

        pre_delete.connect(_person_removing, sender=Person, dispatch_uid="activity.person_removing")
        identities_added.connect(_identities_added, dispatch_uid="activity.identities_added")
        registry.register(engine.KIND, command=cli.COMMAND)


def _person_removing(sender, instance, **kwargs) -> None:
    """An ORM delete of a person waits for activity writes in flight (see ``locks``); the
    cascade's DELETE of their activity runs after this, so it finds what they wrote."""
    from .locks import people_hold_exclusive

    people_hold_exclusive(association_id=instance.association_id)


def _identities_added(sender, association, people, **kwargs) -> int:
    """People gained emails (the roster import): their earlier unmatched activity moves
    onto their timelines, in the same transaction as the import's chunk."""
    # apps.py is imported before the models are ready: the backfill (models) on first call.
    from .backfill import activities_backfill_emails

    return activities_backfill_emails(association=association, people=people)
