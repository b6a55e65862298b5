"""The department's own cameras (dept_admin only): the list, registering, editing and retiring
one, and importing a CSV or GeoJSON file of them. Views validate and call cameras.department."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cameras import department
from cameras.models import CameraImportStatus, DepartmentCamera, DepartmentCameraImport
from core.errors import DomainError, NotFound
from core.forms import form_errors_add

from .department_camera_forms import DepartmentCameraForm, DepartmentCameraImportForm
from .licence_views import DeptAdminConsoleMixin

PAGE_SIZE = 50


def _form_context(request: HttpRequest, **context: Any) -> dict[str, Any]:
    """The form's context with what the pick map needs (static/js/map.js, mode "pick")."""
    boundary = request.tenant.boundary  # type: ignore[attr-defined]
    return {
        "tile_url": settings.PORCHLIGHT_TILE_URL,
        "boundary": json.loads(boundary.geojson) if boundary else None,
        **context,
    }


def _record_or_404(camera_id: Any) -> DepartmentCamera:
    try:
        return department.department_camera_get(public_id=camera_id)
    except NotFound as exc:
        raise Http404 from exc


def _job_or_404(job_id: Any) -> DepartmentCameraImport:
    try:
        return department.camera_import_get(public_id=job_id)
    except NotFound as exc:
        raise Http404 from exc


class DepartmentCamerasView(DeptAdminConsoleMixin, View):
    template = "console/department_cameras/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        state = request.GET.get("state", "active")
        state = state if state in ("active", "retired", "") else "active"
        kind = request.GET.get("kind", "")
        kind = kind if kind in ("fixed", "mobile") else ""
        rows = department.department_cameras(query=query, state=state, kind=kind)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"page": page, "q": query, "state": state, "kind": kind}
        return render(request, self.template, context)


class DepartmentCameraCreateView(DeptAdminConsoleMixin, View):
    template = "console/department_cameras/form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, _form_context(request, form=DepartmentCameraForm(), record=None))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DepartmentCameraForm(request.POST)
        if form.is_valid():
            try:
                camera = department.department_camera_register(
                    actor=request.user,  # type: ignore[arg-type]
                    department=request.tenant,  # type: ignore[attr-defined]
                    spec=form.spec(),
                )
            except (ValidationError, DomainError) as exc:
                form_errors_add(form, exc, renames={"location": "latitude"})
            else:
                messages.success(request, _("Camera %(label)s registered.") % {"label": camera.label})
                return redirect("console-department-cameras")
        return render(request, self.template, _form_context(request, form=form, record=None), status=400)


class DepartmentCameraEditView(DeptAdminConsoleMixin, View):
    template = "console/department_cameras/form.html"

    def get(self, request: HttpRequest, camera_id: Any) -> HttpResponse:
        record = _record_or_404(camera_id)
        camera = record.camera
        form = DepartmentCameraForm(
            initial={
                "label": camera.label,
                "latitude": camera.location.y,
                "longitude": camera.location.x,
                "bearing_deg": camera.bearing_deg,
                "fov_angle_deg": camera.fov_angle_deg,
                "range_m": camera.range_m,
                "address": camera.site.address,
                "stream_url": record.stream_url,
                "mobile": camera.mobile,
            }
        )
        return render(request, self.template, _form_context(request, form=form, record=record))

    def post(self, request: HttpRequest, camera_id: Any) -> HttpResponse:
        record = _record_or_404(camera_id)
        form = DepartmentCameraForm(request.POST)
        if form.is_valid():
            try:
                department.department_camera_update(
                    actor=request.user,  # type: ignore[arg-type]
                    department=request.tenant,  # type: ignore[attr-defined]
                    record=record,
                    spec=form.spec(),
                )
            except (ValidationError, DomainError) as exc:
                form_errors_add(form, exc, renames={"location": "latitude"})
            else:
                messages.success(request, _("Camera saved."))
                return redirect("console-department-cameras")
        return render(request, self.template, _form_context(request, form=form, record=record), status=400)


class DepartmentCameraRetireView(DeptAdminConsoleMixin, View):
    def post(self, request: HttpRequest, camera_id: Any) -> HttpResponse:
        record = _record_or_404(camera_id)
        department.department_camera_retire(actor=request.user, record=record)  # type: ignore[arg-type]
        messages.success(
            request,
            _("Camera %(label)s retired: officers can no longer use it; the access log keeps it.")
            % {"label": record.camera.label},
        )
        return redirect("console-department-cameras")


# csrf_exempt on dispatch, csrf_protect on the upload: a file too large is refused by its
# declared length before anything reads the body (the CSRF check would parse all of it).
@method_decorator(csrf_exempt, name="dispatch")
class DepartmentCameraImportsView(DeptAdminConsoleMixin, View):
    template = "console/department_cameras/imports.html"

    def _render(
        self, request: HttpRequest, form: DepartmentCameraImportForm, status: int = 200, refusal: str = ""
    ) -> HttpResponse:
        context = {
            "form": form,
            "jobs": department.camera_imports_recent(),
            "refusal": refusal,
            "max_rows": settings.PORCHLIGHT_CAMERA_IMPORT_MAX_ROWS,
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, DepartmentCameraImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        # The form's other fields and the multipart framing take a few hundred bytes.
        if declared > settings.PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES + 64 * 1024:
            refusal = department.file_too_large_message(size=declared)
            return self._render(request, DepartmentCameraImportForm(), status=413, refusal=refusal)
        return self._upload(request)

    @method_decorator(csrf_protect)
    def _upload(self, request: HttpRequest) -> HttpResponse:
        form = DepartmentCameraImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = department.camera_import_create(
                    actor=request.user,  # type: ignore[arg-type]
                    upload=form.cleaned_data["file"],
                )
            except DomainError as exc:
                form_errors_add(form, exc)
            else:
                return redirect("console-department-camera-import", job_id=job.public_id)
        return self._render(request, form, status=400)


def _errors(job: DepartmentCameraImport) -> list[tuple[Any, str, str]]:
    return [
        (error.get("row") or "", error.get("column", ""), department.row_error_sentence(error)) for error in job.errors
    ]


class DepartmentCameraImportView(DeptAdminConsoleMixin, View):
    """The job's page: its progress while it runs, then what it stored or every error."""

    template = "console/department_cameras/import.html"

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job_or_404(job_id)
        return render(request, self.template, {"job": job, "errors": _errors(job)})


class DepartmentCameraImportStatusView(DeptAdminConsoleMixin, View):
    """The progress fragment the job's page polls (htmx); once the job ends, the whole page is
    reloaded to show what it stored or every error."""

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job_or_404(job_id)
        response = render(request, "console/department_cameras/_import_status.html", {"job": job})
        finished = (CameraImportStatus.DONE, CameraImportStatus.REJECTED, CameraImportStatus.FAILED)
        if request.headers.get("HX-Request") and job.status in finished:
            response["HX-Refresh"] = "true"
        return response
