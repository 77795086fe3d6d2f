"""Segments (D5): saved, live person filters (AND/OR groups over the filter language of
``people.filters``), counted, exported, reused, or frozen into static lists."""
