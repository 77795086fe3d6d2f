from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "commonground.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships"
