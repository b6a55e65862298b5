"""In a real browser, in English and Spanish, with and without JavaScript: an every-night
schedule in one save, Pause all asking first and Resume all, and the public department finder.
Screenshots go to tests/e2e/artifacts/."""

from typing import Any

import pytest
from playwright.sync_api import expect

from cameras.models import Camera
from tests.e2e.conftest import LiveServer
from tests.e2e.test_resident_registers_cameras import _owner_with_a_camera
from tests.live.test_consumers import committed

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

HOST = "rialto.localhost"


def _owner_page(browser: Any, locale: str, javascript: bool = True) -> tuple[Any, Any, str]:
    session_key, camera_id = committed(_owner_with_a_camera)
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale=locale, java_script_enabled=javascript
    )
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, camera_id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_an_every_night_schedule_takes_one_save(
    porchlight_server: LiveServer, browser: Any, shot: Any, locale: str, javascript: bool
) -> None:
    # given an owner on their camera's consent page
    context, page, camera_id = _owner_page(browser, locale, javascript)
    page.goto(porchlight_server.url(HOST, f"/my/cameras/{camera_id}/consent/"))
    page.check("input[name=level][value=live]")
    shot(page, f"consent-{locale}")

    # when they pick "every night" and use it, then save once
    page.check("input[name=preset-preset][value=nights]")
    page.click("button[name=apply_preset]")
    page.wait_for_selector("tr.window [name=w-6-start]")
    nights = page.eval_on_selector_all(
        "tr.window:not([hidden]) [name$=-start]", "inputs => inputs.filter(i => i.value === '22:00').length"
    )
    assert nights == 7
    shot(page, f"nights-filled-{locale}")
    page.click("button[name=save]")
    page.wait_for_url("**/my/")

    # then the seven nights are saved and "My cameras" says so in one line
    camera = committed(lambda: Camera.objects.select_related("consent").get(public_id=camera_id))
    assert len(camera.consent.windows) == 7
    summary = "every day 22:00\u201306:00" if locale == "en-US" else "todos los días 22:00\u201306:00"
    expect(page.locator("small.schedule")).to_contain_text(summary)
    shot(page, f"my-cameras-{locale}")
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_pause_all_asks_first_and_resume_all_brings_the_cameras_back(
    porchlight_server: LiveServer, browser: Any, shot: Any, locale: str
) -> None:
    # given an owner on "My cameras"
    context, page, camera_id = _owner_page(browser, locale)
    page.goto(porchlight_server.url(HOST, "/my/"))

    # when they press "Pause all", they are asked first, and choose 24 hours
    page.click("a[href='/my/pause-all/']")
    page.wait_for_url("**/my/pause-all/")
    shot(page, f"pause-confirm-{locale}")
    assert committed(lambda: Camera.objects.get(public_id=camera_id).status) == "active"
    page.check("input[name=duration][value='24h']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/")
    shot(page, f"paused-{locale}")
    assert committed(lambda: Camera.objects.get(public_id=camera_id).status) == "paused"

    # then "Resume all", confirmed, brings the camera back
    page.click("a[href='/my/resume-all/']")
    shot(page, f"resume-confirm-{locale}")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/")
    shot(page, f"resumed-{locale}")
    assert committed(lambda: Camera.objects.get(public_id=camera_id).status) == "active"
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_public_page_finds_a_department_by_name(
    porchlight_server: LiveServer, browser: Any, shot: Any, locale: str
) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale=locale)
    page = context.new_page()
    page.goto(porchlight_server.url("localhost", "/"))

    page.fill("[name=q]", "rialto")
    page.press("[name=q]", "Enter")

    results = page.locator("ul.finder-results")
    expect(results.locator("a")).to_have_count(1)
    expect(results).to_contain_text("Rialto Police Department")
    shot(page, f"finder-{locale}")
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_consent_schedule_fits_a_phone(porchlight_server: LiveServer, browser: Any, shot: Any, locale: str) -> None:
    # given an owner on a 375-px phone with a seven-row schedule on their consent page
    session_key, camera_id = committed(_owner_with_a_camera)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale=locale)
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url(HOST, f"/my/cameras/{camera_id}/consent/"))
    page.check("input[name=level][value=live]")
    page.check("input[name=preset-preset][value=nights]")
    page.click("button[name=apply_preset]")
    page.wait_for_selector("tr.window [name=w-6-start]")
    shot(page, f"consent-schedule-375-{locale}")

    # then every field of every row, "ends the next day" and "Remove" too, is on the screen
    for name in ("day", "start", "end", "next_day", "DELETE"):
        for box in page.eval_on_selector_all(
            f"tr.window:not([hidden]) [name$=-{name}]",
            "inputs => inputs.map(i => { const r = i.getBoundingClientRect(); return [r.left, r.right]; })",
        ):
            assert box[0] >= 0, (name, box)
            assert box[1] <= 375, (name, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def _owner_with_an_attestation() -> tuple[str, str]:
    """A business owner's session key and the public id of an attestation they signed, committed."""
    import datetime as dt
    import uuid

    from cameras.models import Site
    from compliance import services as compliance_services
    from tenants.models import DepartmentPolicy
    from tests.factories import ordinance_make

    session_key, camera_id = _owner_with_a_camera()
    camera = Camera.objects.select_related("site", "site__owner").get(public_id=camera_id)
    Site.objects.filter(pk=camera.site_id).update(kind="business", business_category="hotel")
    policy = DepartmentPolicy.objects.get(department__schema_name="rialto")
    version = ordinance_make(
        policy,
        {
            "name": f"Hotel affidavit {uuid.uuid4().hex[:6]}",
            "effective_on": dt.date(2025, 1, 1),
            "business_categories": ["hotel"],
            "signage": True,
            "attestation_month": 5,
            "attestation_day": 1,
        },
    )
    attestation = compliance_services.attestation_file(
        owner=camera.site.owner,
        site_public_id=camera.site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        signed_name="Ada Innkeeper",
        confirmed=["signage"],
        ip_address="10.0.0.1",
    )
    return session_key, str(attestation.public_id)


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_a_signed_attestation_fits_a_phone(porchlight_server: LiveServer, browser: Any, shot: Any, locale: str) -> None:
    # given an owner with a signed attestation, on a 375-px phone
    session_key, attestation_id = committed(_owner_with_an_attestation)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale=locale)
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()

    # when they open it (the attested text and the SHA-256 are long unbroken lines)
    page.goto(porchlight_server.url(HOST, f"/my/attestations/{attestation_id}/"))
    expect(page.locator("code.sha256")).to_be_visible()
    shot(page, f"attestation-375-{locale}")

    # then nothing runs off the side of the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
