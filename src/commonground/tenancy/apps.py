from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "commonground.tenancy"
    label = "tenancy"
