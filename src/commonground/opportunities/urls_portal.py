"""Opportunities member pages, under /m/<association>/ in the portal's namespace."""

urlpatterns: list = []
