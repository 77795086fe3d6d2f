"""Segments in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="insight", label="Segments", url_name="segment_list", order=40,
         current=("segment_new", "segment_detail", "segment_edit"))
