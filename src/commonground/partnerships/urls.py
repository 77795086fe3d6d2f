"""Staff URLs: partnerships (helper partners)."""

urlpatterns: list = []
