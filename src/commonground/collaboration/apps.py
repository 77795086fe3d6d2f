from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "commonground.collaboration"
    label = "collaboration"
    verbose_name = "Collaboration"
