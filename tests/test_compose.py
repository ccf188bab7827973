"""docker-compose.yml, read against the compose spec's shape (no Docker engine
runs here) and fed through the same settings code the app uses."""

import re
from pathlib import Path

import yaml

from archive import env

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def interpolate(value: str, variables: dict) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} forms."""

    def replace(match):
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if variables.get(name):
            return variables[name]
        if op == ":-":
            return arg
        raise KeyError(f"{name} is required: {arg}")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", replace, value)


def web_environment(**variables):
    raw = COMPOSE["services"]["web"]["environment"]
    return {key: interpolate(str(value), variables) for key, value in raw.items()}


def test_services_and_volumes_are_declared():
    assert set(COMPOSE["services"]) >= {"db", "web"}
    for service in COMPOSE["services"].values():
        for volume in service.get("volumes", []):
            name = volume.split(":")[0]
            assert name.startswith(".") or name in COMPOSE["volumes"], name
    assert COMPOSE["services"]["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_settings_point_at_the_db_service():
    environment = web_environment(POSTGRES_PASSWORD="pw", DJANGO_SECRET_KEY="k")
    database = env.database_config(environment, Path("/var/lib/wenji"))
    db = COMPOSE["services"]["db"]["environment"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db"
    assert database["NAME"] == db["POSTGRES_DB"]
    assert database["USER"] == db["POSTGRES_USER"]
    assert database["PASSWORD"] == "pw"


def test_web_shares_the_redis_cache_service():
    """Several web processes must count the search limit, hold the repair
    lock and keep cached pages in one place: the compose stack's Redis."""
    environment = web_environment(POSTGRES_PASSWORD="pw", DJANGO_SECRET_KEY="k")
    cache = env.cache_config(environment, Path("/var/lib/wenji"))
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"].startswith("redis://cache:6379/")
    assert COMPOSE["services"]["cache"]["image"].startswith("redis:")
    assert COMPOSE["services"]["web"]["depends_on"]["cache"]["condition"] == "service_healthy"
    assert "healthcheck" in COMPOSE["services"]["cache"]


def test_web_search_index_lives_on_the_persistent_volume():
    environment = web_environment(POSTGRES_PASSWORD="pw", DJANGO_SECRET_KEY="k")
    search = env.search_config(environment, Path("/var/lib/wenji"))
    mounts = [v.split(":")[1] for v in COMPOSE["services"]["web"]["volumes"]]
    assert any(search["PATH"].startswith(m) for m in mounts)
    assert search["ENGINE"] == "essays.search.tantivy_backend.TantivyEngine"


def test_secrets_are_required_not_defaulted():
    try:
        web_environment(POSTGRES_PASSWORD="pw")
    except KeyError as exc:
        assert "DJANGO_SECRET_KEY" in str(exc)
    else:
        raise AssertionError("DJANGO_SECRET_KEY must be required")


def test_debug_is_off_and_hosts_default_safely():
    environment = web_environment(POSTGRES_PASSWORD="pw", DJANGO_SECRET_KEY="k")
    assert env.env_bool(environment, "DJANGO_DEBUG") is False
    assert env.env_list(environment, "DJANGO_ALLOWED_HOSTS", "") == ["localhost", "127.0.0.1"]


# Variables the docs name that the compose file need not pass: set by the
# Dockerfile, or settings rather than variables.
NOT_PASSED = {
    "WENJI_VAR_DIR": "Dockerfile",
    "JIEBA_CORPUS_DICT": "a setting",
    "HAYSTACK_SIGNAL_PROCESSOR": "a setting",
    "CONTENT_SECURITY_POLICY": "a setting",
    "REMOTE_ADDR": "a request header",
}


def documented_variables() -> set[str]:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)[=`]", text)) - set(NOT_PASSED)


def test_every_documented_variable_is_passed_to_the_web_service():
    passed = set(COMPOSE["services"]["web"]["environment"])
    assert documented_variables() - passed == set()
    assert {"DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS", "DJANGO_SECURE_COOKIES"} <= passed


def test_check_deploy_is_clean_with_the_compose_environment(tmp_path):
    import os
    import subprocess
    import sys

    environment = web_environment(
        POSTGRES_PASSWORD="pw",
        DJANGO_SECRET_KEY="x7-" + "k3q9Zt2Lm8Vb4Nc6Xw1Ry5Pd0Hs" * 3,
        DJANGO_ALLOWED_HOSTS="wenji.example.org",
    )
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "WENJI_VAR_DIR": str(tmp_path / "var"),  # the Dockerfile's, here a scratch folder
        **environment,
        "SEARCH_URL": f"tantivy://{tmp_path / 'index'}",
        "DJANGO_SETTINGS_MODULE": "archive.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
