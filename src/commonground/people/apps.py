from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "commonground.people"
    label = "people"
