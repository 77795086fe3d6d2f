"""Staff URLs: shared services and cost allocation (helper services)."""

urlpatterns: list = []
