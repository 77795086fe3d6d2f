"""Meetings, action items, the staff inbox and the operations manual, under /a/<association>/."""

from django.urls import path

from . import views_manual as manual
from . import views_meetings as views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/series/new/", views.series_new, name="series_new"),
    path("meetings/series/<int:series_id>/next/", views.series_next, name="series_next"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/draft/", views.meeting_draft, name="meeting_draft"),
    path("meetings/<int:meeting_id>/items/", views.agenda_item_new, name="agenda_item_new"),
    path("meetings/<int:meeting_id>/items/<int:agenda_item_id>/delete/",
         views.agenda_item_delete, name="agenda_item_delete"),
    path("meetings/<int:meeting_id>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/circulate/", views.meeting_circulate,
         name="meeting_circulate"),
    path("meetings/<int:meeting_id>/actions/", views.meeting_action_new,
         name="meeting_action_new"),
    path("meetings/<int:meeting_id>/comments/", views.meeting_comment,
         name="meeting_comment"),
    path("actions/", views.action_item_list, name="action_item_list"),
    path("actions/new/", views.action_item_new, name="action_item_new"),
    path("actions/<int:action_item_id>/done/", views.action_item_done, name="action_item_done"),
    path("actions/<int:action_item_id>/drop/", views.action_item_drop, name="action_item_drop"),
    path("inbox/", manual.inbox, name="inbox"),
    path("inbox/read/", manual.inbox_read, name="inbox_read"),
    path("manual/", manual.manual_list, name="manual_list"),
    path("manual/<int:manual_page_id>/", manual.manual_page_detail, name="manual_page_detail"),
    path("manual/<int:manual_page_id>/edit/", manual.manual_page_edit, name="manual_page_edit"),
    path("manual/<int:manual_page_id>/diff/", manual.manual_page_diff, name="manual_page_diff"),
    path("manual/<int:manual_page_id>/versions/<int:revision_id>/",
         manual.manual_revision_detail, name="manual_revision_detail"),
]
