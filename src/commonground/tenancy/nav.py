"""Association settings in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="settings", label="Association", url_name="settings_index", order=10,
         current=("token_list",))
