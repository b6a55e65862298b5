"""The department administrator's integration pages: the secret shown once, rotation with a
grace, (de)activation, recent deliveries and refusals; each change an audit event, kept in
history and on the board's administrative changes; anyone else answered 404 and logged."""

import re
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.admin_changes import admin_changes
from audit.models import AccessEvent, Action
from incidents import services
from incidents.models import Integration
from incidents.secrets import secret_decrypt, secret_fingerprint
from tenants.models import Department

from .conftest import admin_actor, integration_make, post_signed

pytestmark = pytest.mark.django_db


def _shown_secret(response: Any) -> str:
    found = re.search(r'id="integration-secret">(whsec_[A-Za-z0-9_-]+)<', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def test_an_administrator_adds_an_integration_and_sees_its_secret_once(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)

    created = client.post("/console/integrations/new/", {"kind": "gunshot", "name": "ShotSpotter", "shape": "gunshot"})

    secret = _shown_secret(created)
    integration = Integration.objects.get(name="ShotSpotter")
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    assert secret_decrypt(integration.secret_encrypted) == secret
    assert secret not in integration.secret_encrypted
    assert integration.secret_fingerprint == secret_fingerprint(secret)
    for page in ("/console/integrations/", f"/console/integrations/{integration.public_id}/"):
        shown = client.get(page).content.decode()
        assert secret not in shown
        assert integration.secret_fingerprint in shown
    event = AccessEvent.objects.filter(action=Action.INTEGRATION_CHANGE).latest("seq")
    assert (event.actor_id, event.details["change"], event.details["fingerprint"]) == (
        admin.pk,
        "created",
        integration.secret_fingerprint,
    )
    assert secret not in str(event.details)


def test_a_form_with_a_missing_name_is_refused_and_nothing_is_stored(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    # Counted, not assumed empty: the worker and race tests commit integrations into Rialto.
    before = Integration.objects.count()

    response = client.post("/console/integrations/new/", {"kind": "cad", "name": "  ", "shape": "generic"})

    assert response.status_code == 400
    assert Integration.objects.count() == before


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_for_the_grace(
    logged_in_staff: Any, in_rialto: Department, rialto_client: Any
) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, old_secret = integration_make()

    rotated = client.post(f"/console/integrations/{integration.public_id}/rotate/", {"confirm": "yes"})

    new_secret = _shown_secret(rotated)
    integration.refresh_from_db()
    assert new_secret != old_secret
    assert integration.secret_fingerprint == secret_fingerprint(new_secret)
    grace = (integration.previous_secret_valid_until - timezone.now()).total_seconds()  # type: ignore[operator]
    assert 3500 < grace <= 3600
    body = {"id": "R-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}
    assert post_signed(rialto_client, integration, old_secret, body).status_code == 202
    assert post_signed(rialto_client, integration, new_secret, {**body, "id": "R-2"}).status_code == 202
    page = client.get(f"/console/integrations/{integration.public_id}/").content.decode()
    assert "still accepted until" in page
    event = AccessEvent.objects.filter(action=Action.INTEGRATION_CHANGE).latest("seq")
    assert (event.actor_id, event.details["change"]) == (admin.pk, "rotated")


def test_deactivating_and_reactivating_are_audited_and_kept_in_history(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, _secret = integration_make()

    off = client.post(f"/console/integrations/{integration.public_id}/active/", {"active": "0", "confirm": "yes"})
    integration.refresh_from_db()
    was_active = integration.active
    client.post(f"/console/integrations/{integration.public_id}/active/", {"active": "1", "confirm": "yes"})

    integration.refresh_from_db()
    assert off.status_code == 302
    assert (was_active, integration.active) == (False, True)
    changes = list(
        AccessEvent.objects.filter(action=Action.INTEGRATION_CHANGE, actor_id=admin.pk)
        .order_by("seq")
        .values_list("details__change", flat=True)
    )
    assert changes == ["deactivated", "reactivated"]
    assert [h.active for h in integration.history.order_by("history_date")] == [True, False, True]
    assert integration.history.order_by("history_date").last().history_user == admin


def test_the_board_sees_integration_changes_among_the_administrative_changes(in_rialto: Department) -> None:
    actor = admin_actor()
    integration, _secret = services.integration_create(actor=actor, kind="cad", name="Board's CAD", shape="generic")
    services.integration_rotate(actor=actor, integration=integration)

    changes = [c for c in admin_changes(kind="integration_changed") if c.subject == "Board's CAD"]

    assert len(changes) == 2
    assert changes[0].who == changes[1].who == f"{actor.user.full_name} (#A1)"
    assert changes[0].change.startswith("secret rotated")
    assert changes[1].change.startswith("added")


def test_the_integration_page_shows_recent_deliveries_and_refusal_counts(
    logged_in_staff: Any, in_rialto: Department, rialto_client: Any
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, secret = integration_make()
    body = {"id": "D-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}
    post_signed(rialto_client, integration, secret, body)
    post_signed(rialto_client, integration, secret, body, HTTP_X_PORCHLIGHT_SIGNATURE="sha256=" + "2" * 64)

    page = client.get(f"/console/integrations/{integration.public_id}/").content.decode()
    listing = client.get("/console/integrations/").content.decode()

    deliveries = page[page.index('id="deliveries"') :]
    assert "Accepted, waiting" in deliveries
    refusals = page[page.index('id="refusals"') : page.index('id="deliveries"')]
    assert "signature_invalid" in refusals
    assert "<td>1</td>" in refusals
    assert re.search(r"County CAD</a>.*?<td>1</td></tr>", listing, re.S)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.OVERSIGHT])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/console/integrations/"),
        ("get", "/console/integrations/new/"),
        ("get", "/console/integrations/{id}/"),
        ("get", "/console/integrations/{id}/rotate/"),
        ("get", "/console/integrations/{id}/active/"),
        ("post", "/console/integrations/{id}/rotate/"),
        ("post", "/console/integrations/{id}/active/"),
    ],
)
def test_another_role_gets_404_and_the_refusal_is_logged(
    logged_in_staff: Any, in_rialto: Department, role: str, method: str, path: str
) -> None:
    integration, _secret = integration_make()
    fingerprint = integration.secret_fingerprint
    client, user = logged_in_staff(role)

    response = getattr(client, method)(path.format(id=integration.public_id))

    integration.refresh_from_db()
    assert response.status_code == 404
    assert AccessEvent.objects.filter(actor_id=user.pk, action="console_denied").count() == 1
    assert (integration.secret_fingerprint, integration.active) == (fingerprint, True)


def test_an_integration_of_another_department_is_not_found_on_the_console(
    logged_in_staff: Any, in_rialto: Department, fontana: Department
) -> None:
    from django_tenants.utils import tenant_context

    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    with tenant_context(fontana):
        fontanas, _secret = integration_make(name="Fontana CAD")

    page = client.get(f"/console/integrations/{fontanas.public_id}/")
    rotate = client.post(f"/console/integrations/{fontanas.public_id}/rotate/", {"confirm": "yes"})
    confirm = client.get(f"/console/integrations/{fontanas.public_id}/rotate/")

    assert (page.status_code, rotate.status_code, confirm.status_code) == (404, 404, 404)


def test_the_boards_page_of_administrative_changes_filters_integration_changes(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    integration, _secret = integration_make(name="Filtered CAD")
    services.integration_set_active(actor=admin_actor(), integration=integration, active=False)
    board, _member = logged_in_staff(Role.OVERSIGHT)

    response = board.get("/oversight/changes/", {"kind": "integration_changed"})

    assert response.status_code == 200
    mine = [c.change for c, _label in response.context["changes"] if c.subject == "Filtered CAD"]
    assert len(mine) == 2
    assert mine[0] == "deactivated"
    assert mine[1].startswith("added")
    assert "Filtered CAD" in response.content.decode()


# --- A reloaded answer (the browser sends the POST again) changes nothing a second time ------


def _once(page: Any) -> str:
    found = re.search(r'name="once" value="([^"]+)"', page.content.decode())
    assert found, page.content.decode()[:2000]
    return found.group(1)


def test_reloading_the_secret_page_after_adding_does_not_add_a_second_integration(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    once = _once(client.get("/console/integrations/new/"))
    form = {"kind": "cad", "name": "Reloaded CAD", "shape": "generic", "once": once}

    first = client.post("/console/integrations/new/", form)
    again = client.post("/console/integrations/new/", form)

    assert first.status_code == 201
    assert Integration.objects.filter(name="Reloaded CAD").count() == 1
    assert again.status_code == 303
    assert again["Location"] == "/console/integrations/"
    assert "whsec_" not in again.content.decode()


def test_reloading_the_secret_page_after_rotating_does_not_rotate_again(
    logged_in_staff: Any, in_rialto: Department, rialto_client: Any
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, old_secret = integration_make()
    detail = f"/console/integrations/{integration.public_id}/"
    once = _once(client.get(f"{detail}rotate/"))

    new_secret = _shown_secret(client.post(f"{detail}rotate/", {"once": once, "confirm": "yes"}))
    again = client.post(f"{detail}rotate/", {"once": once, "confirm": "yes"})

    assert again.status_code == 303
    assert again["Location"] == detail
    integration.refresh_from_db()
    # The secret shown first is the integration's, and the sender's old one keeps its grace.
    assert integration.secret_fingerprint == secret_fingerprint(new_secret)
    body = {"id": "RL-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}
    assert post_signed(rialto_client, integration, old_secret, body).status_code == 202
    rotations = AccessEvent.objects.filter(
        action=Action.INTEGRATION_CHANGE,
        details__change="rotated",
        targets__contains=[f"integration:{integration.public_id}"],
    )
    assert rotations.count() == 1


def test_each_refusal_reason_on_the_page_says_in_words_what_failed(
    logged_in_staff: Any, in_rialto: Department, rialto_client: Any
) -> None:
    from console.integration_views import REFUSAL_LABELS
    from incidents.limits import REFUSAL_REASONS

    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, secret = integration_make()
    body = {"id": "W-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}
    post_signed(rialto_client, integration, secret, body, HTTP_X_PORCHLIGHT_SIGNATURE="sha256=" + "2" * 64)

    page = client.get(f"/console/integrations/{integration.public_id}/").content.decode()

    assert set(REFUSAL_LABELS) == set(REFUSAL_REASONS)
    refusals = page[page.index('id="refusals"') : page.index('id="deliveries"')]
    assert "Wrong signature (not made with this integration" in refusals
    assert "<code>signature_invalid</code>" in refusals


# --- Rotating and deactivating ask first, saying what follows; a GET changes nothing ---------


def _integration_changes(integration: Integration) -> int:
    return AccessEvent.objects.filter(
        action=Action.INTEGRATION_CHANGE, targets__contains=[f"integration:{integration.public_id}"]
    ).count()


def test_the_integration_page_links_to_the_confirmations_and_posts_no_change_itself(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, _secret = integration_make()
    detail = f"/console/integrations/{integration.public_id}/"

    page = client.get(detail).content.decode()

    assert f'href="{detail}rotate/"' in page
    assert f'href="{detail}active/"' in page
    # (Other posting forms may be on the page: the integrity banner an admin sees when a notice is
    # open, committed by another test or by the daily check.)
    posting = re.findall(r'<form[^>]*method="post"[^>]*>', page)
    assert not [form for form in posting if "action=" not in form or "/console/integrations/" in form], posting


def test_opening_the_rotation_asks_first_says_what_follows_and_changes_nothing(
    logged_in_staff: Any, in_rialto: Department, rialto_client: Any
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, _secret = integration_make()
    fingerprint = integration.secret_fingerprint
    before = _integration_changes(integration)

    page = client.get(f"/console/integrations/{integration.public_id}/rotate/")

    text = page.content.decode()
    integration.refresh_from_db()
    assert page.status_code == 200
    assert "shown once" in text
    assert "still accepted for 60 minutes" in text
    assert 'name="confirm" value="yes"' in text
    assert "whsec_" not in text
    assert integration.secret_fingerprint == fingerprint
    assert _integration_changes(integration) == before


def test_a_rotation_posted_without_the_confirmation_changes_nothing_and_asks_again(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, _secret = integration_make()
    fingerprint = integration.secret_fingerprint

    response = client.post(f"/console/integrations/{integration.public_id}/rotate/", {"once": "x1"})

    integration.refresh_from_db()
    assert response.status_code == 200
    assert 'name="confirm" value="yes"' in response.content.decode()
    assert "whsec_" not in response.content.decode()
    assert integration.secret_fingerprint == fingerprint


def test_opening_the_deactivation_asks_first_says_what_follows_and_changes_nothing(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, _secret = integration_make()
    before = _integration_changes(integration)

    page = client.get(f"/console/integrations/{integration.public_id}/active/")

    text = page.content.decode()
    integration.refresh_from_db()
    assert page.status_code == 200
    assert "refused (403)" in text
    assert "no incident is made" in text
    assert 'name="active" value="0"' in text
    assert integration.active is True
    assert _integration_changes(integration) == before


def test_a_deactivation_posted_without_the_confirmation_changes_nothing(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, _secret = integration_make()

    response = client.post(f"/console/integrations/{integration.public_id}/active/", {"active": "0"})

    integration.refresh_from_db()
    assert response.status_code == 200
    assert 'name="confirm" value="yes"' in response.content.decode()
    assert integration.active is True


def test_opening_the_reactivation_of_a_deactivated_integration_says_deliveries_resume(
    logged_in_staff: Any, in_rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, _secret = integration_make()
    services.integration_set_active(actor=admin_actor(), integration=integration, active=False)

    text = client.get(f"/console/integrations/{integration.public_id}/active/").content.decode()

    integration.refresh_from_db()
    assert "accepted again" in text
    assert 'name="active" value="1"' in text
    assert integration.active is False


def test_the_board_reads_a_secrets_fingerprint_as_a_fingerprint_not_the_secret(in_rialto: Department) -> None:
    from django.utils import translation

    actor = admin_actor()
    before = AccessEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    integration, secret = services.integration_create(actor=actor, kind="cad", name="Board's CAD", shape="generic")
    services.integration_rotate(actor=actor, integration=integration)
    # This test's own creation: earlier tests commit integration changes into Rialto's log too.
    created = AccessEvent.objects.filter(action=Action.INTEGRATION_CHANGE, seq__gt=before).order_by("seq")[0]
    fingerprint = created.details["fingerprint"]

    def changes() -> list[str]:
        return [c.change for c in admin_changes(kind="integration_changed") if c.subject == "Board's CAD"]

    english = changes()
    with translation.override("es"):
        spanish = changes()

    assert f"secret fingerprint {fingerprint})" in english[1]
    assert english[0].startswith("secret rotated (new fingerprint ")
    assert f"huella del secreto {fingerprint})" in spanish[1]
    assert spanish[0].startswith("secreto renovado (huella nueva ")
    assert secret not in " ".join(english + spanish)
