from django import template

from commonground.core import nav

register = template.Library()


@register.inclusion_tag("core/_staff_nav.html", takes_context=True)
def staff_nav(context) -> dict:
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {"sections": nav.sections(association_slug=request.association.slug,
                                     current_url_name=match.url_name if match else None,
                                     request=request)}


@register.inclusion_tag("core/_portal_nav.html", takes_context=True)
def portal_nav(context) -> dict:
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {"links": nav.portal_links(association_slug=request.association.slug,
                                      current_url_name=match.url_name if match else None)}
