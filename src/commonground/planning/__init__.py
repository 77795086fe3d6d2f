"""Integrated planning (D6): the board's why-answers, goals, joint objectives with live KPIs
from the metric catalogue (``core.metrics``), daily KPI snapshots, burn-up and pace, and
the balance view of mission and business performance side by side (D7)."""
