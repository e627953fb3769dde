#!/usr/bin/env bash
# Runs every test suite. Browser tests need Debian's chromium; it is installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

dotnet tool restore >/dev/null
dotnet build IdentiGuard.slnx -c Release -v q -nologo
dotnet test IdentiGuard.slnx -c Release --no-build -v q -nologo -m:1 --logger "console;verbosity=minimal" "$@"
