"""Seeded activity never lies in the future, whatever the server's clock says."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from commonground.demo.activity_seed.calendar import Window


def test_window_ends_before_the_zones_own_today():
    # The server's (UTC) today can be tomorrow in New York: the window must still end by now.
    utc_today = datetime.now(UTC).date()
    for zone in ("UTC", "America/New_York", "America/Los_Angeles", "Pacific/Auckland"):
        window = Window(utc_today + timedelta(days=1), zone)  # even a clock a day ahead
        last_day_ends = int(window.midnight[-1]) + 86_400
        assert last_day_ends <= time.time() + 3600, zone  # (DST shifts are ignored: 1 h slack)
