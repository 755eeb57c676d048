#!/usr/bin/env bash
# Set-up and the everyday commands on a Debian/Ubuntu machine that has only python3:
#   bash packaging/dev.sh run [ARGS...]   install what is needed, then start the window (or a CLI command);
#                                         the window goes on a virtual screen (xvfb-run) when there is no display
#   bash packaging/dev.sh test [ARGS...]  install what is needed, then run every test
#   bash packaging/dev.sh bench           install what is needed, then run the benchmarks
# Python packages go into .venv in the project folder; Qt's system libraries come from apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${PARTYBUILD_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

# Libraries Qt needs for its offscreen and X11 platforms, and a virtual screen for a real window.
SYSTEM_PACKAGES=(libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libx11-xcb1)

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "安装系统组件：${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && "$PYTHON" -m venv "$VENV"; }
  fi
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
}

# Whether these arguments start the window (no subcommand) rather than a headless command, as the
# program's own parser reads them; --help, --version and usage errors need no window either.
opens_window() {
  local answer=0
  "$VENV/bin/python" - "$@" >/dev/null 2>&1 <<'PY' || answer=$?
import sys
from partybuild_desktop.cli import build_parser
try:
    args = build_parser().parse_args(sys.argv[1:])
except SystemExit:
    sys.exit(11)
sys.exit(10 if args.command is None else 11)
PY
  # Anything unexpected (the check itself failing) counts as the window: the screen is then there.
  [ "$answer" -ne 11 ]
}

# What the tests use besides Python: pdftotext (poppler-utils) as a second PDF reader, and a CJK font
# for the Chinese that the GUI tests draw.
TEST_PACKAGES=(poppler-utils fonts-wqy-microhei)

command="${1:-run}"
shift || true
case "$command" in
  run)
    ensure_system_packages
    ensure_venv
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      if opens_window "$@"; then
        ensure_system_packages xvfb xauth
        echo "没有图形界面，在虚拟屏幕上启动（xvfb-run）。"
        exec xvfb-run -a -s "-screen 0 1600x1000x24" "$VENV/bin/python" -m partybuild_desktop "$@"
      fi
      # A headless command needs no screen; should it use Qt at all, Qt draws offscreen.
      export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    fi
    exec "$VENV/bin/python" -m partybuild_desktop "$@"
    ;;
  test)
    ensure_system_packages "${TEST_PACKAGES[@]}"
    ensure_venv
    exec env QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m pytest "$@"
    ;;
  bench)
    ensure_system_packages xvfb xauth
    ensure_venv
    exec "$VENV/bin/python" benchmarks/run.py "$@"
    ;;
  *)
    echo "用法：bash packaging/dev.sh run|test|bench [参数…]" >&2
    exit 2
    ;;
esac
