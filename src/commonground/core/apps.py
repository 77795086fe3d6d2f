from django.apps import AppConfig

from . import metrics, nav


class CoreConfig(AppConfig):
    name = "commonground.core"
    label = "core"
    verbose_name = "commonground core"

    def ready(self) -> None:
        # Each app's nav.py registers its pages (see core.nav); run once all apps are loaded.
        nav.autodiscover()
        # Each app's metrics.py registers its metrics in the catalogue (core.metrics).
        metrics.autodiscover()
