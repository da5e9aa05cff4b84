"""Identity's URLs: login and registration, the citizen's account, the officer's e-ID desk,
administrators' pages, and the OpenID Connect provider."""

from django.urls import path

from dancu.identity.federation import views as federation
from dancu.identity.views import login, officer, oidc, operator, portal, register

app_name = "identity"
urlpatterns = [
    path(".well-known/openid-configuration", oidc.discovery, name="discovery"),
    path("oidc/jwks", oidc.jwks, name="jwks"),
    path("oidc/authorize", oidc.authorize, name="authorize"),
    path("oidc/token", oidc.token, name="token"),
    path("oidc/userinfo", oidc.userinfo, name="userinfo"),
    path("oidc/revoke", oidc.revoke, name="revoke"),
    path("oidc/logout", oidc.end_session, name="end_session"),
    path("dang-nhap/", login.login, name="login"),
    path("dang-nhap/ma-xac-thuc/", login.login_totp, name="login_totp"),
    path("dang-nhap/cai-dat-xac-thuc/", login.login_enrol, name="login_enrol"),
    path("dang-nhap/mo-khoa/", login.login_unlock, name="login_unlock"),
    path("dang-nhap/xac-thuc-bo-sung/", login.step_up, name="step_up"),
    path("dang-nhap/xac-thuc-lai/", login.reauthenticate, name="reauth"),
    path("dang-xuat/", login.logout, name="logout"),
    path("dang-nhap/cap-tren/", federation.upstream_start, name="upstream_start"),
    path("dang-nhap/cap-tren/callback", federation.upstream_callback, name="upstream_callback"),
    path("dang-ky/", register.register, name="register"),
    path("dang-ky/xac-nhan/", register.register_confirm, name="register_confirm"),
    path("tai-khoan/", portal.account, name="account"),
    path("tai-khoan/phien/<uuid:session_id>/ket-thuc/", portal.end_session, name="end_session_own"),
    path("tai-khoan/ung-dung/<str:client_id>/thu-hoi/", portal.revoke_consent, name="revoke_consent"),
    path("tai-khoan/khoa/", portal.lock, name="lock"),
    path("tai-khoan/dang-ky-cho-con/", portal.register_ward, name="register_ward"),
    path("tai-khoan/mat-khau/", portal.change_password, name="change_password"),
    path("tai-khoan/so-dien-thoai/", portal.change_phone, name="change_phone"),
    path("tai-khoan/xac-thuc-hai-buoc/", portal.authenticator, name="authenticator"),
    path("can-bo/dinh-danh/", officer.accounts, name="officer_accounts"),
    path("can-bo/dinh-danh/tai-khoan/<uuid:public_id>/", officer.account_detail, name="officer_account"),
    path("can-bo/dinh-danh/tai-khoan/<uuid:public_id>/nang-muc/", officer.raise_level, name="officer_raise_level"),
    path("can-bo/dinh-danh/tai-khoan/<uuid:public_id>/khoa/", officer.lock_account, name="officer_lock"),
    path("quan-tri-dinh-danh/ung-dung/", operator.clients, name="clients"),
    path("quan-tri-dinh-danh/hop-thu-sms/", operator.sms_outbox, name="sms_outbox"),
]
