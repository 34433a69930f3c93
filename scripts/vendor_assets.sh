#!/usr/bin/env bash
# Vendor front-end assets from pinned npm packages into static/vendor/.
#
# Usage:  scripts/vendor_assets.sh        (from anywhere; needs node + npm)
#
# - Downloads exact, pinned tarballs with `npm pack` into a temp dir and
#   verifies each against a pinned sha512 integrity (same value as the
#   registry's dist.integrity), so re-runs produce byte-identical files.
# - Copies only the minified runtime files the app needs (no source maps).
# - Strips sourceMappingURL comments (the .map files are not vendored; a
#   dangling reference would 404 in devtools and breaks Django's
#   ManifestStaticFilesStorage post-processing).
# - Fails if any vendored CSS would load something from another host.
#
# To upgrade: change a version below, set its integrity to the output of
#   npm view <pkg>@<version> dist.integrity
# and re-run. Commit the script and static/vendor/ together.
set -euo pipefail

# name | npm spec | sha512 integrity
PACKAGES=(
  "tabler|@tabler/core@1.6.1|sha512-lgmR9gcxRp5JlLxcmRi9Rz85JrEvH6Bz71KnlcPVSa97wtwQNjgSs3g3fxwbAlulHyRMghhIV04QUuW3pqDsIg=="
  "tabler-icons|@tabler/icons-webfont@3.49.0|sha512-kWgnmEzo17dzQyMqRmlfj+TiGV0clLMYfUtKp2WG7M+TH5418o6fsoaSlrOTK3lwESg0xS7jVfOozYrR02Ryxw=="
  "htmx|htmx.org@2.0.11|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
  "echarts|echarts@6.1.0|sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO_ROOT/static/vendor"

TMP="$(mktemp -d)"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

sha512_of() {
  node -e 'const c=require("crypto"),fs=require("fs");
    process.stdout.write("sha512-"+c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# Fetch + verify + unpack each package into $TMP/<name>/package/
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name spec integrity <<<"$entry"
  echo "==> fetching $spec"
  mkdir -p "$TMP/$name"
  tarball="$(cd "$TMP/$name" && npm pack --silent "$spec" 2>/dev/null | tail -n 1)"
  actual="$(sha512_of "$TMP/$name/$tarball")"
  if [[ "$actual" != "$integrity" ]]; then
    echo "ERROR: integrity mismatch for $spec" >&2
    echo "  expected $integrity" >&2
    echo "  actual   $actual" >&2
    exit 1
  fi
  tar -xzf "$TMP/$name/$tarball" -C "$TMP/$name"
done

src() { echo "$TMP/$1/package"; }

# Start from a clean slate for the directories this script owns.
mkdir -p "$DEST"
MANAGED=("$DEST/tabler" "$DEST/tabler-icons" "$DEST/htmx" "$DEST/echarts")
rm -rf "${MANAGED[@]}" "$DEST/VERSIONS.txt"
mkdir -p "${MANAGED[@]}" "$DEST/tabler-icons/fonts"

# --- Tabler core: CSS + JS bundle (bundle includes Bootstrap 5 JS + Popper).
# tabler.min.css only uses inline data: URIs, so no img/font files are needed.
install -m 0644 "$(src tabler)/dist/css/tabler.min.css" "$DEST/tabler/tabler.min.css"
install -m 0644 "$(src tabler)/dist/js/tabler.min.js"   "$DEST/tabler/tabler.min.js"

# --- Tabler Icons webfont: outline + filled sets, fonts kept at ./fonts/
# (relative to the CSS) so the url()s resolve unchanged. All three formats
# referenced by the CSS are kept so collectstatic/manifest hashing finds them.
install -m 0644 "$(src tabler-icons)/dist/tabler-icons.min.css"        "$DEST/tabler-icons/"
install -m 0644 "$(src tabler-icons)/dist/tabler-icons-filled.min.css" "$DEST/tabler-icons/"
for f in tabler-icons tabler-icons-filled; do
  for ext in woff2 woff ttf; do
    install -m 0644 "$(src tabler-icons)/dist/fonts/$f.$ext" "$DEST/tabler-icons/fonts/"
  done
done

# --- htmx
install -m 0644 "$(src htmx)/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"

# --- ECharts (full build)
install -m 0644 "$(src echarts)/dist/echarts.min.js" "$DEST/echarts/echarts.min.js"

# --- Post-processing ------------------------------------------------------
# 1. Drop sourceMappingURL comments (maps are not vendored).
#    CSS: the comment may sit on its own line or at the end of a content line,
#    so remove just the comment and drop the line only if it became empty.
#    JS: only a whole "//# sourceMappingURL=..." line is removed.
find "${MANAGED[@]}" -type f -name '*.css' \
  -exec sed -i -E '/sourceMappingURL=/{s@/\*# sourceMappingURL=[^*]*\*/@@;/^[[:space:]]*$/d}' {} +
find "${MANAGED[@]}" -type f -name '*.js' \
  -exec sed -i -E '/^\/\/# sourceMappingURL=[^[:space:]]*[[:space:]]*$/d' {} +

# 2. Drop any @import of remote stylesheets (e.g. Google Fonts / rsms Inter).
#    Only the @import statement itself is removed (minified CSS is one line).
#    Tabler 1.6.1 has none; kept as a guard for future upgrades.
#    Quoted URLs are matched up to the closing quote (Google Fonts URLs may
#    contain ';', e.g. wght@400;600).
IMPORT_FILES="$(grep -rlE "@import[[:space:]]+(url\([[:space:]]*)?[\"']?(https?:)?//" "${MANAGED[@]}" --include='*.css' | sed "s|^$DEST/||" | LC_ALL=C sort || true)"
find "${MANAGED[@]}" -type f -name '*.css' -exec sed -i -E \
  -e 's/@import[[:space:]]+(url\([[:space:]]*)?"(https?:)?\/\/[^"]*"[[:space:]]*\)?[^;]*;//g' \
  -e "s/@import[[:space:]]+(url\\([[:space:]]*)?'(https?:)?\\/\\/[^']*'[[:space:]]*\\)?[^;]*;//g" \
  -e 's/@import[[:space:]]+url\([[:space:]]*(https?:)?\/\/[^)]*\)[^;]*;//g' \
  {} +

# 3. Verify: no CSS may reference another host via url() or @import.
#    (data: URIs containing the SVG xmlns and license comments are fine.)
if grep -rnoE "(url\([\"']?|@import[[:space:]]+[\"']?)(https?:)?//" "${MANAGED[@]}" --include='*.css'; then
  echo "ERROR: vendored CSS references a remote host (see above)" >&2
  exit 1
fi
if grep -rlE "sourceMappingURL=" "${MANAGED[@]}" --include='*.css' \
   || grep -rlE "^//# sourceMappingURL=" "${MANAGED[@]}" --include='*.js'; then
  echo "ERROR: leftover sourceMappingURL in vendored CSS/JS" >&2
  exit 1
fi

# --- VERSIONS.txt (deterministic: no timestamps) --------------------------
{
  echo "# Generated by scripts/vendor_assets.sh -- do not edit by hand."
  echo "# Source: npm registry tarballs (npm pack), verified by sha512 integrity."
  echo
  for entry in "${PACKAGES[@]}"; do
    IFS='|' read -r name spec integrity <<<"$entry"
    echo "$spec  ->  static/vendor/$name/  ($integrity)"
  done
  echo
  echo "# Files"
  (cd "$DEST" && find tabler tabler-icons htmx echarts -type f | LC_ALL=C sort)
  echo
  echo "# Modifications"
  echo "- Removed sourceMappingURL comments from tabler.min.css, tabler.min.js and"
  echo "  tabler-icons-filled.min.css (source maps are not vendored)."
  if [[ -n "$IMPORT_FILES" ]]; then
    echo "- Stripped remote @import statements (e.g. web fonts) from:"
    sed 's/^/    /' <<<"$IMPORT_FILES"
  else
    echo "- No remote @import found, nothing stripped (Tabler 1.6.1 has no @import and"
    echo "  no @font-face; it uses a system-ui font stack)."
  fi
  echo "- Tabler Icons: only the outline (tabler-icons) and filled sets are vendored;"
  echo "  the 200/300 stroke-weight variants, .scss/.html and maps are omitted."
} >"$DEST/VERSIONS.txt"

echo "==> vendored into $DEST"
du -sh "$DEST"
