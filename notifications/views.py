"""The signed-in staff member's notifications: a list, "open" and "mark as read".

Opening and marking are POSTs: a link in an e-mail leads to a page and changes nothing."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import STAFF_ROLES
from accounts.selectors import session_passed_mfa

from . import selectors, services
from .models import Notification

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest


class StaffNotificationsMixin(LoginRequiredMixin):
    """Staff whose session passed MFA; each sees only their own notifications."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and (
            getattr(user, "role", None) not in STAFF_ROLES or not session_passed_mfa(request.session)
        ):
            raise PermissionDenied(_("Notifications are for department staff."))
        return super().dispatch(request, *args, **kwargs)


class NotificationListView(StaffNotificationsMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        notifications = list(selectors.notifications_of(user=request.user)[: selectors.LIST_LIMIT])
        unread = sum(n.read_at is None for n in notifications)
        return render(request, "notifications/list.html", {"notifications": notifications, "unread": unread})


class NotificationReadView(StaffNotificationsMixin, View):
    """Mark one notification read; with ``open``, go on to the page it links to."""

    def post(self, request: "AuthenticatedHttpRequest", notification_id: int) -> HttpResponse:
        try:
            notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
        except Notification.DoesNotExist as exc:  # missing or another's: the same 404
            raise Http404 from exc
        if "open" in request.POST and notification.link:
            return redirect(notification.link)  # a path of this site (services._local_path)
        return redirect("notification-list")


class NotificationReadAllView(StaffNotificationsMixin, View):
    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        count = services.notifications_mark_all_read(user=request.user)
        if count:
            messages.success(request, _("All notifications marked as read."))
        return redirect("notification-list")
