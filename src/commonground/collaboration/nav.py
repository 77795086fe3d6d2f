"""Collaboration pages in the staff navigation (see ``core.nav``). Order: consortia 10,
shared services 20, data sharing 30 (partnerships 40 and joint products 50 are
``partnerships.nav``)."""

from commonground.core.nav import register, register_portal

# data sharing (helper sharing)
register(section="collaboration", label="Data sharing", url_name="agreement_list", order=30,
         current=("agreement_new", "agreement_detail", "agreement_approve", "agreement_revoke",
                  "agreement_consents", "agreement_log", "shared_with_us", "shared_rows"))
register_portal(label="Sharing", url_name="sharing", order=70)
