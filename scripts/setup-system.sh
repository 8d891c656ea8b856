#!/usr/bin/env bash
# Installs and starts what the tests need beyond Python, idempotently:
# Java (for PySpark in local mode). Needs root; apt is only called when
# something is missing.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-system: need root to install: ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
