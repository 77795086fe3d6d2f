"""Staff URLs: consortia and joint initiatives (helper consortia)."""

urlpatterns: list = []
