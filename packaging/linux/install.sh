#!/usr/bin/env bash
# Install Composer on a Linux desktop: the program, a menu entry, hicolor icons, the ABC
# file type (text/vnd.abc, *.abc), and Composer as the default application for ABC and
# MIDI files; or take all of that away again.
#
#   packaging/linux/install.sh [--user] [--bundle DIR | --venv] [--uninstall]
#
#   --user       for this user only, under ~/.local (no root needed); default: for every
#                user, under /usr/local (as root)
#   --bundle DIR install the PyInstaller bundle DIR (copied to PREFIX/lib/composer);
#                default: the bundle this script sits in, else the repo's dist/composer
#   --venv       install the repo's venv app instead (.venv/bin/composer, from `make run`;
#                the checkout must stay where it is)
#   --uninstall  remove what an install put there (listed in PREFIX/share/composer/manifest)
#
# Opening a file from the file manager starts `composer FILE`; the menu entry's
# Exec=... %f starts one Composer per file, so a second file opens in a new window of
# its own (a second process), never in the running one.
# Needs nothing but bash and coreutils; update-mime-database, update-desktop-database,
# gtk-update-icon-cache and xdg-mime are used when present (Debian: shared-mime-info,
# desktop-file-utils, xdg-utils).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
user=0; mode=""; bundle=""; uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user=1 ;;
    --bundle) mode=bundle; bundle=${2:?--bundle needs a folder}; shift ;;
    --venv) mode=venv ;;
    --uninstall) uninstall=1 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ $user -eq 1 ]; then
  prefix="${HOME:?HOME is not set}/.local"
  config="${XDG_CONFIG_HOME:-$HOME/.config}"
else
  prefix=/usr/local
  config=""
  if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: installing for every user needs root: run it with sudo, or pass --user" >&2
    exit 1
  fi
fi
share="$prefix/share"
user_flag=""; [ $user -eq 1 ] && user_flag="--user"
manifest="$share/composer/manifest"

refresh() {  # the desktop's caches, when the tools are there
  command -v update-mime-database >/dev/null && update-mime-database "$share/mime" >/dev/null 2>&1 || true
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null && [ -f "$share/icons/hicolor/index.theme" ] \
    && gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
}

mime_types=(text/vnd.abc audio/midi audio/x-midi)

set_defaults() {  # Composer as the default for ABC and MIDI (per user only)
  [ -n "$config" ] || return 0
  mkdir -p "$config"
  local list="$config/mimeapps.list" t
  [ -f "$list" ] || printf '[Default Applications]\n' >"$list"
  grep -q '^\[Default Applications\]' "$list" || printf '\n[Default Applications]\n' >>"$list"
  for t in "${mime_types[@]}"; do
    # drop an earlier default for the type, then add ours under [Default Applications]
    sed -i "\\|^${t}=|d" "$list"
    sed -i "s|^\\[Default Applications\\]\$|[Default Applications]\\n${t}=composer.desktop|" "$list"
  done
}

drop_defaults() {
  [ -n "$config" ] && [ -f "$config/mimeapps.list" ] || return 0
  local t
  for t in "${mime_types[@]}"; do
    sed -i "\\|^${t}=composer.desktop;\\{0,1\\}\$|d" "$config/mimeapps.list"
  done
}

if [ $uninstall -eq 1 ]; then
  if [ ! -f "$manifest" ]; then
    echo "install.sh: nothing to uninstall under $prefix (no $manifest)"; exit 0
  fi
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    if [ -d "$f" ] && [ ! -L "$f" ]; then rm -rf -- "$f"; else rm -f -- "$f"; fi
  done <"$manifest"
  rm -f "$manifest"; rmdir "$share/composer" 2>/dev/null || true
  drop_defaults
  refresh
  echo "Composer uninstalled from $prefix"
  exit 0
fi

# What to install: a bundle (copied) or the venv's command (linked).
repo=$(cd "$here/../.." && pwd)
if [ -z "$mode" ]; then
  if [ -x "$here/composer" ] && [ -d "$here/_internal" ]; then mode=bundle; bundle="$here"
  elif [ -x "$repo/dist/composer/composer" ]; then mode=bundle; bundle="$repo/dist/composer"
  elif [ -x "$repo/.venv/bin/composer" ]; then mode=venv
  else
    echo "install.sh: no bundle (make bundle) and no venv (make run) to install" >&2; exit 1
  fi
fi
if [ "$mode" = bundle ]; then
  bundle=$(cd "$bundle" && pwd)
  [ -x "$bundle/composer" ] || { echo "install.sh: $bundle/composer is not a Composer bundle" >&2; exit 1; }
  resources="$bundle/_internal/composer/_data/resources"
else
  [ -x "$repo/.venv/bin/composer" ] || { echo "install.sh: no $repo/.venv (run make run first)" >&2; exit 1; }
  resources="$repo/resources"
fi
[ -f "$resources/composer.desktop" ] || resources="$repo/resources"

installed=()
put() {  # put SRC DEST: copy a file, remember it
  mkdir -p "$(dirname "$2")"
  install -m 0644 "$1" "$2"
  installed+=("$2")
}

# Uninstall an earlier copy first (a reinstall replaces it).
if [ -f "$manifest" ]; then bash "$0" $user_flag --uninstall >/dev/null; fi

mkdir -p "$prefix/bin"
if [ "$mode" = bundle ]; then
  target="$prefix/lib/composer"
  rm -rf "$target"
  mkdir -p "$prefix/lib"
  cp -a "$bundle" "$target"
  installed+=("$target")
  program="$target/composer"
else
  program="$repo/.venv/bin/composer"
fi
ln -sfn "$program" "$prefix/bin/composer"
installed+=("$prefix/bin/composer")

# The menu entry runs the program by its full path: ~/.local/bin is not on every PATH.
mkdir -p "$share/applications"
# Quoted only when it must be (a space...): xdg-open's own Exec parser takes quotes literally.
exec_program="$program"
case "$program" in *[[:space:]\"\'\\\>\<\~\|\&\;\$\*\?\#\(\)\`]*) exec_program="\"$program\"" ;; esac
sed -e "s|^Exec=composer |Exec=$exec_program |" -e "/^TryExec=/d" \
    "$resources/composer.desktop" >"$share/applications/composer.desktop"
printf 'TryExec=%s\n' "$program" >>"$share/applications/composer.desktop"
installed+=("$share/applications/composer.desktop")

for png in "$resources"/icons/hicolor/*/apps/composer.png; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  put "$png" "$share/icons/hicolor/$size/apps/composer.png"
done
put "$resources/composer.svg" "$share/icons/hicolor/scalable/apps/composer.svg"
put "$resources/composer-mime.xml" "$share/mime/packages/composer.xml"

mkdir -p "$share/composer"
printf '%s\n' "${installed[@]}" >"$manifest"
set_defaults
refresh
echo "Composer ($mode) installed under $prefix: menu entry $share/applications/composer.desktop,"
echo "  command $prefix/bin/composer -> $program; ABC and MIDI files open in it."
echo "  Uninstall: $0 $user_flag --uninstall"
