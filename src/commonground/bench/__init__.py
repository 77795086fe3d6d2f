"""Benchmarks: ``commonground bench NAME …``, each module one benchmark.

The top layer beside ``commonground.demo``: benchmarks import the product (and the demo seed
for realistic data); no product module imports them.
"""
