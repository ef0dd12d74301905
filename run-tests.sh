#!/usr/bin/env bash
# Runs every test of the solution. Installs the Debian packages the tests need when run as root;
# otherwise says exactly what to install. Usage: ./run-tests.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK is not installed; install .NET 10 (https://dot.net) and run ./run-tests.sh again" >&2
  exit 1
fi

missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < .ci/apt-packages

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing test dependencies: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "error: the tests need these Debian packages; install them and run again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The kubectl fidelity tests need a real kubectl. Debian's kubernetes-client (1.20) is installed only
# when none is on PATH: it would conflict with one already installed (e.g. google-cloud-sdk's).
if ! command -v kubectl >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing kubectl: kubernetes-client"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends kubernetes-client >/dev/null
  else
    echo "error: the tests need kubectl; install it (sudo apt-get install -y kubernetes-client) and run again" >&2
    exit 1
  fi
fi

dotnet build Fluid.slnx -c Release -nologo -clp:ErrorsOnly
dotnet test Fluid.slnx -c Release --no-build -nologo "$@"
