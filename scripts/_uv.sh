# Sourced by scripts/run and scripts/test: make `uv` available, installing it with pip when missing.
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
  UV=(python3 -m uv)
else
  echo "algogate: installing uv with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv
  UV=(python3 -m uv)
fi
