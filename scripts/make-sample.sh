#!/usr/bin/env bash
# Makes the sample camera for `./videoface up --sample`: artifacts/sample/sample-camera.mp4, a ~24 s H.264 slideshow with a
# gentle pan/zoom over the group photos shipped in the npm package @vladmandic/face-api (MIT; demo/sample1-6.jpg).
# The package tarball is cached under artifacts/sample/.cache; nothing here is committed. Quick, and a no-op when done.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="1.7.15"
out_dir="$repo/artifacts/sample"
cache="$out_dir/.cache"
video="$out_dir/sample-camera.mp4"
stamp="$out_dir/.sample-camera.stamp"
want="face-api@$version $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"

if [[ -s "$video" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "setup: sample camera present ($video)"
  exit 0
fi
command -v ffmpeg >/dev/null || { echo "make-sample: ffmpeg is needed" >&2; exit 1; }
command -v npm >/dev/null || { echo "make-sample: npm is needed" >&2; exit 1; }
mkdir -p "$cache" "$out_dir/photos"

tgz="$cache/vladmandic-face-api-$version.tgz"
if [[ ! -s "$tgz" ]]; then
  echo "setup: fetching @vladmandic/face-api@$version (npm pack) for the sample camera"
  (cd "$cache" && npm pack "@vladmandic/face-api@$version" --silent >/dev/null)
fi
photos=()
for i in 1 2 3 4 5 6; do photos+=("package/demo/sample$i.jpg"); done
tar -xzf "$tgz" -C "$cache" "${photos[@]}" package/LICENSE
for p in "${photos[@]}"; do cp "$cache/$p" "$out_dir/photos/"; done
cp "$cache/package/LICENSE" "$out_dir/photos/LICENSE-face-api.txt"

# Each photo: 4 s at 25 fps, cropped to 16:9 and upscaled 2x first (smoother sub-pixel zoompan), zooming 1.0→1.15 while
# panning left→right (even) or right→left (odd), then all concatenated. 1280×720 H.264, keyframe every second.
secs=4; fps=25; frames=$((secs * fps))
inputs=(); filters=""; concat=""
for i in "${!photos[@]}"; do
  inputs+=(-i "$out_dir/photos/$(basename "${photos[$i]}")")
  if ((i % 2 == 0)); then x="(iw-iw/zoom)*on/$frames"; else x="(iw-iw/zoom)*(1-on/$frames)"; fi
  filters+="[$i:v]scale=2560:1440:force_original_aspect_ratio=increase,crop=2560:1440,"
  filters+="zoompan=z='1+0.15*on/$frames':x='$x':y='(ih-ih/zoom)/2':d=$frames:s=1280x720:fps=$fps,setsar=1,format=yuv420p[v$i];"
  concat+="[v$i]"
done
filters+="${concat}concat=n=${#photos[@]}:v=1:a=0[out]"
tmp="$video.tmp.mp4"
ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" -filter_complex "$filters" -map "[out]" \
  -c:v libx264 -preset veryfast -crf 23 -g $fps -pix_fmt yuv420p -movflags +faststart "$tmp"
mv "$tmp" "$video"
echo "$want" > "$stamp"
echo "setup: sample camera made ($video, $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$video" | cut -d. -f1) s)"
