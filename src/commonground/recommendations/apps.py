from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "commonground.recommendations"
    label = "recommendations"
    verbose_name = "Next-best offering"
