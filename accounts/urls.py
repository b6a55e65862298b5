from django.urls import path

from . import views

urlpatterns = [
    path("department/staff/", views.StaffListView.as_view(), name="staff-list"),
    path("department/staff/invite/", views.StaffInviteView.as_view(), name="staff-invite"),
    path("department/staff/<int:user_id>/role/", views.StaffRoleChangeView.as_view(), name="staff-role-change"),
    path("department/staff/<int:user_id>/active/", views.StaffDeactivateView.as_view(), name="staff-deactivate"),
    path("department/staff/<int:user_id>/history/", views.StaffHistoryView.as_view(), name="staff-history"),
    path(
        "department/staff/<int:user_id>/compliance-duty/",
        views.StaffComplianceDutyView.as_view(),
        name="staff-compliance-duty",
    ),
    path("department/policy/", views.PolicyEditView.as_view(), name="policy-edit"),
    path("me/api-tokens/", views.ApiTokensView.as_view(), name="api-tokens"),
    path("me/settings/", views.ProfileSettingsView.as_view(), name="profile-settings"),
    # Under /accounts/: reachable by staff who have not set up MFA yet (accounts.middleware).
    path("accounts/2fa/totp/renew/", views.TotpSecretRenewView.as_view(), name="mfa-totp-renew"),
]
