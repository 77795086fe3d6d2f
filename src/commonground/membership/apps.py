from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "commonground.membership"
    label = "membership"
