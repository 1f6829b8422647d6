"""The deployment files agree with the code: every setting is documented, limits match,
nginx accepts the site, systemd accepts the units, gunicorn reads its configuration.

These run on SQLite too; tests/test_deploy_smoke.py runs the same files for real.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from articles import images
from tests import deploy_support
from tests.programs import program_or_skip

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ENV_READERS = re.compile(
    r"(?:env_bool|env_int|env_list|os\.environ\.get|os\.environ\[|os\.getenv)\(?\s*\"([A-Z0-9_]+)\""
)


def documented_variables():
    text = (DEPLOY / "env.example").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_env_example_lists_every_variable_the_site_and_gunicorn_read():
    read = set(ENV_READERS.findall((ROOT / "pressroom" / "settings.py").read_text()))
    read |= set(ENV_READERS.findall((DEPLOY / "gunicorn.conf.py").read_text()))
    read.add("DATABASE_URL")  # read by dj_database_url.config()
    assert {"DJANGO_SECRET_KEY", "REDIS_URL", "GUNICORN_WORKERS"} <= read
    assert read - documented_variables() == set()


def _nginx_directive(location, name):
    text = deploy_support.SITE_CONF.read_text()
    block = text[text.index(f"location {location} {{") :]
    block = block[: block.index("}")]
    return re.search(rf"^\s*{name} (\S+);", block, flags=re.MULTILINE).group(1)


def _megabytes(value):
    assert value.endswith("m"), value
    return int(value[:-1]) * 1024 * 1024


def test_admin_body_limit_takes_the_largest_upload_django_accepts():
    admin = _megabytes(_nginx_directive("/admin/", "client_max_body_size"))
    # One document or one photo at its limit, with the form around it, and a batch of
    # photos in the bulk upload.
    assert admin >= max(images.MAX_DOCUMENT_BYTES, images.MAX_UPLOAD_BYTES) * 4
    text = deploy_support.SITE_CONF.read_text()
    public = re.search(r"^    client_max_body_size (\S+);", text, flags=re.MULTILINE).group(1)
    assert _megabytes(public) < admin


def test_gunicorn_waits_as_long_as_nginx_does_for_the_admin():
    nginx_wait = int(_nginx_directive("/admin/", "proxy_read_timeout").rstrip("s"))
    assert gunicorn_config()["timeout"] == str(nginx_wait)


def gunicorn_config(**env):
    """Return the settings gunicorn reads from deploy/gunicorn.conf.py with env."""
    finished = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
    )
    if finished.returncode:
        return {"error": finished.stderr or finished.stdout}
    pairs = (line.split("=", 1) for line in finished.stdout.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def test_gunicorn_configuration_defaults_and_overrides():
    config = gunicorn_config()
    assert config["worker_class"] == "sync"
    assert config["workers"] == str(2 * len(os.sched_getaffinity(0)) + 1)
    assert config["preload_app"] == "True"
    assert config["max_requests_jitter"] != "0"
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    changed = gunicorn_config(GUNICORN_WORKERS="3", GUNICORN_BIND="127.0.0.1:9001")
    assert (changed["workers"], changed["bind"]) == ("3", "['127.0.0.1:9001']")


def test_gunicorn_refuses_a_malformed_number_clearly():
    config = gunicorn_config(GUNICORN_WORKERS="many")
    assert "GUNICORN_WORKERS must be a whole number, got 'many'" in config["error"]


def test_nginx_accepts_the_site_in_a_debian_like_configuration(tmp_path):
    nginx = program_or_skip("nginx")
    program_or_skip("openssl")
    certificate, key = deploy_support.self_signed_certificate(tmp_path)
    site = deploy_support.render_site(
        http_port=8080,
        https_port=8443,
        certificate=certificate,
        key=key,
        static_root=f"{tmp_path}/",
        media_root=f"{tmp_path}/",
        upstream="127.0.0.1:8000",
        cache_dir=tmp_path / "cache",
        acme_root=tmp_path,
    )
    deploy_support.prepare_prefix(tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text(deploy_support.main_conf(site))
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "warn" not in checked.stderr, checked.stderr


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed (no systemd here)")
    for name in ("pressroom.service", "pressroom.socket"):
        text = (DEPLOY / "systemd" / name).read_text()
        # The unit names the installed checkout; point it at this one to verify the rest.
        text = text.replace(
            "/srv/pressroom/app/.venv/bin/gunicorn", str(ROOT / ".venv/bin/gunicorn")
        )
        (tmp_path / name).write_text(text)
    checked = subprocess.run(
        [
            analyze,
            "verify",
            str(tmp_path / "pressroom.socket"),
            str(tmp_path / "pressroom.service"),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "pressroom" not in checked.stderr, checked.stderr
