"""The sales-etl job written as DuckDB SQL over read_csv.

Each file is read with null_padding (short rows padded with NULL) and a
null string no field holds (so empty fields stay ''), which tells a short
row from empty trailing fields; rows keep their order in a table, whose
rowid gives the line. Like every peer it assumes one record per line (no
line breaks inside quoted fields): true of the generated days it is
benchmarked on.
"""
import os

import duckdb

from common import (COLUMNS, IQR_K, PLAIN_DECIMAL, RULES, TIMESTAMP, TOP, args, input_files,
                    write_result)

WIDE = 16  # columns read per record; a ragged row may carry more fields than the header
NO_NULL = "\x01sales-etl-no-null\x01"


def sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def read(con, path, index):
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(WIDE))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f AS
        SELECT * FROM read_csv({sql_string(path)}, header = false, columns = {{{columns}}},
            null_padding = true, nullstr = {sql_string(NO_NULL)}, delim = ',', quote = '"',
            escape = '"', auto_detect = false, strict_mode = false)""")
    count = " + ".join(f"(c{i} IS NOT NULL)::INT" for i in range(WIDE))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE g AS
        SELECT rowid + 1 AS source_line, {count} AS fields,
               ltrim(c0, chr(65279)) AS c0, {", ".join(f"c{i}" for i in range(1, WIDE))}
        FROM f""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE h AS SELECT * FROM g
        WHERE NOT (c0 LIKE '#%' OR (fields = 1 AND trim(c0, ' \t') = ''))""")
    header = con.execute("SELECT * FROM h ORDER BY source_line LIMIT 1").fetchone()
    names = [(v or "").strip().lower() for v in header[2:]]
    width = header[1]
    select = ", ".join(
        (f"c{names.index(c)}" if c in names else "NULL::VARCHAR") + f" AS {c}" for c in COLUMNS)
    con.execute(f"""
        INSERT INTO raw SELECT {index} AS file, source_line, fields <> {width} AS ragged, {select}
        FROM h WHERE source_line > {header[0]}""")


def main():
    folder, out = args()
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE raw (file INT, source_line BIGINT, ragged BOOLEAN, "
                f"{', '.join(c + ' VARCHAR' for c in COLUMNS)})")
    for index, path in enumerate(input_files(folder)):
        read(con, path, index)

    trimmed = ", ".join(f"trim({c}, ' \t') AS t_{c}" for c in COLUMNS)
    con.execute(f"CREATE TEMP TABLE trimmed AS SELECT *, {trimmed} FROM raw")
    plain = sql_string(PLAIN_DECIMAL)
    stamp = sql_string(TIMESTAMP)
    con.execute(f"""
        CREATE TEMP TABLE typed AS
        WITH parts AS (
            SELECT *,
                ltrim(t_unit_price, '+-') AS p_body,
                regexp_extract(t_timestamp, {stamp}, ['d', 't', 'f', 'o']) AS ts
            FROM trimmed)
        SELECT *,
            CASE WHEN regexp_full_match(t_quantity, '[+-]?[0-9]+')
                 AND TRY_CAST(t_quantity AS HUGEINT) BETWEEN -2147483648 AND 2147483647
                 THEN TRY_CAST(t_quantity AS BIGINT) END AS qty,
            CASE WHEN regexp_matches(t_unit_price, {plain})
                 AND TRY_CAST(coalesce(nullif(split_part(p_body, '.', 1), ''), '0') AS HUGEINT) < 1000000000000
                 THEN (TRY_CAST(coalesce(nullif(split_part(p_body, '.', 1), ''), '0') AS BIGINT) * 1000000
                       + CAST(left(rpad(split_part(p_body, '.', 2), 6, '0'), 6) AS BIGINT))
                      * CASE WHEN starts_with(t_unit_price, '-') THEN -1 ELSE 1 END END AS price_us,
            epoch_us(try_strptime(ts.d || ' ' || ts.t, '%Y-%m-%d %H:%M:%S'))
                + coalesce(TRY_CAST(nullif(left(rpad(substr(ts.f, 2), 6, '0'), 6), '000000') AS BIGINT), 0)
                - CASE WHEN ts.o IN ('', 'Z') THEN 0
                       WHEN CAST(substr(ts.o, 2, 2) AS INT) <= 23 AND CAST(substr(ts.o, 5, 2) AS INT) <= 59
                       THEN (CAST(substr(ts.o, 2, 2) AS INT) * 60 + CAST(substr(ts.o, 5, 2) AS INT))
                            * CASE WHEN starts_with(ts.o, '-') THEN -1 ELSE 1 END END * 60000000
                AS ts_us,
            CASE WHEN lower(t_channel) IN ('web', 'mobile', 'store') THEN lower(t_channel) END AS channel_name
        FROM parts""")

    def missing(c):
        return f"coalesce(t_{c}, '') = ''"

    def unparsed(c, typed):
        return f"(NOT {missing(c)} AND {typed} IS NULL)"

    broken = {
        "ragged_row": "ragged",
        "bad_encoding": "false",  # the generated days are UTF-8
        "missing_transaction_id": missing("transaction_id"),
        "missing_timestamp": missing("timestamp"),
        "missing_channel": missing("channel"),
        "missing_product_id": missing("product_id"),
        "missing_quantity": missing("quantity"),
        "missing_unit_price": missing("unit_price"),
        "bad_quantity": unparsed("quantity", "qty"),
        "bad_unit_price": unparsed("unit_price", "price_us"),
        "bad_timestamp": unparsed("timestamp", "ts_us"),
        "bad_channel": unparsed("channel", "channel_name"),
        "nonpositive_quantity": "coalesce(qty <= 0, false)",
        "negative_unit_price": "coalesce(price_us < 0, false)",
    }
    reason = "CASE " + " ".join(f"WHEN {broken[r]} THEN '{r}'" for r in RULES) + " END"
    con.execute(f"CREATE TEMP TABLE judged AS SELECT *, {reason} AS reason FROM typed")
    con.execute("""
        CREATE TEMP TABLE passed AS
        SELECT *, row_number() OVER (PARTITION BY transaction_id ORDER BY file, source_line) = 1 AS first
        FROM judged WHERE reason IS NULL""")
    con.execute("""
        CREATE TEMP TABLE later AS
        SELECT l.*, CASE WHEN l.ts_us IS NOT DISTINCT FROM k.ts_us
                          AND l.channel_name IS NOT DISTINCT FROM k.channel_name
                          AND l.store_id IS NOT DISTINCT FROM k.store_id
                          AND l.customer_id IS NOT DISTINCT FROM k.customer_id
                          AND l.product_id IS NOT DISTINCT FROM k.product_id
                          AND l.qty IS NOT DISTINCT FROM k.qty
                          AND l.price_us IS NOT DISTINCT FROM k.price_us
                     THEN 'duplicate' ELSE 'conflicting_duplicate' END AS dup_reason
        FROM passed l JOIN passed k ON k.transaction_id = l.transaction_id AND k.first
        WHERE NOT l.first""")
    q1, q3 = con.execute(
        "SELECT quantile_cont(qty, 0.25), quantile_cont(qty, 0.75) FROM passed WHERE first").fetchone()
    lower, upper = q1 - IQR_K * (q3 - q1), q3 + IQR_K * (q3 - q1)
    con.execute(f"""
        CREATE TEMP TABLE kept AS
        SELECT *, (qty < {lower} OR qty > {upper}) AS outside FROM passed WHERE first""")
    con.execute("""
        CREATE TEMP TABLE valid AS
        SELECT *, CAST(make_timestamp(ts_us) AS DATE) AS date, qty * price_us AS revenue
        FROM kept WHERE NOT outside""")

    cols = ", ".join(COLUMNS)
    con.execute(f"""
        COPY (SELECT file, source_line, {cols}, reason FROM judged WHERE reason IS NOT NULL
              UNION ALL SELECT file, source_line, {cols}, dup_reason FROM later
              UNION ALL SELECT file, source_line, {cols}, 'outlier' FROM kept WHERE outside
              ORDER BY file, source_line)
        TO {sql_string(os.path.join(out, 'rejected.csv'))} (HEADER)""")
    con.execute("""
        CREATE TEMP TABLE daily AS
        SELECT date, channel_name, count(*) AS orders, sum(qty) AS units, sum(revenue) AS revenue
        FROM valid GROUP BY ALL ORDER BY date, channel_name""")
    con.execute(f"""
        CREATE TEMP TABLE top AS
        SELECT * FROM (
            SELECT date, row_number() OVER (PARTITION BY date
                       ORDER BY units DESC, revenue DESC, product_id) AS rank, product_id, units, revenue
            FROM (SELECT date, product_id, sum(qty) AS units, sum(revenue) AS revenue
                  FROM valid GROUP BY ALL))
        WHERE rank <= {TOP} ORDER BY date, rank""")
    con.execute(f"COPY daily TO {sql_string(os.path.join(out, 'daily_sales.csv'))} (HEADER)")
    con.execute(f"COPY top TO {sql_string(os.path.join(out, 'top_products.csv'))} (HEADER)")

    one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
    counts = {"valid": one("SELECT count(*) FROM valid"),
              "invalid": one("SELECT count(*) FROM judged WHERE reason IS NOT NULL"),
              "duplicate": one("SELECT count(*) FROM later"),
              "outlier": one("SELECT count(*) FROM kept WHERE outside")}
    reasons = dict(con.execute(
        "SELECT reason, count(*) FROM judged WHERE reason IS NOT NULL GROUP BY ALL").fetchall())
    write_result(out, one("SELECT count(*) FROM judged"), counts, reasons,
                 con.execute("SELECT * FROM daily").fetchall(),
                 con.execute("SELECT date, rank, product_id, units, revenue FROM top").fetchall())


if __name__ == "__main__":
    main()
