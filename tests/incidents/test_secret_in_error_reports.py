"""A failure while a secret is in hand never shows the secret in Django's error report (the
debug page, the administrators' error e-mail): the frames holding it are filtered."""

import time
from typing import Any

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

import incidents.api
from tests.incidents.conftest import integration_make

pytestmark = pytest.mark.django_db


def test_an_error_while_checking_a_signature_reports_no_secret(in_rialto: Any, monkeypatch: Any) -> None:
    integration, secret = integration_make()

    def failing(*args: Any, **kwargs: Any) -> Any:  # after the secrets were compared
        raise RuntimeError("the check failed")

    monkeypatch.setattr(incidents.api, "_refuse", failing)
    request = RequestFactory().post(
        "/",
        data=b"{}",
        content_type="application/json",
        HTTP_X_PORCHLIGHT_TIMESTAMP=str(int(time.time())),
        HTTP_X_PORCHLIGHT_SIGNATURE="sha256=" + "0" * 64,
    )

    with pytest.raises(RuntimeError) as raised:
        incidents.api._signature_refusal(integration, request, b"{}")

    # From the receiver's frame on (this test's own frame holds the secret too).
    tb = raised.tb.tb_next
    report = ExceptionReporter(request, RuntimeError, raised.value, tb).get_traceback_html()
    assert "the check failed" in report
    assert "_signature_refusal" in report
    assert secret not in report
