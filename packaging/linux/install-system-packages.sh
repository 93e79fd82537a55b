#!/usr/bin/env bash
# Install the system libraries Composer needs on Debian/Ubuntu, when we can.
#   libfluidsynth3: playback and WAV rendering (pyfluidsynth loads it)
#   the rest: Qt's runtime libraries for the window (xcb platform plugin, EGL, fonts)
# Arguments name packages wanted besides (make screenshot / check-bundle: xvfb xauth).
# Without root or password-less sudo, or on another system, print what to run and go on:
# the app still starts (Play is disabled without libfluidsynth).
set -u
packages=(libfluidsynth3 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
  libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 "$@")

command -v dpkg-query >/dev/null 2>&1 || {
  case "$(uname -s)" in
    Darwin) command -v fluidsynth >/dev/null 2>&1 || echo "note: for playback run: brew install fluid-synth" ;;
  esac
  exit 0
}
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "note: missing system packages; to install them run:"
  echo "  sudo apt-get install -y ${missing[*]}"
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
  || { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; } \
  || { echo "note: could not install: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})"; }
exit 0
