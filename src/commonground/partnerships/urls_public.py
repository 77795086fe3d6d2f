"""Public URLs under /partners/<association>/ (no login): the association's published
joint products, each one's credit page, and the partners' single-use approval links."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("", views_public.credit_index, name="credit_public_list"),
    path("credits/<slug:slug>/", views_public.credit_page, name="credit_public_page"),
    path("approve/<str:token>/", views_public.approval_link, name="approval_link"),
]
