"""The composition layer: where every app's URL patterns and API routers are assembled.

It sits above every domain app (and below only the demo and benchmark packages), so it
may import any of them; nothing in an app imports it.
"""
