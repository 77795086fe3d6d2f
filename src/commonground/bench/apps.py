from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "commonground.bench"
    label = "bench"
    verbose_name = "commonground benchmarks"
