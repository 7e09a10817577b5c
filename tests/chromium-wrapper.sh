#!/usr/bin/env bash
# Starts Debian's Chromium for the browser tests with a single --disable-features flag: Chromium
# keeps only the last one, so Playwright's own list and ours are merged here instead of one
# silently replacing the other (see ../shared/notes/webrtc-browser-tests.md).
features=()
args=()
for a in "$@"; do
  case "$a" in
    --disable-features=*) features+=("${a#--disable-features=}") ;;
    *) args+=("$a") ;;
  esac
done
joined=$(IFS=,; echo "${features[*]}")
if [ -n "${HOTLINE_CHROMIUM_ARGS_LOG:-}" ]; then
  printf '%s\n' "${args[@]}" "--disable-features=$joined" > "$HOTLINE_CHROMIUM_ARGS_LOG"
fi
exec "${HOTLINE_CHROMIUM:-/usr/lib/chromium/chromium}" "${args[@]}" "--disable-features=$joined"
