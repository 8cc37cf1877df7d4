"""A time limit for each call of the learner's function."""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
import time

#: Once the time is up, the stop is raised again this often until it gets out of the learner's function.
_STOP_AGAIN_EVERY = 0.002


class _TimeUp(BaseException):
    """Raised in the learner's function when its time is up; not an ``Exception``, so that the learner's
    own ``except Exception`` lets it through."""


def _call_with_time_limit(fn, args: list, seconds: float):
    """``fn(*args)``, or ``_TimeUp`` if it has not returned within ``seconds``.

    The stop is raised again every ``_STOP_AGAIN_EVERY`` seconds until it gets out of ``fn``, and a ``fn``
    that caught it and returned later is too late all the same. In the main thread of a POSIX system a timer
    (``SIGALRM``) raises it, which also interrupts ``time.sleep``; elsewhere a watchdog thread sends it.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _call_with_alarm(fn, args, seconds)
    return _call_with_watchdog(fn, args, seconds)


def _call_with_alarm(fn, args: list, seconds: float):
    """Stop ``fn`` with a ``SIGALRM`` timer; the previous handler and timer are restored, whatever happens."""
    waiting, stopped = True, False

    here = sys._getframe()

    def stop(signum, frame):
        nonlocal stopped
        if waiting:
            stopped = True
            _stop_at_every_line(frame, here)
            raise _TimeUp

    handler, tracer = signal.getsignal(signal.SIGALRM), sys.gettrace()
    timer = signal.setitimer(signal.ITIMER_REAL, 0)  # stops a timer already running: (seconds left, interval)
    started = time.monotonic()
    try:
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds, _STOP_AGAIN_EVERY)
        result = fn(*args)
    finally:
        waiting = False  # before anything that could let a late signal in
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.settrace(tracer)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if handler is None else handler)
        left, interval = timer
        if left:
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - started), 1e-6), interval)
    if stopped:
        raise _TimeUp
    return result


def _raise_time_up(frame, event, arg):
    """A trace function that raises the stop at the next line the learner's code runs. Python removes a
    trace function that raises, so the timer puts it back each time it fires."""
    if event == "line":
        raise _TimeUp
    return _raise_time_up


def _stop_at_every_line(frame, caller) -> None:
    """Trace the learner's frames (from ``frame`` up to ``caller``) and every frame they call, so that the
    stop is raised again at the next line they run: a stop caught by a bare ``except:`` around a blocking call
    is raised again in the handler, outside that try."""
    sys.settrace(_raise_time_up)
    while frame is not None and frame is not caller:
        frame.f_trace, frame.f_trace_lines = _raise_time_up, True
        frame = frame.f_back


def _call_with_watchdog(fn, args: list, seconds: float):
    """Stop ``fn`` from a watchdog thread, which sends ``_TimeUp`` to this one (only while ``fn`` runs)."""
    caller = threading.get_ident()
    returned = threading.Event()
    stopped = False

    def watch():
        nonlocal stopped
        if returned.wait(seconds):
            return
        stopped = True
        while not returned.is_set():
            _send(caller, _TimeUp)
            returned.wait(_STOP_AGAIN_EVERY)

    watchdog = threading.Thread(target=watch, name="exercise check time limit", daemon=True)
    watchdog.start()
    try:
        result = fn(*args)
    finally:
        while True:  # a stop sent just before the watchdog saw `returned` may land in here: go round again
            try:
                returned.set()
                watchdog.join()
                _send(caller, None)  # withdraw a stop sent but not yet raised
                break
            except _TimeUp:
                pass
    if stopped:
        raise _TimeUp
    return result


def _send(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise ``exception`` in thread ``thread_id`` when it next runs Python code; None withdraws it."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), None if exception is None else ctypes.py_object(exception)
    )
