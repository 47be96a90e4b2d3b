#!/usr/bin/env bash
# Brings up Debian's PostgreSQL on loopback for the test suite (used by `make test` when CI is
# set) and prints the URL to export as VOXCART_TEST_DATABASE_URL.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
    $sudo service postgresql start >/dev/null
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
done
psql_admin() { $sudo su postgres -c "psql -q -v ON_ERROR_STOP=1 -tAc \"$1\"" ; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='voxcart'")" != 1 ]; then
    psql_admin "CREATE ROLE voxcart LOGIN CREATEDB PASSWORD 'voxcart'" >/dev/null
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='voxcart_test'")" != 1 ]; then
    psql_admin "CREATE DATABASE voxcart_test OWNER voxcart" >/dev/null
fi
echo "postgresql+psycopg2://voxcart:voxcart@127.0.0.1:5432/voxcart_test"
