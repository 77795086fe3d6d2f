"""Next-best offering in the staff navigation (see ``core.nav``)."""

from commonground.core import nav

nav.register(section="insight", label="Next-best offering", url_name="next_best_offering",
             order=40)
