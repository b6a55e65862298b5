"""Enqueueing Celery tasks after the commit, in the right tenant, through a transactional outbox.

A task that an action owes (an owner's "police accessed your camera" notice, an invitation,
a footage e-mail) is recorded as a row of ``tenants.OutboxMessage`` in the action's own
transaction, so that the two commit together. After the commit the row is published to the
broker; if the broker is down, the action still stands and the row waits: the beat task
``tenants.tasks.outbox_sweep`` publishes every row that was not published (or, long after, not
delivered) again. A broker outage delays a notice; it never loses one.

Delivery is exactly once. A row can reach the workers more than once (a sweep racing the
publish after the commit, the broker redelivering a message whose worker died): the task,
an ``OutboxTask``, locks its row, skips it if it is already delivered, and marks it delivered
in the same transaction as its work. Where the work is a database write (an invitation's
``invitation_sent_at``, a request's ``notified_at``), the write and the mark commit together.
Where it is an e-mail, the mark commits right after the mail server accepted it; a worker
that dies between the two (a window of one UPDATE and a COMMIT) leaves the row undelivered,
and the e-mail is sent a second time: twice rather than never. No mail server can be asked
whether it already has a message, so that copy is made the same e-mail instead: every e-mail's
Message-ID comes from what it is about (core.mail: its kind and the row it tells of), the same
on every run, and mail systems drop a second message with a Message-ID they already delivered
(tests/faults/test_worker_killed.py kills a worker at that moment).
"""

import datetime as dt
import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from tenant_schemas_celery.task import TenantTask

from tenants.models import OutboxMessage
from tenants.selectors import department_current, outbox_due, outbox_settled
from tenants.services import (
    outbox_claim,
    outbox_delivered,
    outbox_delivered_elsewhere,
    outbox_published,
    outbox_purge_delivered,
    outbox_record,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger("porchlight.tasks")

# The message header that names a task's outbox row (beside tenant-schemas-celery's _schema_name).
OUTBOX_HEADER = "porchlight_outbox_id"
# The sweep publishes a message again at most this many times (with the default 3 h between
# tries, about a day): a task that fails that often needs a person, and it is logged.
MAX_PUBLISHES = 8
# At most this many messages per sweep, so that one sweep after a long outage stays short;
# the next sweep (a minute later) takes the rest.
SWEEP_BATCH = 500
# Delivered messages are kept this long (for an operator's questions), then forgotten.
DELIVERED_KEPT = dt.timedelta(days=7)


def _header(request: Any, name: str) -> Any:
    # Custom headers reach the task as request.headers, and with the Redis transport also
    # as attributes of the request (as tenant-schemas-celery reads its _schema_name).
    return (getattr(request, "headers", None) or {}).get(name, getattr(request, name, None))


class OutboxTask(TenantTask):
    """A task that may be enqueued after a commit: it runs at most once per outbox row.

    Called with an outbox row (as every publish of enqueue_on_commit and the sweep does),
    it returns None without running if the row was already delivered (read without a lock:
    delivered is final), else locks the row, returns None if it was delivered meanwhile, and
    otherwise runs and marks the row delivered in one transaction with its work. A task that
    raises (a mail server down) rolls back its mark, and Celery's retry or the sweep runs it
    again. Called without a row (a test, the shell), it simply runs.
    """

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        message_id = _header(self.request, OUTBOX_HEADER)
        if message_id is None:
            return super().__call__(*args, **kwargs)
        # A message another task's transaction already delivered (the intake worker's batches
        # deliver many) is skipped at the cost of one read: no transaction, no lock to write.
        if outbox_settled(message_id=int(message_id)):
            logger.info("outbox message already delivered", extra={"outbox_id": message_id, "task": self.name})
            return None
        with transaction.atomic():
            if not outbox_claim(message_id=int(message_id)):
                logger.info("outbox message already delivered", extra={"outbox_id": message_id, "task": self.name})
                return None
            # run(), not super().__call__(): the tracer already pushed this request (with its
            # headers and retry count); Task.__call__ would push a bare one over it.
            result = self.run(*args, **kwargs)
            outbox_delivered(message_id=int(message_id))
        return result


def _task_named(task_name: str) -> Task:
    """The task registered under ``task_name`` (module path + function name), importing its
    module first where nothing imported it yet."""
    module, _, name = task_name.rpartition(".")
    task = getattr(import_module(module), name)
    if not isinstance(task, OutboxTask):
        raise TypeError(
            f"The task {task_name} cannot be enqueued after a commit: it is not an OutboxTask "
            "(declare it with base=OutboxTask so that it runs once per outbox message)."
        )
    return task


def _publish(message: OutboxMessage, *, schema_name: str) -> None:
    """Hand one message to the broker (raises OperationalError when the broker is down)."""
    # The schema comes from the row, never from the connection: the sweep runs in public.
    _task_named(message.task_name).apply_async(
        kwargs=message.kwargs, headers={"_schema_name": schema_name, OUTBOX_HEADER: message.pk}
    )


def enqueue_on_commit(task: Task, note_published: bool = True, **kwargs: Any) -> None:
    """Record ``task`` in the outbox in the current transaction, for the current tenant, and
    publish it once the transaction commits.

    A publish that fails (broker down) is logged and left to the sweep; the committed action
    is never failed after the fact. Outside a transaction the row commits at once.

    ``note_published=False``: a publish that succeeded is not written to the row (an UPDATE and
    a commit of its own, after the caller's). For a caller that answers a sender many times a
    second and whose task's worker is expected to deliver within the sweep's grace (the intake
    receiver, incidents.intake). The row then looks unpublished until delivered: if it is still
    undelivered after PORCHLIGHT_OUTBOX_GRACE_SECONDS (a worker that far behind), the sweep
    publishes it once more, and the copy that arrives second is skipped (OutboxTask).
    """
    _task_named(task.name)  # refuse a task that would not run once per row, before recording it
    department = department_current()
    message = outbox_record(department=department, task_name=task.name, kwargs=kwargs)
    schema_name = department.schema_name

    def _send() -> None:
        try:
            _publish(message, schema_name=schema_name)
        except OperationalError as exc:
            logger.warning(
                "broker unreachable: task left in the outbox for the sweep",
                extra={"outbox_id": message.pk, "task": message.task_name, "error": str(exc)},
            )
            return
        if note_published:
            outbox_published(message_ids=[message.pk])

    # robust: the action has committed; an eager task that fails (mail server down, in the
    # demo without Redis) is logged as an error rather than failing the request after it.
    transaction.on_commit(_send, robust=True)


def enqueue_later_on_commit(task: Task, *, not_before: dt.datetime, **kwargs: Any) -> None:
    """Record ``task`` in the outbox in the current transaction, owed at ``not_before``.

    Nothing is published after the commit: the sweep (beat, every
    PORCHLIGHT_OUTBOX_SWEEP_SECONDS) publishes the row once its time has come, so a delay of
    minutes or hours is a row in PostgreSQL, never a countdown held by a worker (Redis would
    hand a countdown longer than its one-hour visibility timeout to a second worker, and a
    worker's restart would hold it up). A time already past is published after the commit,
    as enqueue_on_commit does.
    """
    if not_before <= timezone.now():
        enqueue_on_commit(task, **kwargs)
        return
    _task_named(task.name)
    outbox_record(department=department_current(), task_name=task.name, kwargs=kwargs, not_before=not_before)


def outbox_done_here(task: Task, kwargs_list: "Iterable[dict[str, Any]]") -> int:
    """Mark the current department's undelivered messages of ``task`` with these kwargs
    delivered, in the current transaction: the caller did their work in it (a batch), so that
    their own runs are skipped (OutboxTask) once it commits. Returns how many were marked; a
    message a worker is running now is left to that worker."""
    return outbox_delivered_elsewhere(
        department=department_current(), task_name=task.name, kwargs_list=list(kwargs_list)
    )


def outbox_sweep(*, now: dt.datetime | None = None) -> int:
    """Publish the outbox messages now due (owed later, at ``not_before``), and again those not
    published (broker down at the commit) or not delivered long after; forget delivered ones
    after a week. Returns how many it published. ``now``: the clock (tests move it on).

    Rows are locked while they are published (SKIP LOCKED), so two sweeps at once never
    publish the same row twice; a copy that does reach a worker twice is skipped there.
    """
    now = now or timezone.now()
    published: list[int] = []
    with transaction.atomic():
        due: Iterable[OutboxMessage] = outbox_due(
            now=now,
            grace=dt.timedelta(seconds=settings.PORCHLIGHT_OUTBOX_GRACE_SECONDS),
            redeliver_after=dt.timedelta(seconds=settings.PORCHLIGHT_OUTBOX_REDELIVER_SECONDS),
            max_publishes=MAX_PUBLISHES,
        ).select_for_update(skip_locked=True, of=("self",))[:SWEEP_BATCH]
        for message in due:
            try:
                _publish(message, schema_name=message.department.schema_name)
            except OperationalError as exc:
                # The broker is still down: every other publish would wait and fail the same way.
                logger.warning("broker unreachable: outbox sweep stopped", extra={"error": str(exc)})
                break
            except Exception:  # an eager task (no broker) that failed: the next sweep tries again
                logger.exception("outbox task failed", extra={"outbox_id": message.pk, "task": message.task_name})
                continue
            published.append(message.pk)
            if message.publish_count + 1 >= MAX_PUBLISHES:
                logger.error(
                    "outbox message published for the last time",
                    extra={"outbox_id": message.pk, "task": message.task_name},
                )
        outbox_published(message_ids=published)
    outbox_purge_delivered(before=now - DELIVERED_KEPT)
    if published:
        logger.warning("outbox sweep published undelivered tasks", extra={"published": len(published)})
    return len(published)
