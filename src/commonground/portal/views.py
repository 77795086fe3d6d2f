from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .decorators import member_view


@member_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"person": request.person})
