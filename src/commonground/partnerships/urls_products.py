"""Staff URLs: joint products and approvals (helper approvals)."""

urlpatterns: list = []
