#!/usr/bin/env bash
# Sets up a fresh machine for rr: pnpm (pinned, via npm; corepack is not used), PHP and PHPUnit from
# Debian when missing, the workspace dependencies, and a build. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"
log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

# Node is a prerequisite of the machine; say so plainly rather than failing later.
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node >= 20.19 is required, found " + process.version); process.exit(1) }'

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  log "installing pnpm@$PNPM_VERSION with npm"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

# Debian packages the PHP side needs; apt-get runs only when one is missing.
need_apt=()
command -v php >/dev/null 2>&1 || need_apt+=(php-cli)
command -v phpunit >/dev/null 2>&1 || need_apt+=(phpunit)
[ -d /usr/share/php/Nyholm/Psr7 ] || need_apt+=(php-nyholm-psr7)
[ -d /usr/share/php/Psr/SimpleCache ] || need_apt+=(php-psr-simple-cache)
# igbinary: php-sdk's KeyValue IgbinarySerializer and its tests.
php -r 'exit(extension_loaded("igbinary") ? 0 : 1);' >/dev/null 2>&1 || need_apt+=(php-igbinary)
# cgi-fcgi (libfcgi's reference FastCGI client): the http plugin's FastCGI listener is tested against it.
command -v cgi-fcgi >/dev/null 2>&1 || need_apt+=(libfcgi-bin)
# memcached: the kv memcached driver's tests start private servers from this binary.
command -v memcached >/dev/null 2>&1 || [ -x /usr/bin/memcached ] || need_apt+=(memcached)
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "installing from Debian: ${need_apt[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >/dev/null
fi
php -r 'exit(extension_loaded("sockets") ? 0 : 1);' || { log "PHP's sockets extension is missing"; exit 1; }

log "installing workspace dependencies"
pnpm install --frozen-lockfile --reporter=silent
log "building"
pnpm --silent turbo run build --output-logs=errors-only
log "ready"
