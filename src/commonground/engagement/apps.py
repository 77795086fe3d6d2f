from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "commonground.engagement"
    label = "engagement"
    verbose_name = "Engagement"
