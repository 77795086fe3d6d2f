from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "commonground.recognition"
    label = "recognition"
    verbose_name = "Recognition"
