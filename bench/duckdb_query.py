#!/usr/bin/env python3
"""Runs bench/seed_duckdb.sql with DuckDB: duckdb_query.py SQL_FILE INPUT_GLOB NOW_MS THREADS"""
import sys

import duckdb

sql, glob, now, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute("SET VARIABLE input = ?", [glob])
con.execute("SET VARIABLE now = ?", [now])
for statement in open(sql).read().split(";"):
    if statement.strip():
        con.execute(statement)
