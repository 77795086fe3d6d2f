"""Recognition tiers, nominations, Open Badges 2.0/3.0 and the vetted expert network (D4)."""
