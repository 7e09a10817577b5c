#!/usr/bin/env bash
# Installs the Debian packages Hotline's demo and test suite need. Idempotent.
#   scripts/system-deps.sh demo   espeak-ng and sox (prompts and TTS), Chromium and a CJK font
#                                 (reports as PDF), npm when there is none (chart library)
#   scripts/system-deps.sh all    everything the suite uses: sipp, baresip, Chromium, CJK fonts,
#                                 tshark (the SRTP test checks the wire for plaintext RTP),
#                                 poppler-utils (the PDF report test reads the PDF back),
#                                 chromium-l10n (the zh-CN walk's native date and time controls),
#                                 dovecot-imapd (the mailbox tests read a real IMAP server),
#                                 kamailio (the dispatcher in front of several nodes, deploy/kamailio)
#                                 rtpengine-daemon (the rtpengine media backend's tests drive a
#                                 real daemon over its ng protocol, userspace forwarding only)
#   scripts/system-deps.sh node   npm, when the machine has none (make installs the chart library)
set -euo pipefail

what="${1:-all}"
case "$what" in
  demo) packages=(espeak-ng sox chromium fonts-wqy-microhei) ;;
  all)  packages=(espeak-ng sox sip-tester baresip-core chromium fonts-wqy-microhei iproute2 tshark
                  poppler-utils chromium-l10n dovecot-imapd kamailio rtpengine-daemon) ;;
  node) packages=() ;;
  *) echo "usage: $0 [demo|all|node]" >&2; exit 2 ;;
esac
# npm (the browser libraries, vendor/package.json) may come from elsewhere than Debian: only
# when there is no npm at all is Debian's asked for.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all present (${packages[*]})"
  exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: run as root:  $line" >&2
  exit 1
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${run[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/hotline-apt.log 2>&1; then
  "${run[@]}" apt-get update -q >>/tmp/hotline-apt.log 2>&1 || true
  if ! "${run[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/hotline-apt.log 2>&1; then
    tail -20 /tmp/hotline-apt.log >&2
    echo "system-deps: could not install; run:  $line" >&2
    exit 1
  fi
fi
echo "system-deps: installed ${missing[*]}"
