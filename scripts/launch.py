"""Run every process of a Procfile together; Ctrl-C (or SIGTERM) stops them all.

    python scripts/launch.py [Procfile]

Each line ``name: command`` runs under ``sh`` in its own session, and its output is printed
with the time and the name in front. When one process exits, or on Ctrl-C/SIGTERM, the others
get SIGTERM and up to GRACE_SECONDS to finish (a second Ctrl-C cuts that short); whatever is
left then is killed with its process group. A simple command is started with ``exec`` and
only its own process is signalled, so that gunicorn and the Celery worker shut their children
down themselves; a compound one (``;``, ``&&``, ``|`` …) gets the signal on its whole group.

This stands in for honcho, which kills after a fixed 5 seconds and signals whole process
groups: that cuts short the Celery worker's warm shutdown (about 7 seconds on the
filesystem broker) and the tasks its pool is running.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = 30
LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
COMPOUND = re.compile(r"[;&|()\n]")  # shell operators, looked for outside quotes
QUOTED = re.compile(r"'[^']*'|\"(?:\\.|[^\"\\])*\"")

_print_lock = threading.Lock()


def read_procfile(path: str) -> dict[str, str]:
    processes: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for number, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            match = LINE.match(line)
            if not match:
                sys.exit(f"{path}:{number}: expected 'name: command', got {line!r}")
            processes[match[1]] = match[2]
    if not processes:
        sys.exit(f"{path}: no processes")
    return processes


def say(name: str, width: int, text: str) -> None:
    with _print_lock:
        sys.stdout.write(f"{time.strftime('%H:%M:%S')} {name:<{width}} | {text}\n")
        sys.stdout.flush()


def pump(name: str, width: int, stream) -> None:
    for raw in iter(stream.readline, b""):
        say(name, width, raw.decode("utf-8", "replace").rstrip("\r\n"))


def main() -> int:
    processes = read_procfile(sys.argv[1] if len(sys.argv) > 1 else "Procfile")
    width = max(len(name) for name in [*processes, "system"])
    signals: list[int] = []

    def on_signal(signum, frame) -> None:
        signals.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    children: dict[str, subprocess.Popen] = {}
    compound: set[str] = set()
    for name, command in processes.items():
        if COMPOUND.search(QUOTED.sub("", command)):
            compound.add(name)
        else:
            command = f"exec {command}"
        proc = subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        children[name] = proc
        threading.Thread(target=pump, args=(name, width, proc.stdout), daemon=True).start()
        say("system", width, f"{name} started (pid {proc.pid})")

    status = 0
    while not signals:
        exited = [(name, proc) for name, proc in children.items() if proc.poll() is not None]
        if exited:
            name, proc = exited[0]
            say("system", width, f"{name} exited with code {proc.returncode}; stopping the others")
            status = proc.returncode if proc.returncode > 0 else 1
            break
        time.sleep(0.2)

    for name, proc in children.items():
        if proc.poll() is None:
            say("system", width, f"stopping {name} (SIGTERM to pid {proc.pid})")
            try:
                if name in compound:
                    os.killpg(proc.pid, signal.SIGTERM)
                else:
                    proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
    signals_at_stop = len(signals)
    deadline = time.monotonic() + GRACE_SECONDS
    while (
        any(proc.poll() is None for proc in children.values()) and time.monotonic() < deadline and len(signals) <= signals_at_stop
    ):
        time.sleep(0.2)
    for name, proc in children.items():
        if proc.poll() is None:
            say("system", width, f"{name} still running; killing it")
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the process and anything it left behind
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        say("system", width, f"{name} stopped (code {proc.returncode})")
    return status


if __name__ == "__main__":
    sys.exit(main())
