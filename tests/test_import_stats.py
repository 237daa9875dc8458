"""`phony import <database URL>`: columns shaped by the database's own statistics
(pg_stats, mysql.column_stats), never its rows; un-analyzed tables import as before."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.importer import import_url
from phony_pdl.importer.stats import QUANTILES, ColumnStats, _quantiles

from .test_import import run_original_ddl

# 20,000 customers: status 70/20/8/2 %, phone NULL in 12 % of rows, age skewed by a square
# (half the rows below 33), 80 % active, joined more often lately (a square root: 1/16 in
# the first quarter of the 700 days)
POSTGRES = """
CREATE TABLE st_customers (id int PRIMARY KEY, status varchar(20) NOT NULL, phone varchar(20),
  age int, active boolean, joined date, seen timestamp, note text)
  WITH (autovacuum_enabled = false);
INSERT INTO st_customers SELECT g,
  CASE WHEN g % 100 < 70 THEN 'active' WHEN g % 100 < 90 THEN 'lapsed'
       WHEN g % 100 < 98 THEN 'banned' ELSE 'vip' END,
  CASE WHEN g % 100 >= 88 THEN NULL ELSE '555-' || g END,
  18 + floor(60 * power((g * 7919 % 20000) / 20000.0, 2))::int,
  g % 10 < 8,
  date '2021-01-01' + floor(700 * sqrt((g * 7919 % 20000) / 20000.0))::int,
  timestamp '2024-01-01' + (g % 1000) * interval '1 hour',
  NULL
FROM generate_series(1, 20000) g;
CREATE TABLE st_orders (id int PRIMARY KEY, customer_id int REFERENCES st_customers (id),
  channel text NOT NULL) WITH (autovacuum_enabled = false);
INSERT INTO st_orders SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 1 + g % 20000 END,
  CASE WHEN g % 10 < 9 THEN 'web' ELSE 'store' END FROM generate_series(1, 30000) g
"""


def _share(values, predicate) -> float:
    return sum(1 for v in values if predicate(v)) / len(values)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_statistics_shape_the_import(database) -> None:
    _, url, connect = database
    run_original_ddl("postgres", connect, POSTGRES)
    before, _ = import_url(url)
    run_original_ddl("postgres", connect, "ANALYZE st_customers; ANALYZE st_orders")
    text, problems = import_url(url)
    assert problems == []
    schema = phony_pdl.load(text)
    customers = schema.entities["st_customers"]
    assert schema.entities["st_customers"].count == 20000  # pg_class.reltuples
    assert schema.entities["st_orders"].count == 30000
    assert "count: 20000  # pg_class.reltuples: 20,000 rows" in text
    phone = customers.fields["phone"]
    assert phone.null_rate == pytest.approx(0.12, abs=0.01)
    assert "# guessed from the name; pg_stats: null_frac 0.12" in text
    weights = customers.fields["status"].choice
    assert weights is not None
    total = sum(weights.values()) if isinstance(weights, dict) else None
    assert total is not None
    shares = {k: v / total for k, v in weights.items()}
    assert shares == pytest.approx({"active": 0.7, "lapsed": 0.2, "banned": 0.08, "vip": 0.02})
    assert "4 most common values cover 100 % → choice" in text
    age = customers.fields["age"]
    # 60 ages: PostgreSQL keeps them all as most common values → a weighted choice
    assert age.choice is not None and len(age.choice) == 60
    # dates: an empirical number of days after the first one, hidden
    assert customers.fields["joined"].expr == "CAST('2021-01-01' AS DATE) + _joined_days"
    days = customers.fields["_joined_days"]
    assert days.hidden and days.distribution == "empirical"
    assert days.params["quantiles"][0] == 0 and days.params["quantiles"][-1] == 699
    assert "→ 101 quantiles of days after 2021-01-01" in text
    seen = customers.fields["seen"].expr
    assert seen == "CAST('2024-01-01 00:00:00' AS TIMESTAMP) + _seen_seconds * INTERVAL '1' SECOND"
    assert customers.fields["note"].null_rate == 1
    channel = schema.entities["st_orders"].fields["channel"].choice
    assert channel == {"web": pytest.approx(90, abs=1.5), "store": pytest.approx(10, abs=1.5)}
    assert schema.entities["st_orders"].fields["customer_id"].null_rate == pytest.approx(
        0.25, abs=0.01
    )
    # the generated rows have the production shape
    data = schema.generate()
    rows = data["st_customers"]
    status = rows.column("status").to_pylist()
    assert _share(status, lambda v: v == "active") == pytest.approx(0.70, abs=0.03)
    assert _share(rows.column("phone").to_pylist(), lambda v: v is None) == pytest.approx(
        0.12, abs=0.02
    )
    assert _share(rows.column("active").to_pylist(), bool) == pytest.approx(0.8, abs=0.03)
    ages = rows.column("age").to_pylist()
    assert _share(ages, lambda v: v < 33) == pytest.approx(0.5, abs=0.03)
    import datetime as dt

    joined = rows.column("joined").to_pylist()
    early = dt.date(2021, 1, 1) + dt.timedelta(days=175)
    assert min(joined) >= dt.date(2021, 1, 1) and max(joined) <= dt.date(2022, 12, 1)
    assert _share(joined, lambda v: v < early) == pytest.approx(1 / 16, abs=0.02)
    seen_values = rows.column("seen").to_pylist()
    assert min(seen_values) >= dt.datetime(2024, 1, 1)
    assert max(seen_values) <= dt.datetime(2024, 1, 1) + dt.timedelta(hours=999)
    orders = data["st_orders"].column("customer_id").to_pylist()
    assert _share(orders, lambda v: v is None) == pytest.approx(0.25, abs=0.02)
    # un-analyzed, or --no-stats: exactly as before
    assert import_url(url, stats=False)[0] == before
    # an explicit --rows wins over the row estimates
    assert phony_pdl.load(import_url(url, rows=7)[0]).entities["st_customers"].count == 7


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_histogram_becomes_empirical_quantiles(database) -> None:
    _, url, connect = database
    # amounts: 30 % zeros (an atom among the most common values), the rest log-spread
    run_original_ddl(
        "postgres",
        connect,
        "CREATE TABLE st_pay (id int PRIMARY KEY, amount numeric(10,2) NOT NULL, "
        "ratio float8) WITH (autovacuum_enabled = false);\n"
        "INSERT INTO st_pay SELECT g, CASE WHEN g % 10 < 3 THEN 0 ELSE "
        "round((exp((g * 7919 % 10007) / 1500.0))::numeric, 2) END, (g % 1000) / 1000.0 "
        "FROM generate_series(1, 20000) g;\n"
        "ANALYZE st_pay",
    )
    text, _ = import_url(url)
    fields = phony_pdl.load(text).entities["st_pay"].fields
    amount = fields["amount"]
    assert amount.distribution == "empirical" and amount.type == "decimal(10,2)"
    q = amount.params["quantiles"]
    assert len(q) == 101 and q == sorted(q)
    assert 29 <= sum(1 for x in q[:40] if x == 0) <= 31  # 30 % of the rows at 0
    assert q[-1] == pytest.approx(800, rel=0.05)  # exp(10006 / 1500)
    ratio = fields["ratio"]
    assert ratio.distribution == "empirical" and ratio.params["quantiles"][0] == 0
    assert ratio.params["quantiles"][-1] == pytest.approx(0.999)
    values = phony_pdl.load(text).generate()["st_pay"].column("amount").to_pylist()
    assert _share(values, lambda v: v == 0) == pytest.approx(0.3, abs=0.02)
    median = sorted(float(v) for v in values)[len(values) // 2]
    assert median == pytest.approx(float(sorted(q)[50]), rel=0.1)


MARIADB = [
    "CREATE TABLE st_users (id int PRIMARY KEY, plan varchar(10) NOT NULL, "
    "phone varchar(20), score int, ok tinyint(1))",
    "INSERT INTO st_users SELECT seq, CASE WHEN seq % 100 < 60 THEN 'free' "
    "WHEN seq % 100 < 95 THEN 'pro' ELSE 'team' END, "
    "IF(seq % 100 < 20, NULL, CONCAT('555-', seq)), "
    "FLOOR(100 * POW((seq * 7919 % 10000) / 10000.0, 3)), seq % 4 <> 0 FROM seq_1_to_10000",
]


@pytest.mark.db
@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mariadb_column_stats_shape_the_import(database) -> None:
    _, url, connect = database
    conn = connect()
    cur = conn.cursor()
    for statement in MARIADB:
        cur.execute(statement)
    conn.commit()
    before, _ = import_url(url)
    cur.execute("SET SESSION histogram_type = JSON_HB")
    cur.execute("ANALYZE TABLE st_users PERSISTENT FOR ALL")
    cur.fetchall()
    conn.close()
    text, problems = import_url(url)
    assert problems == []
    assert "count: 10000  # mysql.table_stats: 10,000 rows" in text
    schema = phony_pdl.load(text)
    fields = schema.entities["st_users"].fields
    assert fields["phone"].null_rate == pytest.approx(0.2, abs=0.005)
    plan = fields["plan"].choice
    assert plan == {
        "free": pytest.approx(60, abs=1),
        "pro": pytest.approx(35, abs=1),
        "team": pytest.approx(5, abs=1),
    }
    ok = fields["ok"]
    assert ok.choice == {"false": pytest.approx(25, abs=1), "true": pytest.approx(75, abs=1)}
    score = fields["score"]  # 100 values, JSON_HB keeps them as buckets → quantiles
    assert score.distribution == "empirical" or score.choice is not None
    rows = schema.generate()["st_users"]
    assert _share(rows.column("plan").to_pylist(), lambda v: v == "free") == pytest.approx(
        0.6, abs=0.03
    )
    assert _share(rows.column("phone").to_pylist(), lambda v: v is None) == pytest.approx(
        0.2, abs=0.02
    )
    scores = [v for v in rows.column("score").to_pylist() if v is not None]
    # a cube: about 46 % of the scores below 10 (0.1 ** (1/3) of the rows)
    assert _share(scores, lambda v: v < 10) == pytest.approx(0.464, abs=0.04)
    assert import_url(url, stats=False)[0] == before


@pytest.mark.db
@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mariadb_double_precision_histogram_gives_quantiles(database) -> None:
    _, url, connect = database
    conn = connect()
    cur = conn.cursor()
    for statement in MARIADB:
        cur.execute(statement)
    cur.execute("SET SESSION histogram_type = DOUBLE_PREC_HB")
    cur.execute("ANALYZE TABLE st_users PERSISTENT FOR ALL")
    cur.fetchall()
    conn.close()
    text, _ = import_url(url)
    score = phony_pdl.load(text).entities["st_users"].fields["score"]
    assert score.distribution == "empirical" and score.type == "int"
    q = score.params["quantiles"]
    assert q[0] == 0 and q[-1] == 99 and q == sorted(q)
    assert q[len(q) // 2] == pytest.approx(12.5, abs=2)  # 100 * 0.5 ** 3
    assert all(isinstance(x, int | float) and not isinstance(x, bool) for x in q)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_unanalyzed_postgres_tables_import_byte_identical(database) -> None:
    _, url, connect = database
    run_original_ddl("postgres", connect, POSTGRES)
    with_stats, _ = import_url(url)
    without, _ = import_url(url, stats=False)
    assert with_stats == without
    assert "pg_stats" not in with_stats and "count: 100" in with_stats


@given(
    atoms=st.dictionaries(st.integers(-1000, 1000), st.floats(0.001, 1), min_size=0, max_size=20),
    edges=st.lists(st.integers(-1000, 1000), min_size=0, max_size=30, unique=True),
)
def test_quantiles_join_atoms_and_buckets(atoms: dict[int, float], edges: list[int]) -> None:
    """Quantiles never decrease, span the smallest to the largest value, and a common value
    holds its share of them to within one bin."""
    edges = sorted(edges)
    stats = ColumnStats("test", 0.0)
    stats.atoms = [(str(v), m) for v, m in atoms.items()]
    stats.buckets = [(str(a), str(b), 0.5 / max(1, len(edges) - 1)) for a, b in pairwise(edges)]
    q = _quantiles(stats, None)
    # a single edge makes no bucket: the statistics then hold the common values alone
    values = list(atoms) + (edges if len(edges) >= 2 else [])
    if q is None:
        assert len(set(values)) < 2 or (len(edges) < 2 and len(atoms) < 2)
        return
    assert q == sorted(q)
    assert q[0] == min(values) and q[-1] == max(values)
    total = sum(atoms.values()) + (0.5 if len(edges) >= 2 else 0)
    if stats.atoms and len({m for _, _, m in stats.buckets}) <= 1:
        for value, mass in atoms.items():
            inside = sum(1 for x in q if x == value) / QUANTILES
            # one bin either side (the quantile at a jump's edge), plus a bucket that
            # starts or ends at the value
            assert inside >= mass / total - 2 / QUANTILES
