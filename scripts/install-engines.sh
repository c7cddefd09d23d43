#!/usr/bin/env bash
# Install what the PostgreSQL and Spark engines need on a Debian machine, if missing:
# Debian's postgresql server binaries and a Java 17 runtime. The Python packages
# (psycopg, pyspark) come from pyproject.toml's extras. Safe to run again.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v runuser >/dev/null || need+=(util-linux)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "install-engines: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" \
         "to run the PostgreSQL and Spark tests; they will be skipped (failed under CI=true)." >&2
    exit 0
fi
echo "install-engines: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts a cluster of its own on install; the tests make their own, so stop it.
if command -v pg_ctlcluster >/dev/null; then
    for c in /etc/postgresql/*/main; do
        [ -d "$c" ] && pg_ctlcluster "$(basename "$(dirname "$c")")" main stop 2>/dev/null || true
    done
fi
