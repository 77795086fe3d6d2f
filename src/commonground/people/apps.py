from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "commonground.people"
    label = "people"

    def ready(self) -> None:
        # Each app's filters.py registers its fields of the person-filter language.
        from . import filters

        filters.autodiscover()
