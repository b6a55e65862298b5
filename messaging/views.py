"""Message pages: the console's (an officer's threads; sending goes through the gate) and the
owner's inbox in the portal. Interfaces only: forms in, services and selectors out."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from cameras import access
from cameras.mixins import OwnerRequiredMixin, StaffConsoleMixin
from core import ratelimit
from core.forms import form_errors_add

from . import selectors, services
from .forms import MessageForm, PreferenceForm, ReplyForm
from .models import Sender, Thread

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest


class _OfficerSendMixin(StaffConsoleMixin):
    """Sending an officer's message: through the gate, with the refusals said as they must be."""

    def send(self, request: HttpRequest, camera_public_id: Any, form: MessageForm) -> tuple[Any, int]:
        """The message sent, or (None, the status to answer with) after putting the problem on
        the form. A camera that is missing, another department's, or without any consent is a
        404, whatever the message said: the officer learns nothing of whether it exists."""
        if not form.is_valid():
            return None, 400
        ratelimit.limit_check_request(request, limit=ratelimit.Limit.MESSAGE, user=request.user.pk)
        try:
            message = services.message_send(
                actor=self.actor,
                purpose=self.purpose(),
                camera_public_id=camera_public_id,
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
            return None, 400
        except services.MessageHidden:
            raise  # the 404 page (config.middleware.ErrorPageMiddleware)
        except services.MessageRefused as exc:
            form.add_error(None, exc.message)
            self.restate_purpose = exc.code in access.RESTATE_PURPOSE
            return None, 403
        return message, 200

    restate_purpose = False


class MessageCreateView(_OfficerSendMixin, View):
    """The first message (or another) to the owner of one camera, from its detail page."""

    template = "messaging/console_compose.html"

    def _page(self, request: HttpRequest, camera_id: str, form: MessageForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "camera_id": camera_id, "restate_purpose": self.restate_purpose}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        # Nothing is read here: the page only holds the form (the gate decides on sending).
        return self._page(request, camera_id, MessageForm())

    def post(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        form = MessageForm(request.POST)
        message, status = self.send(request, camera_id, form)
        if message is None:
            return self._page(request, camera_id, form, status)
        flash.success(request, _("Message sent. The owner reads it in Porchlight; you will see their answer here."))
        return redirect("messaging-console-thread", thread_id=message.thread.public_id)


class ConsoleThreadListView(StaffConsoleMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        threads = selectors.threads_of_officer(officer=request.user)
        return render(request, "messaging/console_list.html", {"threads": threads})


class ConsoleThreadView(_OfficerSendMixin, View):
    """One thread as its officer sees it (the owner's replies are marked read), and a follow-up."""

    def _thread(self, request: "AuthenticatedHttpRequest", thread_id: Any) -> Thread:
        try:
            return selectors.thread_of_officer(officer=request.user, public_id=thread_id)
        except Thread.DoesNotExist as exc:  # missing or another officer's: the same 404
            raise Http404 from exc

    def _page(self, request: HttpRequest, thread: Thread, form: MessageForm, status: int = 200) -> HttpResponse:
        context = {
            "thread": thread,
            "thread_messages": list(selectors.messages_of(thread=thread)),
            "form": form,
            "restate_purpose": self.restate_purpose,
        }
        # Read now (the list above keeps which were new, for the page to mark), so that the
        # menu's count drawn with this page no longer counts them.
        services.thread_read(thread=thread, reader=Sender.OFFICER)
        return render(request, "messaging/console_thread.html", context, status=status)

    def get(self, request: "AuthenticatedHttpRequest", thread_id: Any) -> HttpResponse:
        return self._page(request, self._thread(request, thread_id), MessageForm())

    def post(self, request: "AuthenticatedHttpRequest", thread_id: Any) -> HttpResponse:
        thread = self._thread(request, thread_id)
        form = MessageForm(request.POST)
        if thread.camera_id is None:
            form.add_error(None, _("The owner deleted this camera: no more messages can be sent about it."))
            return self._page(request, thread, form, 410)
        message, status = self.send(request, thread.camera_public_id, form)
        if message is None:
            return self._page(request, thread, form, status)
        flash.success(request, _("Message sent."))
        return redirect("messaging-console-thread", thread_id=thread.public_id)


class OwnerInboxView(OwnerRequiredMixin, View):
    def _page(self, request: "AuthenticatedHttpRequest", form: PreferenceForm, status: int = 200) -> HttpResponse:
        threads = selectors.threads_of_owner(owner=request.user)
        return render(request, "messaging/owner_inbox.html", {"threads": threads, "form": form}, status=status)

    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        initial = {"email_on_message": selectors.email_on_message(owner=request.user)}
        return self._page(request, PreferenceForm(initial=initial))

    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, 400)
        services.messaging_preference_set(owner=request.user, email_on_message=form.cleaned_data["email_on_message"])
        if form.cleaned_data["email_on_message"]:
            flash.success(request, _("Saved: police messages will also come to you by e-mail."))
        else:
            flash.success(request, _("Saved: police messages will wait here, without an e-mail."))
        return redirect("messaging-owner-inbox")


class OwnerThreadView(OwnerRequiredMixin, View):
    """One thread as its owner sees it (the officer's messages are marked read), and a reply."""

    def _thread(self, request: "AuthenticatedHttpRequest", thread_id: Any) -> Thread:
        try:
            return selectors.thread_of_owner(owner=request.user, public_id=thread_id)
        except Thread.DoesNotExist as exc:  # missing or another owner's: the same 404
            raise Http404 from exc

    def _page(self, request: HttpRequest, thread: Thread, form: ReplyForm, status: int = 200) -> HttpResponse:
        context = {
            "thread": thread,
            "officer": selectors.officer_words(thread.officer),
            "thread_messages": list(selectors.messages_of(thread=thread)),
            "form": form,
        }
        # Read now (the list above keeps which were new, for the page to mark), so that the
        # menu's count drawn with this page no longer counts them.
        services.thread_read(thread=thread, reader=Sender.OWNER)
        return render(request, "messaging/owner_thread.html", context, status=status)

    def get(self, request: "AuthenticatedHttpRequest", thread_id: Any) -> HttpResponse:
        return self._page(request, self._thread(request, thread_id), ReplyForm())

    def post(self, request: "AuthenticatedHttpRequest", thread_id: Any) -> HttpResponse:
        thread = self._thread(request, thread_id)
        form = ReplyForm(request.POST)
        if form.is_valid():
            ratelimit.limit_check_request(request, limit=ratelimit.Limit.MESSAGE, user=request.user.pk)
            try:
                services.message_reply(
                    owner=request.user,
                    thread_public_id=thread.public_id,
                    body=form.cleaned_data["body"],
                    share_contact=form.cleaned_data["share_contact"],
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            except Thread.DoesNotExist as exc:  # deleted meanwhile
                raise Http404 from exc
            else:
                if form.cleaned_data["share_contact"]:
                    flash.success(request, _("Answer sent, with your contact details for this officer."))
                else:
                    flash.success(request, _("Answer sent. The officer does not see who you are."))
                return redirect("messaging-owner-thread", thread_id=thread.public_id)
        return self._page(request, thread, form, 400)
