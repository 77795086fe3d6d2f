from django.apps import AppConfig


class WebConfig(AppConfig):
    """An app so its templates and its ``nav.py`` (the dashboards) are found like any other's."""

    name = "commonground.web"
    label = "web"
