"""Public URLs under /partners/<association>/: public credit pages and approval links (helper approvals)."""

urlpatterns: list = []
