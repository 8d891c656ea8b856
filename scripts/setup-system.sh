#!/usr/bin/env bash
# Installs and starts what the tests need beyond Python, idempotently:
#   - Java, for PySpark in local mode;
#   - Debian's Chromium, for the dashboard's browser tests (never a downloaded browser);
#   - a PostgreSQL server on 127.0.0.1:5432 with user postgres / postgres and a
#     database tandem_test, for the backend parity tests;
#   - Pango and fonts for WeasyPrint (scorecard PDFs), poppler-utils to read PDFs
#     back (pdftotext, pdftoppm) and Chromium to render the HTML report.
# Needs root (as on CI); apt is only called when something is missing.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
dpkg -s postgresql >/dev/null 2>&1 || need+=(postgresql)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-system: root is needed to install: ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main" \
  || pg_createcluster "$version" main >/dev/null
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "setup-system: PostgreSQL did not start" >&2; exit 1; }

su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres';\"" >/dev/null
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'tandem_test'\"" | grep -q 1 \
  || su postgres -c "createdb tandem_test"
echo "setup-system: Java $(java -version 2>&1 | head -n 1 | cut -d'"' -f2), PostgreSQL $version on 127.0.0.1:5432, $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
