#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds preflight, then runs one of:
#   demo     the bundled migrations and benchmark suite on a throwaway cluster (writes reports/demo/)
#   test     the whole test suite (unit + integration on a throwaway PostgreSQL)
#   build    only install and build
#   package  build, then the .deb (CPack) in build/<preset>/package/
# Usage: bash tool/setup.sh demo|test|build|package
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-build}"
preset="${PREFLIGHT_PRESET:-ci}"

packages=(build-essential cmake ninja-build pkg-config ccache
          libpq-dev libcli11-dev libfmt-dev libtomlplusplus-dev libgtest-dev libgmock-dev
          libbenchmark-dev libssl-dev libpg-query-dev nlohmann-json3-dev
          postgresql postgresql-contrib postgresql-client chromium
          groff-base man-db zsh fish clang clang-format libclang-rt-dev pgbouncer)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (Debian's, unless a Node.js with npm is there) fetches dbmate for the interop test.
if [ "$mode" = test ] && ! command -v npm >/dev/null; then missing+=(npm); fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ccache hits across clones and work trees: paths below the checkout are hashed relative to it.
export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=true
cmake --preset "$preset" -G Ninja >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
bin="build/$preset/tool/preflight"
# dbmate's npm package (one static binary) for the test that takes turns with it; without npm, or
# offline, that test is skipped and says so.
if [ "$mode" = test ] && command -v npm >/dev/null && [ ! -x build/tools/node_modules/.bin/dbmate ]; then
  npm install --prefix build/tools --no-audit --no-fund dbmate@2.36.0 >/dev/null 2>&1 ||
    echo "setup: could not install dbmate from npm; its interop test will be skipped"
fi

case "$mode" in
  demo) exec "$bin" demo ;;
  test) exec ctest --preset "$preset" ;;
  build) echo "built $bin" ;;
  package)
    (cd "build/$preset" && cpack -G DEB >/dev/null)
    ls "build/$preset/package/"*.deb ;;
  *) echo "usage: bash tool/setup.sh demo|test|build|package" >&2; exit 2 ;;
esac
