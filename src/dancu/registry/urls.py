"""The register's officer pages, under /can-bo/dan-cu/.

Persons and households are named by their random public id, never by a personal ID or a
household number, and the search goes by POST: no personal data in a URL (ADR 9)."""

from django.urls import path

from dancu.registry import views

app_name = "registry"
urlpatterns = [
    path("can-bo/dan-cu/", views.search, name="search"),
    path("can-bo/dan-cu/cong-dan/<uuid:public_id>/", views.person, name="person"),
    path("can-bo/dan-cu/cong-dan/<uuid:public_id>/lien-he/", views.update_contact, name="update_contact"),
    path("can-bo/dan-cu/cong-dan/<uuid:public_id>/khai-tu/", views.record_death, name="record_death"),
    path("can-bo/dan-cu/ho/<uuid:public_id>/", views.household, name="household"),
]
