"""Realistic, deterministic demo data: ``commonground seed`` and ``commonground demo``.

The top layer: this package imports the product apps to fill them, and no product module
imports it. ``seed.seed_association`` is the entry point; the generators beside it
(``profiles``, ``history``, ``activity_seed``) draw the hidden profiles that drive the data.
"""
