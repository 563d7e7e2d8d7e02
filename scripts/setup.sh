#!/usr/bin/env bash
# Sets up a fresh Debian machine with the .NET SDK for VideoFace: system packages (ffmpeg, GStreamer RTSP server
# for tests), the default model pack from the npm registry, and a build. Safe to run again.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

apt_packages=(
  ffmpeg
  python3-gi gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  chromium
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: system packages present"

command -v node >/dev/null || { echo "setup: node/npm are needed to fetch the model pack" >&2; exit 1; }
models/fetch.sh

# Azurite (Azure Blob/Table/Queue emulator) for the cluster-profile tests
if [[ ! -x tools/azurite/node_modules/.bin/azurite ]]; then
  echo "setup: installing Azurite from the npm registry"
  (cd tools/azurite && npm install --no-audit --no-fund --silent >/dev/null)
fi
echo "setup: azurite $(tools/azurite/node_modules/.bin/azurite --version)"

# playwright-core (drives Debian's chromium; no browser download) for the dashboard browser tests
if [[ ! -d tools/playwright/node_modules/playwright-core ]]; then
  echo "setup: installing playwright-core from the npm registry"
  (cd tools/playwright && npm ci --no-audit --no-fund --silent >/dev/null)
fi

# Redocly CLI lints the served OpenAPI document in the API tests
if [[ ! -x tools/redocly/node_modules/.bin/redocly ]]; then
  echo "setup: installing Redocly CLI from the npm registry"
  (cd tools/redocly && npm install --no-audit --no-fund --silent >/dev/null)
fi

scripts/make-sample.sh

echo "setup: building"
dotnet build VideoFace.sln -c Release --nologo -v q -clp:NoSummary
echo "setup: done"
