"""Gunicorn settings for Pressroom behind nginx (deploy/nginx/pressroom.conf).

Used by deploy/systemd/pressroom.service as `gunicorn --config deploy/gunicorn.conf.py`.
Every value can be changed through the environment (/etc/pressroom/env), so this file
stays as shipped. Options given on the command line take precedence over this file.
"""

import os


def _env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from None


def _cores():
    # The CPUs this process may run on (respects taskset and cpusets), not the host's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "pressroom.wsgi:application"

# With socket activation (deploy/systemd/pressroom.socket) gunicorn takes the socket
# systemd hands it and ignores bind. Loopback only: nginx is the one client.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Sync workers: page views are short, CPU-bound and cached; a sync worker per request
# is the simplest model that cannot starve. nginx buffers slow clients (request bodies
# and responses), so a slow reader never holds a worker. The classic 2 × cores + 1 keeps
# the CPUs busy while some workers wait on PostgreSQL or Redis.
worker_class = "sync"
workers = _env_int("GUNICORN_WORKERS", _env_int("WEB_CONCURRENCY", 2 * _cores() + 1))

# A bulk photo upload makes every rendition inside the request (about 8 s per
# 24-megapixel photo on one core), so the worker timeout must outlast the largest upload
# nginx accepts (client_max_body_size in /admin/). Public pages answer in milliseconds.
timeout = _env_int("GUNICORN_TIMEOUT", 300)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)

# Restart each worker after some requests, staggered by the jitter so that the workers
# never restart all at once: bounds the memory any slow leak can take.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Load Django once in the master, then fork: workers share its memory pages, and a
# broken configuration stops the service at start instead of looping worker restarts.
# The price: new code needs `systemctl restart pressroom`, not a reload (HUP).
preload_app = True

# Heartbeat files on tmpfs: on a disk-backed /tmp a slow fchmod can stall a worker.
# pressroom.service points this at its RuntimeDirectory in /run.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (
    "/dev/shm" if os.path.isdir("/dev/shm") else None
)

# Trust X-Forwarded-Proto only from the local nginx; a proxy on another host must be
# listed here (FORWARDED_ALLOW_IPS), never "*".
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to stdout/stderr, i.e. the journal under systemd. The access log adds the
# client address nginx saw (X-Forwarded-For), the time taken in microseconds and the
# worker's pid, for spotting slow pages.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = (
    '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus %(p)s'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "pressroom"

# Gunicorn 25.1+ opens a control socket under $HOME by default; the service user has no
# home and several instances on one host would share the path. Opt in by setting it.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
