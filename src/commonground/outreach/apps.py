from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "commonground.outreach"
    label = "outreach"
    verbose_name = "Outreach"
