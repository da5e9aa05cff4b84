from django.urls import path

from dancu.linkage import views

app_name = "linkage"
urlpatterns = [
    path("lien-ket/", views.index, name="index"),
    path("lien-ket/tai-len/", views.upload, name="upload"),
    path("lien-ket/nhat-ky/", views.journal, name="journal"),
    path("lien-ket/chi-so.json", views.indicators, name="indicators"),
    path("lien-ket/phien/<uuid:public_id>/", views.progress, name="progress"),
    path("lien-ket/phien/<uuid:public_id>/cot/", views.mapping, name="mapping"),
    path("lien-ket/phien/<uuid:public_id>/chay-lai/", views.rerun, name="rerun"),
    path("lien-ket/phien/<uuid:public_id>/xoa-tep/", views.remove_files, name="remove_files"),
    path("lien-ket/phien/<uuid:public_id>/trang-thai.json", views.status, name="status"),
    path("lien-ket/phien/<uuid:public_id>/ket-qua/", views.results, name="results"),
    path("lien-ket/phien/<uuid:public_id>/ket-qua.csv", views.download, name="download"),
    path("lien-ket/phien/<uuid:public_id>/xem-xet/", views.review_list, name="review_list"),
    path("lien-ket/phien/<uuid:public_id>/xem-xet/<int:row_number>/", views.review_item, name="review_item"),
]
