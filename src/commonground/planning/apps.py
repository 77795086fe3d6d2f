from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "commonground.planning"
    label = "planning"
    verbose_name = "Planning"
