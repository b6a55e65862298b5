"""The live tile: named by its camera and address block once the gate allows the view, ended
by the officer's End button (logged as every end is), and every close code has words."""

import re
from pathlib import Path

import pytest

from cameras.models import Site
from live.consumers import END_CODES, VIEWER_BAD_REQUEST, VIEWER_DENIED, VIEWER_NOT_FOUND, VIEWER_UNAUTHENTICATED
from live.models import LiveSession
from tests.live.test_consumers import Scene, _scene, closed_with, committed, json_of, last_event, viewer

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scene() -> Scene:
    return committed(_scene)


def _site_address(scene: Scene, address: str, share: bool) -> None:
    def change() -> None:
        Site.objects.filter(cameras__pk=scene.camera_pk).update(address=address, share_contact=share)

    committed(change)


@pytest.mark.parametrize(
    ("share", "shown"), [(False, "1200 block of W Baseline Rd"), (True, "1234 W Baseline Rd Apt 4")]
)
async def test_the_tile_names_the_camera_and_its_address_block_once_the_view_is_allowed(
    scene: Scene, share: bool, shown: str
) -> None:
    _site_address(scene, "1234 W Baseline Rd Apt 4", share)
    view = viewer(scene)
    await view.connect()

    session = await json_of(view)

    assert session["type"] == "session"
    assert session["camera"] == {"name": "Fixed camera · Outside", "address": shown}
    await view.disconnect()


async def test_a_refused_view_names_no_camera_and_no_address(scene: Scene) -> None:
    _site_address(scene, "1234 W Baseline Rd", True)
    view = viewer(scene, purpose="")
    await view.connect()

    denied = await json_of(view)

    assert denied["type"] == "denied"
    assert "Baseline" not in str(denied)
    assert await closed_with(view, within=1.0) == VIEWER_BAD_REQUEST


async def test_the_end_button_ends_the_view_logs_it_and_closes_normally(scene: Scene) -> None:
    view = viewer(scene)
    await view.connect()
    await json_of(view)

    await view.send_json_to({"type": "end"})

    assert await closed_with(view, within=1.0) == 1000
    ended = committed(lambda: LiveSession.objects.get(officer_id=scene.officer_id))
    assert ended.ended_at is not None
    assert ended.end_reason == "viewer_left"
    assert (last_event(scene).action, last_event(scene).reason) == ("live_end", "viewer_left")


def _page_codes() -> set[str]:
    template = (ROOT / "live/templates/live/live.html").read_text()
    block = template.split('id="live-messages">', 1)[1].split("</script>", 1)[0]
    return set(re.findall(r'"(\d{4})":', block))


def test_every_close_code_a_viewer_can_get_has_a_translated_sentence_on_the_page() -> None:
    codes = {str(c) for c in END_CODES.values()} | {
        str(c) for c in (VIEWER_BAD_REQUEST, VIEWER_DENIED, VIEWER_NOT_FOUND, VIEWER_UNAUTHENTICATED)
    }

    assert codes <= _page_codes()


def test_every_close_code_of_the_page_is_documented() -> None:
    docs = (ROOT / "docs/bridge-protocol.md").read_text().split("## Viewer close codes", 1)[1]

    assert {code for code in _page_codes() if code not in {"1001", "1006"}} <= set(
        re.findall(r"^\| (\d{4}) \|", docs, re.M)
    )


def test_every_sentence_of_the_live_page_is_translated() -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("es"):
        page = render_to_string("live/live.html", {"cameras": ["x"], "purpose": None})

    assert "Terminó esta transmisión en vivo." in page
    assert "You ended this live view." not in page
