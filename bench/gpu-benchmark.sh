#!/usr/bin/env bash
# GPU path benchmark: N synthetic 1080p streams with faces, NVDEC decode (ffmpeg -hwaccel cuda) and face analysis on
# the CUDA execution provider, then on TensorRT when its libraries are present. Prints streams sustained at the
# analysis fps (default 5) and faces/s per provider. Exits 2 with the reason on a machine without an NVIDIA GPU.
# usage: bench/gpu-benchmark.sh [--fps 5] [--window 30] [--max-streams 64]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "GPU benchmark not run: no NVIDIA GPU or driver on this machine (nvidia-smi found none)" >&2
  exit 2
fi
nvidia-smi -L
if ! ffmpeg -hide_banner -hwaccels 2>/dev/null | grep -qx cuda; then
  echo "GPU benchmark not run: this ffmpeg has no CUDA hwaccel (NVDEC); install an ffmpeg built with --enable-cuda/nvdec" >&2
  exit 2
fi
dotnet build bench/VideoFace.Benchmarks -c Release -v q --nologo
bin=bench/VideoFace.Benchmarks/bin/Release/net10.0/VideoFace.Benchmarks.dll
dotnet "$bin" --gpu --provider cuda "$@"
if ldconfig -p 2>/dev/null | grep -q 'libnvinfer\.so\.\(10\|8\)'; then
  dotnet "$bin" --gpu --provider tensorrt "$@"
else
  echo "TensorRT: libnvinfer not found, TensorRT provider skipped"
fi
