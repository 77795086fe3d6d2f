"""Planning pages in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

# balance (helper E)
register(section="planning", label="Balance", url_name="balance", order=20,
         current=("balance_settings", "balance_costs"))
