"""``{% member_360 person %}``: the Member 360 block (summaries and timeline) on a profile."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("activity/_timeline_profile.html", takes_context=True)
def member_360(context, person):
    from commonground.activity.views_360 import member360_context

    return member360_context(context["request"], person)
