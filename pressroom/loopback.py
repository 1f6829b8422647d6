"""Start gunicorn, nginx and Redis on loopback for smoke, fault, load and benchmark runs.

Each runner is a context manager that starts a real process on 127.0.0.1, waits until
its port answers, and stops it (and only it) on exit. Nothing here is used by the site
itself; the deployment's own files (deploy/) are what the runners are given.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ProgramMissing(RuntimeError):
    """A program the run needs (nginx, wrk, redis-server…) is not installed."""


def find_program(name, *extra_dirs):
    """Return the path of an installed program, or raise ProgramMissing naming the package."""
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in extra_dirs if (Path(d) / name).is_file()), None
    )
    if not found:
        raise ProgramMissing(f"{name} is not installed (apt-get install {name})")
    return found


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, *, timeout=30.0, process=None):
    """Block until 127.0.0.1:port accepts connections; fail early if process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class Running:
    """A started process: its port, its Popen and the folder holding its files and log."""

    port: int
    process: subprocess.Popen
    workdir: Path
    extra: dict = field(default_factory=dict)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def log(self):
        path = self.workdir / "output.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _stop(process, sig=signal.SIGTERM, timeout=15):
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)


@contextlib.contextmanager
def _process(command, *, port, workdir, env=None, timeout=30.0):
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    with open(workdir / "output.log", "ab") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Running(port=port, process=process, workdir=workdir)
    try:
        try:
            wait_for_port(port, timeout=timeout, process=process)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{command[0]} did not start: {error}\n{running.log()}") from None
        yield running
    finally:
        _stop(process)


@contextlib.contextmanager
def redis_server(*, port=None, workdir=None):
    """Run a private, diskless redis-server; yield Running (url in extra['url'])."""
    program = find_program("redis-server")
    port = port or free_port()
    workdir = Path(workdir or tempfile.mkdtemp(prefix="pressroom-redis-"))
    command = [program, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    command += ["--appendonly", "no", "--dir", str(workdir)]
    with _process(command, port=port, workdir=workdir) as running:
        running.extra["url"] = f"redis://127.0.0.1:{port}/0"
        yield running


@contextlib.contextmanager
def gunicorn(
    *,
    env,
    port=None,
    workdir=None,
    config=None,
    workers=2,
    extra_args=(),
    app="pressroom.wsgi:application",
):
    """Run gunicorn serving app (the site) on 127.0.0.1 with env as its whole environment.

    config: a gunicorn configuration file (deploy/gunicorn.conf.py); command-line options
    given here (bind, workers) take precedence over it.
    """
    port = port or free_port()
    workdir = Path(workdir or tempfile.mkdtemp(prefix="pressroom-gunicorn-"))
    command = [sys.executable, "-m", "gunicorn"]
    if config:
        command += ["--config", str(config)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), *extra_args]
    command.append(app)
    with _process(command, port=port, workdir=workdir, env=env) as running:
        yield running


@contextlib.contextmanager
def nginx(config_text, *, port, workdir=None):
    """Run nginx in the foreground with config_text as its whole nginx.conf.

    The configuration must listen on 127.0.0.1:port; relative paths in it resolve in
    workdir (nginx's prefix), where its temporary folders and logs are kept.
    """
    program = find_program("nginx", "/usr/sbin")
    workdir = Path(workdir or tempfile.mkdtemp(prefix="pressroom-nginx-"))
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(config_text)
    check = subprocess.run(
        [program, "-t", "-p", str(workdir), "-c", str(conf)], capture_output=True, text=True
    )
    if check.returncode:
        raise RuntimeError(f"nginx rejects the configuration:\n{check.stderr}")
    command = [program, "-p", str(workdir), "-c", str(conf), "-g", "daemon off;"]
    with _process(command, port=port, workdir=workdir) as running:
        yield running
