from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "commonground.portal"
    label = "portal"
