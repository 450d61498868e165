#!/usr/bin/env bash
# install-deps.sh installs what the local stack and the tests need on Debian bookworm:
# PostgreSQL 15 with pgvector (built from Debian's own source package), PgBouncer, Redis,
# and the npm-pinned cognito-local. It is idempotent and returns in well under a second when
# everything is already present.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)   # local/
PGVER=15
PGVECTOR_VERSION=${PGVECTOR_VERSION:-0.8.0}

log() { printf '[install-deps] %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    log "not root and no sudo: install the missing packages by hand"; fi
fi

apt_updated=0
apt_install() {
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pgbin=/usr/lib/postgresql/$PGVER/bin

# PostgreSQL 15 server.
if [ ! -x "$pgbin/postgres" ]; then
  apt_install postgresql-$PGVER postgresql-client-$PGVER
  # The Debian package starts a cluster on 5432; the project runs its own instances.
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
fi

# Redis.
# PgBouncer, the transaction-mode pooler the functions go through (as Neon's
# pooled endpoint): Debian bookworm's 1.18. It keeps no prepared statements in
# transaction mode, so clients use pgx's default_query_exec_mode=exec, which
# Neon's newer pooler accepts too: the stricter of the two, from apt in
# seconds (trixie's 1.24 would have to be built from source).
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  apt_install pgbouncer
  $SUDO systemctl disable --now pgbouncer >/dev/null 2>&1 || $SUDO service pgbouncer stop >/dev/null 2>&1 || true
fi

if ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server
  $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
fi

# pgvector, built from Debian trixie's source package against the bookworm server headers.
sharedir=$("$pgbin/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/$PGVER)
if ! ls "$sharedir/extension/vector--$PGVECTOR_VERSION.sql" >/dev/null 2>&1; then
  need=()
  [ -x "$pgbin/pg_config" ] && [ -d "/usr/include/postgresql/$PGVER/server" ] || need+=(postgresql-server-dev-$PGVER)
  command -v dpkg-source >/dev/null 2>&1 || need+=(dpkg-dev)
  command -v make >/dev/null 2>&1 || need+=(make)
  command -v gcc >/dev/null 2>&1 || need+=(gcc)
  src=/etc/apt/sources.list.d/macro-ai-trixie-src.sources
  if [ ! -f "$src" ]; then
    log "adding deb-src for trixie (pgvector source package)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $SUDO tee "$src" >/dev/null
    apt_updated=0
  fi
  if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
  if [ $apt_updated -eq 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  build=$(mktemp -d)
  chmod 755 "$build"
  log "building pgvector $PGVECTOR_VERSION from Debian's source package in $build"
  (
    cd "$build"
    # apt-get source refuses to run as root in a folder _apt cannot read; the folder is 755.
    apt-get source -qq --download-only "pgvector=$PGVECTOR_VERSION-1" >/dev/null 2>&1 || apt-get source -qq --download-only pgvector >/dev/null
    dpkg-source -x --no-check ./pgvector_*.dsc pgvector >/dev/null
    cd pgvector
    make -s PG_CONFIG="$pgbin/pg_config" OPTFLAGS="" >/dev/null
    $SUDO make -s PG_CONFIG="$pgbin/pg_config" install >/dev/null
  )
  rm -rf "$build"
  ls "$sharedir/extension/"vector--*.sql >/dev/null
  log "pgvector installed"
fi

# cognito-local, pinned by local/package-lock.json.
if [ ! -x "$here/node_modules/.bin/cognito-local" ]; then
  log "npm ci (cognito-local)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# Chromium (Debian's) for the web app's end-to-end test, driven by playwright-core.
if ! [ -x /usr/bin/chromium ]; then
  apt_install chromium fonts-dejavu-core
fi
