"""One error vocabulary: each kind of DomainError answers alike in every interface."""

from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation
from rest_framework.request import Request

from accounts.api_base import exception_handler
from core.errors import (
    AccessRefused,
    Conflict,
    DomainError,
    Gone,
    Invalid,
    NotFound,
    RateLimited,
    Refused,
    Unavailable,
)
from core.forms import form_errors_add
from core.http import error_text_refusal, status_of
from footage.uploads import UploadConflict, UploadError, UploadProblem
from messaging.services import MessageHidden, MessageRefused

KINDS: list[tuple[DomainError, int, str]] = [
    (Invalid("Enter the case number.", code="case_number_missing", field="case_number"), 400, "invalid"),
    (Refused("Only a supervisor can do this.", code="role_not_permitted"), 403, "permission_denied"),
    (AccessRefused("State a purpose first.", code="purpose_required"), 403, "access_denied"),
    (NotFound("No such camera.", code="not_found"), 404, "not_found"),
    (Conflict("Send the piece that starts at 10.", code="wrong_offset"), 409, "conflict"),
    (Gone("This link has expired.", code="stream_link_expired"), 410, "gone"),
    (Unavailable("The geocoder did not answer.", code="geocoder_unavailable"), 503, "service_unavailable"),
    (RateLimited("Too many searches. Try again in 30 seconds.", code="rate_limited", retry_after=30), 429, "throttled"),
]


@pytest.mark.parametrize(("error", "status", "code"), KINDS)
def test_a_page_and_the_api_answer_each_kind_with_the_same_status(
    in_rialto: Any, error: DomainError, status: int, code: str
) -> None:
    request = RequestFactory().get("/api/v1/me/", HTTP_HOST="rialto.localhost")

    response = exception_handler(error, {"request": Request(request), "view": None})

    assert response is not None
    assert (status_of(error), response.status_code, response.data["code"]) == (status, status, code)
    assert error_text_refusal(error).status_code == status


def test_a_rate_limit_says_when_to_retry_in_the_api_and_on_a_page(in_rialto: Any) -> None:
    error = RateLimited("Too many searches. Try again in 30 seconds.", code="rate_limited", retry_after=30)
    request = RequestFactory().get("/api/v1/me/", HTTP_HOST="rialto.localhost")

    api = exception_handler(error, {"request": Request(request), "view": None})
    text = error_text_refusal(error)

    assert api is not None
    assert (api["Retry-After"], api.data["detail"]) == ("30", "Too many searches. Try again in 30 seconds.")
    assert text["Retry-After"] == "30"


def test_the_api_tells_the_gates_reason_but_never_what_a_not_found_was(in_rialto: Any) -> None:
    request = Request(RequestFactory().get("/api/v1/me/", HTTP_HOST="rialto.localhost"))

    context = {"request": request}
    with translation.override("en"):  # the generic sentence is compared in English
        refused = exception_handler(AccessRefused("State a purpose first.", code="purpose_required"), context)
        hidden = exception_handler(NotFound("That camera's owner gave no consent.", code="no_grant"), context)
        plain = exception_handler(Refused("Only a supervisor can do this.", code="role_not_permitted"), context)

    assert refused is not None
    assert hidden is not None
    assert plain is not None
    assert (refused.data["detail"], refused.data["reason"]) == ("State a purpose first.", "purpose_required")
    assert hidden.data == {"detail": "Not found.", "code": "not_found"}
    assert "reason" not in plain.data


def test_an_invalid_input_names_its_field_in_the_api(in_rialto: Any) -> None:
    request = Request(RequestFactory().get("/api/v1/me/", HTTP_HOST="rialto.localhost"))

    response = exception_handler(
        Invalid("Enter the case number.", code="case_number_missing", field="case_number"), {"request": request}
    )

    assert response is not None
    assert response.data["fields"] == {"case_number": ["Enter the case number."]}


def test_subclasses_answer_as_their_kind() -> None:
    class Decision:
        def __init__(self, reason: str) -> None:
            self.reason, self.message = reason, "No."

    assert status_of(MessageHidden(Decision("no_grant"))) == 404  # type: ignore[arg-type]
    assert status_of(MessageRefused(Decision("too_many_messages"))) == 403  # type: ignore[arg-type]
    assert status_of(UploadError("Too long.", code=UploadProblem.WRONG_LENGTH, offset=0)) == 400
    assert status_of(UploadConflict("Wrong offset.", code=UploadProblem.WRONG_OFFSET, offset=5)) == 409


class _Form(forms.Form):
    case_number = forms.CharField(required=False)
    expires_on = forms.DateField(required=False)


def test_a_refusal_lands_on_the_field_it_names_or_on_the_whole_form() -> None:
    form = _Form({})
    assert form.is_valid()

    form_errors_add(form, Invalid("Enter the case number.", code="case_number_missing", field="case_number"))
    form_errors_add(form, Refused("Only a supervisor can do this.", code="role_not_permitted"))
    form_errors_add(
        form,
        ValidationError({"expires_at": ["Choose a later day."], "unknown": ["Something else."]}),
        renames={"expires_at": "expires_on"},
    )

    assert form.errors == {
        "case_number": ["Enter the case number."],
        "expires_on": ["Choose a later day."],
        "__all__": ["Only a supervisor can do this.", "Something else."],
    }
