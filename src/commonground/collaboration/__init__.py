"""Collaboration between associations (D8): consortia, shared services with cost
allocation, joint initiatives and social enterprises, and data-sharing agreements: the
one governed way across the tenancy boundary (``crossing``)."""
