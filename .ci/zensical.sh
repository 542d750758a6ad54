#!/usr/bin/env bash
# Optional: build the output of `carepath render --out` with Zensical, the engine after MkDocs, and check its links
# (README, "A plain docs folder"). Not part of `.ci/run`: it installs Zensical from PyPI into a venv of its own.
#
#   .ci/zensical.sh
#
# Renders the site into .zensical/, builds it with Zensical (strict) and with a stock MkDocs, then link-checks
# Zensical's site: every local href/src and #anchor lands on a file and id, and every page's content links land
# where the MkDocs build's do. Exits non-zero on any broken or differing link.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${ZENSICAL_VERSION:-0.0.73}"  # later versions need a `zensical-ui` package the index may not serve
python="${PYTHON:-.venv/bin/python}"
out=.zensical
venv="$out/venv"
if [ ! -x "$venv/bin/zensical" ] || ! "$venv/bin/zensical" --version | grep -qx "$version"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "zensical==$version"
fi
rm -rf "$out/docs" "$out/site" "$out/site-mkdocs" "$out/mkdocs.yml" "$out/.cache"
"$python" -m carepath render --out "$out/docs" --mkdocs-yml "$out/mkdocs.yml"
"$venv/bin/zensical" --version
time "$venv/bin/zensical" build --clean --strict --config-file "$out/mkdocs.yml"
NO_MKDOCS_2_WARNING=1 "$python" -m mkdocs build --quiet --strict --config-file "$out/mkdocs.yml" --site-dir "$PWD/$out/site-mkdocs"
"$python" -m carepath linkcheck "$out/site" --same-as "$out/site-mkdocs"
