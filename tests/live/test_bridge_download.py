"""The single-file bridge on the owner's bridge page (live.bridge_pyz, issue 19): only the
bridge's owner downloads it, its SHA-256 is on the page, and it runs on a plain Python 3 with
neither Django nor Pillow nor PyAV."""

import hashlib
import re
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Role
from cameras import services
from live.bridge_pyz import bridge_pyz_build
from live.services import IssuedBridge, bridge_create, bridge_revoke
from tests.conftest import TenantClient
from tests.factories import UserFactory

# Debian's own Python (no Django, no Pillow, no PyAV: what an owner's computer has), else ours.
ROOT = Path(__file__).resolve().parents[2]
PLAIN_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else shutil.which("python3") or "python3"


@pytest.fixture
def issued(in_rialto: Any, rialto_client: TenantClient) -> IssuedBridge:
    owner = UserFactory(role=Role.RESIDENT)
    site = services.site_create(
        owner=owner, department=in_rialto, lon=-117.38, lat=34.1, kind="residential", address="3 C"
    )
    camera = services.camera_register(owner=owner, site=site, label="Porch")
    rialto_client.force_login(owner)
    return bridge_create(owner=owner, site=site, name="Porch Pi", cameras=[camera])


def _url(issued: IssuedBridge) -> str:
    return f"/my/bridges/{issued.bridge.public_id}/porchlight-bridge.pyz"


def test_the_owner_downloads_the_pyz_whose_checksum_the_page_shows_and_it_runs(
    issued: IssuedBridge, rialto_client: TenantClient, tmp_path: Path
) -> None:
    page = rialto_client.get("/my/bridges/").content.decode()

    response = rialto_client.get(_url(issued))
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    saved = tmp_path / "porchlight-bridge.pyz"
    saved.write_bytes(body)
    helped = subprocess.run([PLAIN_PYTHON, str(saved), "--help"], capture_output=True, text=True, timeout=60)
    paired_help = subprocess.run(
        [PLAIN_PYTHON, str(saved), "pair", "--help"], capture_output=True, text=True, timeout=60
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="porchlight-bridge.pyz"'
    digest = hashlib.sha256(body).hexdigest()
    assert re.search(rf'<code class="pyz-sha256">{digest}</code>', page)
    assert f'href="{_url(issued)}"' in page
    assert helped.returncode == 0, helped.stderr
    assert "porchlight-bridge pair" in helped.stdout
    assert paired_help.returncode == 0, paired_help.stderr
    written = subprocess.run(
        [PLAIN_PYTHON, str(saved), "install-files", str(tmp_path / "setup")], capture_output=True, text=True, timeout=60
    )
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "setup" / "install.sh").read_bytes() == (ROOT / "bridge" / "deploy" / "install.sh").read_bytes()


def test_the_pyz_run_without_pillow_says_which_packages_to_install(
    issued: IssuedBridge, rialto_client: TenantClient, tmp_path: Path
) -> None:
    # given the download, on a Python that lacks Pillow (checked, so the test says what it proves)
    saved = tmp_path / "porchlight-bridge.pyz"
    saved.write_bytes(b"".join(rialto_client.get(_url(issued)).streaming_content))  # type: ignore[attr-defined]
    config = tmp_path / "bridge.toml"
    config.write_text('[cameras]\n"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b" = "test:"\n')
    has_pil = subprocess.run([PLAIN_PYTHON, "-c", "import PIL"], capture_output=True, timeout=30).returncode == 0
    if has_pil:
        pytest.skip(f"{PLAIN_PYTHON} has Pillow: nothing to ask for")

    # when the owner runs it
    done = subprocess.run(
        [PLAIN_PYTHON, str(saved), "--url", "ws://x.localhost:1", "--token", "t", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    # then one message says what to install, and no traceback
    assert done.returncode == 2
    assert "sudo apt install python3-pil python3-av" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("who", ["another owner", "anonymous", "revoked"])
def test_nobody_but_the_bridges_owner_gets_it(who: str, issued: IssuedBridge, in_rialto: Any) -> None:
    client = TenantClient("rialto.localhost")
    if who == "another owner":
        client.force_login(UserFactory(role=Role.RESIDENT))
    elif who == "revoked":
        client.force_login(issued.bridge.site.owner)
        bridge_revoke(owner=issued.bridge.site.owner, bridge=issued.bridge)

    response = client.get(_url(issued))

    assert response.status_code in (302, 404)
    assert response.status_code == (302 if who == "anonymous" else 404)
    assert not hasattr(response, "streaming_content")


def test_an_owner_of_another_department_gets_nothing(
    issued: IssuedBridge, in_fontana: Any, fontana_client: TenantClient
) -> None:
    fontana_client.force_login(UserFactory(role=Role.RESIDENT))

    response = fontana_client.get(_url(issued))

    assert response.status_code == 404


def test_the_build_is_reproducible_and_holds_the_bridge_and_websockets_only(tmp_path: Path) -> None:
    first = bridge_pyz_build(target=tmp_path / "a.pyz")
    second = bridge_pyz_build(target=tmp_path / "b.pyz")

    names = zipfile.ZipFile(BytesIO(first.path.read_bytes())).namelist()
    assert first.sha256 == second.sha256
    assert first.path.read_bytes().startswith(b"#!/usr/bin/env python3\n")
    assert {name.split("/")[0] for name in names} == {"__main__.py", "bridge", "websockets"}
    assert "bridge/deploy/install.sh" in names
    assert "websockets/LICENSE" in names
    assert not [n for n in names if n.endswith((".so", ".c", ".pyc"))]
