"""Roster import: CSV/XLSX files from other AMSs into people and memberships.

Entry points: ``services.import_prepare`` (validate the file, create or resume an
``ImportBatch``) and ``engine.run_batch`` (run it, chunk by chunk). The CLI command, the
background task and the staff import page all go through these two.
"""
