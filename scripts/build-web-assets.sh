#!/usr/bin/env bash
# Install the web service's browser assets from npm (web/package-lock.json) and copy the
# files it serves into src/totalplace/web/static/vendor/ (not committed). Run by make.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
web="$root/web"
vendor="$root/src/totalplace/web/static/vendor"
if ! command -v npm >/dev/null; then
    echo "build-web-assets: npm is missing; install Node.js and npm (Debian: apt-get install npm)" >&2
    exit 1
fi
npm ci --prefix "$web" --no-audit --no-fund --loglevel=error >/dev/null
modules="$web/node_modules"
rm -rf "$vendor.tmp"
mkdir -p "$vendor.tmp/govuk"
cp "$modules/govuk-frontend/dist/govuk/govuk-frontend.min.css" "$vendor.tmp/govuk/"
cp "$modules/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$vendor.tmp/govuk/"
cp -r "$modules/govuk-frontend/dist/govuk/assets" "$vendor.tmp/govuk/assets"
cp "$modules/htmx.org/dist/htmx.min.js" "$vendor.tmp/"
cp "$modules/vega/build/vega.min.js" "$modules/vega-lite/build/vega-lite.min.js" \
   "$modules/vega-embed/build/vega-embed.min.js" "$vendor.tmp/"
# Vega compiles chart expressions with new Function() unless given its interpreter; the
# interpreter (an ES module) imports vega-util, which the import map in layout.html points at.
mkdir -p "$vendor.tmp/vega-util"
cp "$modules"/vega-util/build/*.js "$vendor.tmp/vega-util/"
cp "$modules/vega-interpreter/build/vega-interpreter.js" "$vendor.tmp/"
for package in govuk-frontend htmx.org vega vega-lite vega-embed vega-interpreter vega-util; do
    node -e "const p=require('$modules/$package/package.json'); console.log(p.name + ' ' + p.version + ' ' + p.license)"
done > "$vendor.tmp/VERSIONS"
rm -rf "$vendor" && mv "$vendor.tmp" "$vendor"
echo "build-web-assets: $(tr '\n' ';' < "$vendor/VERSIONS")" >&2
