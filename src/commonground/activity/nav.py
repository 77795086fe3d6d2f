"""Activity pages in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="data", label="Sources", url_name="source_list", order=20,
         current=("source_detail", "reject_list", "batch_list", "batch_detail"))
register(section="data", label="Source health", url_name="source_health", order=30)
register(section="data", label="Unmatched", url_name="unmatched_list", order=40,
         current=("unmatched_attach",))
