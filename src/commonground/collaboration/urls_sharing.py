"""Staff URLs: data-sharing agreements (helper sharing)."""

urlpatterns: list = []
