#!/usr/bin/env bash
# Brings up Debian's redis-server on loopback port 6390 for the test suite (installing it when
# missing) and prints the URL to export as VOXCART_TEST_REDIS_URL. Safe to run again: a server
# already answering on the port is reused.
set -euo pipefail
port=6390
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v redis-server >/dev/null; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        redis-server >/dev/null
fi
if ! redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
    # No persistence: the counters are test data.
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save "" --appendonly no \
        --dir /tmp --logfile /tmp/voxcart-test-redis.log >/dev/null
fi
for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.2
done
redis-cli -h 127.0.0.1 -p "$port" ping | grep -q PONG
echo "redis://127.0.0.1:$port/0"
