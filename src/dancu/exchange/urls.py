"""The gateway's URLs: the X-Road REST API under ``/r1/`` and the portal pages."""

from django.urls import path

from dancu.exchange import views
from dancu.exchange.api import api

app_name = "exchange"
urlpatterns = [
    path("r1/", api.urls),
    path("cong-dan/chia-se-du-lieu/", views.consents, name="consents"),
    path("cong-dan/ai-da-dung-du-lieu/", views.usage, name="usage"),
    path("quan-ly/ket-noi/", views.onboarding_list, name="onboarding_list"),
    path("quan-ly/ket-noi/<int:request_id>/", views.onboarding_detail, name="onboarding_detail"),
]
