"""Membership pages in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="settings", label="Plans", url_name="plan_list", order=20)
register(section="settings", label="Offerings", url_name="offering_list", order=30)
