"""Collaboration pages in the staff navigation (see ``core.nav``). Order: consortia 10,
shared services 20, data sharing 30 (partnerships 40 and joint products 50 are
``partnerships.nav``)."""

from commonground.core.nav import register

# shared services (helper services)
register(section="collaboration", label="Shared services", url_name="shared_service_list",
         order=20, current=("shared_service_detail", "cost_period_detail", "allocation_list"))
