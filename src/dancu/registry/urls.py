"""The register's officer pages, under /can-bo/dan-cu/."""

from django.urls import path

from dancu.registry import views

app_name = "registry"
urlpatterns = [
    path("can-bo/dan-cu/", views.search, name="search"),
    path("can-bo/dan-cu/cong-dan/<str:personal_id>/", views.person, name="person"),
    path("can-bo/dan-cu/cong-dan/<str:personal_id>/lien-he/", views.update_contact, name="update_contact"),
    path("can-bo/dan-cu/cong-dan/<str:personal_id>/khai-tu/", views.record_death, name="record_death"),
    path("can-bo/dan-cu/ho/<str:code>/", views.household, name="household"),
]
