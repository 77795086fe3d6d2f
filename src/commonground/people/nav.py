"""People pages in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="members", label="People", url_name="person_list", order=10,
         current=("person_detail", "person_timeline"))
register(section="members", label="Organisations", url_name="organisation_list", order=20,
         current=("organisation_detail",))
register(section="members", label="Chapters", url_name="chapter_list", order=30)
register(section="members", label="Duplicates", url_name="duplicate_list", order=40,
         current=("dismissal_list", "person_merge"))
register(section="data", label="Import", url_name="import_index", order=10,
         current=("import_detail", "import_map", "import_history_index", "import_history_map",
                  "import_history_detail"))
register(section="settings", label="Custom fields", url_name="custom_field_list", order=40)
