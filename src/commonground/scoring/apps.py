from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "commonground.scoring"
    label = "scoring"
    verbose_name = "Engagement score"
