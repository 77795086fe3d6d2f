"""Engagement score staff pages, under /a/<association>/."""

urlpatterns: list = []
