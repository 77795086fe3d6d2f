"""Next-best offering staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("offerings/next-best/", views.next_best_offering, name="next_best_offering"),
    path("offerings/next-best/compute/", views.next_best_offering_compute,
         name="next_best_offering_compute"),
]
