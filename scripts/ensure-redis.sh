#!/usr/bin/env bash
# Make sure a Redis server answers at $REDIS_URL (default redis://127.0.0.1:6379).
# Fresh machines have none: install Debian's redis-server if needed and start one in the background.
set -euo pipefail

url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#redis://}"
hostport="${hostport##*@}"
hostport="${hostport%%/*}"
host="${hostport%%:*}"
port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=6379

ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG
  else
    # No client installed: speak RESP over bash's /dev/tcp.
    exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    local reply
    read -r -t 2 reply <&3 || true
    exec 3>&-
    [[ "$reply" == +PONG* ]]
  fi
}

if ping; then
  echo "redis: answering at $host:$port"
  exit 0
fi

case "$host" in
  127.0.0.1 | localhost | ::1) ;;
  *)
    echo "redis: nothing answers at $host:$port and it is not local; start it there or set REDIS_URL" >&2
    exit 1
    ;;
esac

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis: redis-server not installed; installing Debian's package"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server >/dev/null
fi

# BullMQ needs noeviction; nothing is persisted (ctxpress keys carry TTLs, Redis is a work area).
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
  --maxmemory-policy noeviction --logfile "${TMPDIR:-/tmp}/ctxpress-redis-$port.log"

for _ in $(seq 1 50); do
  if ping; then
    echo "redis: started at 127.0.0.1:$port"
    exit 0
  fi
  sleep 0.1
done
echo "redis: failed to start; see ${TMPDIR:-/tmp}/ctxpress-redis-$port.log" >&2
exit 1
