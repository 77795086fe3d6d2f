"""Staff pages under /a/<association>/ (filled by the issue-12 work)."""

urlpatterns: list = []
