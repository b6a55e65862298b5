"""Footage services, one concern a module; ``from footage import services`` and ``services.x``
keep working through these re-exports. Inside the app, import from the concern's module."""

from .answers import Receipt, answer_open_check, answer_set, clip_size_check, not_video_message
from .clip_access import Viewing, clip_for_police, clip_view_open, download_link_issue
from .common import CHUNK, text_without_nul_check
from .custody import custody_record
from .evidence_export import ExportResult, request_export
from .hashing import clip_upload
from .holds import clip_hold_set
from .integrity import clip_original_missing, clips_rehash, integrity_notice_acknowledge, integrity_notice_raise
from .links import LINK_REASONS, LinkProblem, clip_download_record, download_link_redeem, stream_link_resolve
from .requests import REQUEST_LOOKBACK_DAYS, RequestResult, footage_request_send, requests_remind
from .retention import clips_purge_expired

__all__ = [
    "CHUNK",
    "LINK_REASONS",
    "REQUEST_LOOKBACK_DAYS",
    "ExportResult",
    "LinkProblem",
    "Receipt",
    "RequestResult",
    "Viewing",
    "answer_open_check",
    "answer_set",
    "clip_download_record",
    "clip_for_police",
    "clip_hold_set",
    "clip_original_missing",
    "clip_size_check",
    "clip_upload",
    "clip_view_open",
    "clips_purge_expired",
    "clips_rehash",
    "custody_record",
    "download_link_issue",
    "download_link_redeem",
    "footage_request_send",
    "integrity_notice_acknowledge",
    "integrity_notice_raise",
    "not_video_message",
    "request_export",
    "requests_remind",
    "stream_link_resolve",
    "text_without_nul_check",
]
