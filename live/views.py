"""Pages: the console's live view and live wall, and the owner's bridges and live sessions."""

import base64
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from cameras import selectors as camera_selectors
from cameras.mixins import OwnerRequiredMixin, StaffConsoleMixin
from cameras.models import Site
from tenants.selectors import department_base_url

from . import bridge_pyz, camera_status, pairing, selectors, services
from .models import Bridge, LiveSession
from .qr import qr_svg

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest

# A live page may show at most this many views at once (the live wall).
LIVE_WALL_MAX = 9
# The POST that opens live views hands the browser, by a redirect, a handle to one showing of
# the live page: bound to this session, single-use, and good only for this long.
SESSION_LIVE_HANDLES = "live_handles"
LIVE_HANDLE_SECONDS = 60
LIVE_HANDLES_KEPT = 20


class LiveWallOpenView(StaffConsoleMixin, View):
    """Opens a live wall (one camera or several): the POST that chooses its cameras and hands
    the browser to LiveWallView; the camera data flows through /ws/live/, which asks the gate.

    The live page opens its views at once, and each one is logged, started at the bridge and
    told to the owner: only a POST from the console (CSRF-checked, as for the exports) opens
    them, so no link, redirect or prefetch makes an officer's browser watch a camera. The POST
    redirects (POST/redirect/GET) to a page that shows them once: a reload, or going back to
    it, does not resubmit the POST nor open new views (see LiveWallView)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        purpose = self.purpose()
        if purpose is None:
            return self.to_state_purpose()
        ids = list(dict.fromkeys(c for c in request.POST.getlist("camera") if c))
        if not ids:
            message = _("Choose at least one camera to watch: tick it under Live in the search results.")
            return render(request, "live/live.html", {"purpose": purpose, "error": message}, status=400)
        if len(ids) > LIVE_WALL_MAX:
            message = _("A live wall shows at most %(max)d cameras; you chose %(count)d. Choose fewer.") % {
                "max": LIVE_WALL_MAX,
                "count": len(ids),
            }
            return render(request, "live/live.html", {"purpose": purpose, "error": message}, status=400)
        online = _online(request, ids)
        if not online:
            message = ngettext(
                "The camera's bridge (the owner's computer that relays it) is offline: it cannot be watched now.",
                "The bridges of these cameras (the owners' computers that relay them) are offline: "
                "they cannot be watched now.",
                len(ids),
            )
            return render(request, "live/live.html", {"purpose": purpose, "error": message}, status=409)
        if len(online) < len(ids):
            messages.warning(
                request,
                ngettext(
                    "%(count)d camera was left out: its bridge is offline.",
                    "%(count)d cameras were left out: their bridges are offline.",
                    len(ids) - len(online),
                )
                % {"count": len(ids) - len(online)},
            )
        ids = online
        handle = secrets.token_urlsafe(16)
        # The latest few, used or not: a reload of an ended page can still link its camera.
        kept = list(request.session.get(SESSION_LIVE_HANDLES, {}).items())[-(LIVE_HANDLES_KEPT - 1) :]
        handles = dict(kept)
        handles[handle] = {"cameras": ids, "expires": time.time() + LIVE_HANDLE_SECONDS, "used": False}
        request.session[SESSION_LIVE_HANDLES] = handles
        return redirect("console-live-page", handle=handle)


def _online(request: HttpRequest, ids: list[str]) -> list[str]:
    """Those of the chosen cameras (in their order) that a connected bridge serves: a camera
    with no picture to show is not opened. An id that is not a UUID names no camera."""
    wanted: dict[uuid.UUID, str] = {}
    for raw in ids:
        try:
            wanted[uuid.UUID(raw)] = raw
        except ValueError:
            continue
    online = selectors.cameras_with_bridge_online(
        schema=request.tenant.schema_name,  # type: ignore[attr-defined]
        camera_public_ids=list(wanted),
    )
    return [raw for camera, raw in wanted.items() if camera in online]


class LiveWallView(StaffConsoleMixin, View):
    """Shows the live wall of one POST (LiveWallOpenView): once, to the session that made the
    POST, within LIVE_HANDLE_SECONDS. A used, expired or unknown handle opens nothing and says how
    to open a new view, so a reload is never a new, logged live view without a click."""

    def get(self, request: HttpRequest, handle: str) -> HttpResponse:
        purpose = self.purpose()
        if purpose is None:
            return self.to_state_purpose()
        entry = request.session.get(SESSION_LIVE_HANDLES, {}).get(handle)
        fresh = entry is not None and not entry["used"] and entry["expires"] > time.time()
        if entry is not None and not entry["used"]:
            entry["used"] = True
            request.session.modified = True
            # The session is saved only when the response goes: the cache makes the handle
            # single-use even for two requests with it at once.
            fresh = fresh and cache.add(f"live-handle-used:{handle}", 1, LIVE_HANDLE_SECONDS)
        if not fresh:
            cameras = entry["cameras"] if entry is not None else []
            response = render(
                request, "live/live.html", {"purpose": purpose, "ended": True, "ended_cameras": cameras}, status=410
            )
        else:
            cameras = entry["cameras"]
            context = {
                "cameras": cameras,
                "purpose": purpose,
                "wall": len(cameras) > 1,
                "tile_url": settings.PORCHLIGHT_TILE_URL,  # the map of a mobile camera's track
            }
            response = render(request, "live/live.html", context)
        add_never_cache_headers(response)
        return response


class BridgesView(OwnerRequiredMixin, View):
    template = "live/bridges.html"

    def _context(self, request: "AuthenticatedHttpRequest", **extra: Any) -> dict[str, Any]:
        owner = request.user
        bridges = selectors.bridges_of_owner(owner=owner)
        schema = request.tenant.schema_name
        return {
            "bridges": bridges,
            "connected": selectors.bridges_connected(schema=schema, bridges=bridges),
            # issue 19: each camera's live status (streaming, error, …) beside its bridge
            "camera_statuses": camera_status.camera_statuses_of_owner(
                owner=owner, schema=schema, cameras=[c for b in bridges for c in b.cameras.all()]
            ),
            "sites": camera_selectors.sites_of_owner(owner=owner),
            "live_sessions": selectors.live_sessions_of_owner(owner=owner),
            "server_url": department_base_url(request.tenant).replace("http", "ws", 1),
            "pyz": bridge_pyz.bridge_pyz(),
            **extra,
        }

    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        return render(request, self.template, self._context(request))

    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        owner = request.user
        if "pair" in request.POST:
            try:
                issued_pairing = pairing.bridge_pairing_issue(owner=owner, bridge_public_id=request.POST["pair"])
            except Bridge.DoesNotExist as exc:  # another owner's, disconnected or a malformed id: one answer
                raise Http404 from exc
            return render(request, self.template, self._context(request, **self._pairing(request, issued_pairing)))
        if "revoke" in request.POST:
            try:
                bridge = Bridge.objects.get(public_id=request.POST["revoke"], site__owner=owner)
            except (Bridge.DoesNotExist, ValidationError) as exc:
                raise Http404 from exc
            services.bridge_revoke(owner=owner, bridge=bridge)
            messages.success(request, _("Bridge disconnected; its token no longer works."))
            return redirect("portal-bridges")
        if "change_cameras" in request.POST:
            try:
                bridge = services.bridge_cameras_set(
                    owner=owner,
                    bridge_public_id=request.POST["change_cameras"],
                    camera_public_ids=request.POST.getlist("cameras"),
                )
            except Bridge.DoesNotExist as exc:  # another owner's, revoked or a malformed id
                raise Http404 from exc
            except ValidationError as exc:
                return render(request, self.template, self._context(request, errors=exc.messages), status=400)
            messages.success(
                request, _("The cameras of bridge “%(name)s” were changed; it keeps its token.") % {"name": bridge.name}
            )
            return redirect("portal-bridges")
        if "end_session" in request.POST:
            try:
                services.live_session_owner_end(owner=owner, session_public_id=request.POST["end_session"])
            except (
                LiveSession.DoesNotExist,
                ValidationError,
            ) as exc:  # unknown, another's, ended or malformed: one answer
                raise Http404 from exc
            messages.success(request, _("Live view ended."))
            return redirect("portal-bridges")
        try:
            site = camera_selectors.site_of_owner(owner=owner, public_id=request.POST.get("site"))
            cameras = list(site.cameras.filter(public_id__in=request.POST.getlist("cameras")))
            issued = services.bridge_create(owner=owner, site=site, name=request.POST.get("name", ""), cameras=cameras)
        except ValidationError as exc:
            return render(request, self.template, self._context(request, errors=exc.messages), status=400)
        except Site.DoesNotExist as exc:  # another owner's site, or none (a malformed id is a ValidationError above)
            raise Http404 from exc
        issued_pairing = pairing.bridge_pairing_issue(owner=owner, bridge_public_id=issued.bridge.public_id)
        return render(
            request,
            self.template,
            self._context(
                request, new_token=issued.token, new_bridge=issued.bridge, **self._pairing(request, issued_pairing)
            ),
        )

    def _pairing(self, request: "AuthenticatedHttpRequest", issued: pairing.IssuedPairing) -> dict[str, Any]:
        """What the page shows of a new pairing code: the code, its expiry, and a QR code of
        the pairing URI (bridge.pairing reads it: a handheld scanner types it at the prompt)."""
        base = department_base_url(request.tenant)
        scheme, _sep, host = base.partition("://")
        code = pairing.code_display(issued.code)
        uri = f"porchlight-pair://{host.rstrip('/')}/?code={code}" + ("&ws=ws" if scheme == "http" else "")
        return {
            "pairing": issued,
            "pairing_code": code,
            "pairing_uri": uri,
            "pairing_qr": qr_svg(uri, label=_("QR code of the pairing code")),
        }


class BridgePyzView(OwnerRequiredMixin, View):
    """The single-file bridge (live.bridge_pyz) for one of the owner's bridges: the file is the
    same for every bridge, but the link sits with the bridge it sets up, and only that bridge's
    owner gets it (another owner's, a revoked or an unknown bridge: 404)."""

    def get(self, request: "AuthenticatedHttpRequest", bridge: uuid.UUID) -> FileResponse:
        if not selectors.bridges_of_owner(owner=request.user).filter(public_id=bridge).exists():
            raise Http404
        pyz = bridge_pyz.bridge_pyz()
        response = FileResponse(
            pyz.path.open("rb"), as_attachment=True, filename=bridge_pyz.FILENAME, content_type=bridge_pyz.CONTENT_TYPE
        )
        # RFC 9530: the digest of the bytes sent, for a client that checks it (the page shows it too).
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(pyz.sha256)).decode()}:"
        add_never_cache_headers(response)
        return response
