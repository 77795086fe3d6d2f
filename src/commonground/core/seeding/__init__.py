"""Realistic, deterministic demo data: ``commonground seed`` and ``commonground demo``."""

from .catalogue import DEMO_PASSWORD
from .seed import SeedResult, seed_association, seeded, slug_for_bench, staff_email, truth_path

__all__ = ["DEMO_PASSWORD", "SeedResult", "seed_association", "seeded", "slug_for_bench",
           "staff_email", "truth_path"]
