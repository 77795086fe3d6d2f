"""Recognition staff pages, under /a/<association>/."""

urlpatterns: list = []
