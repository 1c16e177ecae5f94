#!/usr/bin/env bash
# Frontend checks, run by scripts/test: install (npm ci when needed), Biome, Vitest, production
# build, then the Playwright end-to-end run against a real backend. Installs Debian's Chromium
# when missing (root, unattended). Prints one summary line; exits non-zero if any step fails.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
summary=()
failed=0

run() { # run NAME CMD... : quiet on success, the log's tail on failure; STEP_S = duration
  local name=$1 t0=$SECONDS; shift
  if NO_COLOR=1 FORCE_COLOR=0 "$@" >"$log_dir/$name.log" 2>&1; then
    STEP_S=$((SECONDS - t0))
    return 0
  fi
  STEP_S=$((SECONDS - t0))
  echo "frontend: $name FAILED:" >&2
  tail -n 80 "$log_dir/$name.log" >&2
  failed=1
  return 1
}

if ! command -v npm >/dev/null 2>&1; then
  echo "frontend: FAILED: node/npm not found (Node 20+ is required)" >&2
  exit 1
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  run install npm ci --no-audit --no-fund || exit 1
fi

# The generated client must match the backend: report drift (regenerate with `npm run api`).
fresh="$log_dir/openapi.json"
if (cd .. && ${ALGOGATE_UV:-uv} run --frozen python frontend/scripts/dump_openapi.py "$fresh") >/dev/null 2>&1; then
  if cmp -s "$fresh" src/lib/api/openapi.json; then
    summary+=("API client up to date")
  else
    summary+=("NOTE backend OpenAPI changed: run 'npm run api' in frontend/ and commit")
  fi
fi

run lint npx biome check . && summary+=("biome ok (${STEP_S} s)")
if run unit npx vitest run; then
  summary+=("vitest $(grep -Eo 'Tests +[0-9]+ passed' "$log_dir/unit.log" | grep -Eo '[0-9]+') passed (${STEP_S} s)")
fi
if run build npm run build; then
  summary+=("build ok (${STEP_S} s)")
else
  echo "frontend checks FAILED in $((SECONDS - started)) s: build failed" >&2
  exit 1
fi

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "frontend: installing Chromium from Debian's packages" >&2
  if [ "$(id -u)" = 0 ]; then
    run chromium-install bash -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium'
  else
    run chromium-install bash -c 'sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium'
  fi
fi

if [ -x "$chromium" ]; then
  run e2e node e2e/run.mjs
  e2e_line=$(grep '^frontend e2e:' "$log_dir/e2e.log" | tail -n 1)
  summary+=("${e2e_line#frontend }")
else
  echo "frontend: FAILED: no Chromium at $chromium" >&2
  failed=1
fi

status=$([ "$failed" = 0 ] && echo "passed" || echo "FAILED")
joined=$(printf '%s; ' "${summary[@]}")
echo "frontend checks $status in $((SECONDS - started)) s: ${joined%; }"
exit "$failed"
