"""Staff API over messages: an officer's own threads with camera owners. Owners are never
named here; an answer whose owner chose to share their contact details carries them."""

from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from cameras.mixins import StaffApi

from . import selectors
from .models import Message, Thread

if TYPE_CHECKING:
    from accounts.models import User

#: The newest threads a listing returns: an officer's conversations of several months.
THREADS_LISTED = 100


class ContactOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()


class MessageOutput(serializers.Serializer):
    id = serializers.UUIDField()
    sender = serializers.ChoiceField(choices=["officer", "owner"])
    body = serializers.CharField()
    case_number = serializers.CharField(help_text="The case of an officer's message; empty on an owner's.")
    sent_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    owner_contact = ContactOutput(allow_null=True, help_text="Only on an answer whose owner chose to share it.")


class ThreadOutput(serializers.Serializer):
    id = serializers.UUIDField()
    camera_id = serializers.CharField(allow_null=True, help_text="Null once the owner deleted the camera.")
    last_message_at = serializers.DateTimeField()
    unread_answers = serializers.IntegerField()
    messages = MessageOutput(many=True)


def _message(message: Message) -> dict[str, Any]:
    return {
        "id": message.public_id,
        "sender": message.sender,
        "body": message.body,
        "case_number": message.case_number,
        "sent_at": message.created_at,
        "read_at": message.read_at,
        "owner_contact": message.shared_contact if message.shares_contact else None,
    }


def _thread(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.public_id,
        "camera_id": thread.camera_public_id if thread.camera_id else None,
        "last_message_at": thread.last_message_at,
        "unread_answers": thread.unread,  # type: ignore[attr-defined]  # annotated by the selector
        "messages": [_message(m) for m in thread.messages.all()],
    }


class MessageThreadListApi(StaffApi):
    @extend_schema(
        responses=ThreadOutput(many=True),
        summary="Your conversations with camera owners, newest first (owners are not named unless they share it)",
    )
    def get(self, request: Request) -> Response:
        threads = selectors.threads_of_officer_with_messages(officer=cast("User", request.user))[:THREADS_LISTED]
        return Response(ThreadOutput([_thread(t) for t in threads], many=True).data)
