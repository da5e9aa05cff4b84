from django.urls import path

from dancu.registry import views

app_name = "registry"
urlpatterns = [
    path("can-bo/dan-cu/", views.search, name="search"),
]
