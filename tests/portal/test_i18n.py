"""Every page is available in Spanish: the catalogue is complete and the pages use it."""

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation.reloader import translation_file_changed

from accounts.models import Role
from cameras import access
from tests.conftest import TenantClient
from tests.factories import UserFactory, camera_make

PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogue() -> None:
    """The .mo files are not committed; compile them when missing or older than the .po."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        call_command("compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0)
        # Forget catalogues loaded before the .mo existed.
        translation_file_changed(sender=None, file_path=MO)


def _po_entries(path: Path) -> list[dict[str, Any]]:
    """A small PO parser: the flags, msgid, msgid_plural and msgstr(s) of every live entry."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, Any] = {"flags": set(), "fields": {}}
        current = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                break  # obsolete entries do not reach the .mo
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line):
                current = match.group(1)
                entry["fields"][current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                entry["fields"][current] += ast.literal_eval(line)
        if "msgid" in entry["fields"]:
            entries.append(entry)
    return entries


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


def _spanish(client: TenantClient, path: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    return response.content.decode()


def test_the_spanish_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    entries = _po_entries(PO)

    header = [e for e in entries if e["fields"]["msgid"] == ""]
    messages = [e for e in entries if e["fields"]["msgid"] != ""]
    untranslated = [
        e["fields"]["msgid"]
        for e in messages
        if not any(value for key, value in e["fields"].items() if key.startswith("msgstr"))
        or any(value == "" for key, value in e["fields"].items() if key.startswith("msgstr"))
    ]
    fuzzy = [e["fields"]["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert len(header) == 1
    assert "Language: es\n" in header[0]["fields"]["msgstr"]
    assert len(messages) > 400
    assert untranslated == []
    assert fuzzy == []


def test_every_plural_translation_has_each_form_spanish_needs() -> None:
    """Spanish has three plural forms (the header's nplurals=3, as in Django's own catalogue).

    An entry with only two would still compile, but ngettext then finds no form for counts
    such as 5 and shows the English original.
    """
    entries = _po_entries(PO)
    header = next(e for e in entries if e["fields"]["msgid"] == "")["fields"]["msgstr"]
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", header).group(1))  # type: ignore[union-attr]

    short = [
        e["fields"]["msgid"]
        for e in entries
        if "msgid_plural" in e["fields"]
        and sorted(k for k in e["fields"] if k.startswith("msgstr[")) != [f"msgstr[{i}]" for i in range(nplurals)]
    ]

    assert short == []


def test_every_translation_keeps_the_placeholders_of_its_original() -> None:
    entries = [e for e in _po_entries(PO) if e["fields"]["msgid"]]

    mismatched = [
        (e["fields"]["msgid"], key)
        for e in entries
        for key, value in e["fields"].items()
        if key.startswith("msgstr")
        and _placeholders(value)
        != _placeholders(e["fields"]["msgid_plural" if key in ("msgstr[1]", "msgstr[2]") else "msgid"])
    ]
    assert mismatched == []


def test_portal_home_in_spanish(rialto_client: TenantClient) -> None:
    page = _spanish(rialto_client, "/")

    assert '<html lang="es">' in page
    assert "Registre su cámara con Rialto Police Department" in page
    assert "Al registrarla, la policía sabe que su cámara existe." in page
    assert "Saber que la cámara existe" in page
    assert "Pedirme grabaciones" in page
    assert "Se le avisa a usted después." in page
    assert "Registering tells the police that your camera exists." not in page
    assert "Ask me for footage" not in page
    assert "What each choice lets police do" not in page


def test_portal_home_in_english_by_default(rialto_client: TenantClient) -> None:
    response = rialto_client.get("/")

    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Registering tells the police that your camera exists." in page
    assert "Al registrarla" not in page


def test_language_cookie_selects_spanish(rialto_client: TenantClient) -> None:
    rialto_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = rialto_client.get("/").content.decode()

    assert "Lo que cada opción le permite hacer a la policía" in page
    assert "What each choice lets police do" not in page


def test_login_page_in_spanish(rialto_client: TenantClient) -> None:
    page = _spanish(rialto_client, "/accounts/login/")

    assert "Iniciar sesión" in page
    assert "Contraseña" in page
    assert "Residentes y negocios: si aún no tiene una cuenta" in page
    assert "El personal y los miembros de la junta de supervisión no se registran" in page
    assert "Password" not in page
    assert "Sign in" not in page


def test_my_cameras_in_spanish(in_rialto: Any, rialto_client: TenantClient) -> None:
    owner: Any = UserFactory(role=Role.RESIDENT)
    camera_make(owner, in_rialto, label="Front door")
    rialto_client.force_login(owner)

    page = _spanish(rialto_client, "/my/")

    assert "<h1>Mis cámaras</h1>" in page
    assert "Registrar una propiedad" in page
    assert "Quién accedió a mis cámaras" in page
    assert "La policía sabe que su cámara existe y puede enviarle mensajes." in page
    assert "Residente" in page
    assert "Front door" in page
    assert "Police know your camera exists" not in page
    assert "Who accessed my cameras" not in page


def test_my_cameras_in_spanish_without_a_property(in_rialto: Any, rialto_client: TenantClient) -> None:
    owner: Any = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(owner)

    page = _spanish(rialto_client, "/my/")

    assert "Todavía no ha registrado ninguna propiedad." in page
    assert "You have not registered a property yet." not in page


def test_language_switcher_turns_the_portal_spanish(rialto_client: TenantClient) -> None:
    response = rialto_client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    page = rialto_client.get("/").content.decode()

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert rialto_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es">' in page
    assert "Lo que cada opción le permite hacer a la policía" in page
    assert "What each choice lets police do" not in page


def test_language_switcher_back_to_english(rialto_client: TenantClient) -> None:
    rialto_client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    rialto_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = rialto_client.get("/").content.decode()

    assert "What each choice lets police do" in page
    assert "Lo que cada opción le permite hacer a la policía" not in page


def test_the_access_log_names_the_purpose_in_spanish(in_rialto: Any, rialto_client: TenantClient) -> None:
    owner: Any = UserFactory(role=Role.RESIDENT)
    camera = camera_make(owner, in_rialto, label="Front door")
    officer = access.Actor(user=UserFactory(role=Role.OFFICER, badge_number="0815"), mfa=True)
    purpose = access.purpose_declare(actor=officer, case_number="RPD-1", category="property_crime", text="Theft")
    access.camera_lookup(actor=officer, purpose=purpose, public_id=camera.public_id)
    rialto_client.force_login(owner)

    page = _spanish(rialto_client, "/my/access/")

    assert "Delito contra la propiedad" in page
    assert "property crime" not in page.lower()
