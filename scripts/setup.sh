#!/usr/bin/env bash
# Set up (or bring up to date) a development/run environment for sohoa.
#
# Idempotent: every step checks first and does nothing when already done, so a
# second run takes a few seconds. Steps:
#   1. system packages (apt): OCR, PDF tools, gettext, Chromium, Node/npm
#   2. Python virtualenv in .venv, `pip install -e '.[dev]'` when pyproject.toml changed
#   3. front-end assets from npm (package-lock.json) copied into core/static/vendor/
#   4. gettext catalogues (.po -> .mo) when a .po is newer than its .mo
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# --------------------------------------------------------------------------
# 1. System packages
# --------------------------------------------------------------------------
APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie ghostscript qpdf gettext chromium
              poppler-utils fonts-dejavu-core)

python_venv_ok() {
    command -v python3 >/dev/null 2>&1 &&
        python3 -m venv --help >/dev/null 2>&1 &&
        python3 -c 'import ensurepip' >/dev/null 2>&1
}

system_packages() {
    local missing=() pkg status

    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        # Not Debian/Ubuntu: check by the commands we actually use.
        local need=()
        command -v tesseract >/dev/null 2>&1 || need+=("tesseract (Tesseract OCR 5)")
        if command -v tesseract >/dev/null 2>&1 &&
            ! tesseract --list-langs 2>/dev/null | grep -qx vie; then
            need+=("Tesseract Vietnamese language data (vie.traineddata)")
        fi
        command -v gs >/dev/null 2>&1 || need+=("ghostscript (gs)")
        command -v qpdf >/dev/null 2>&1 || need+=("qpdf")
        command -v msgfmt >/dev/null 2>&1 || need+=("gettext (msgfmt)")
        command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
            need+=("chromium")
        command -v pdftoppm >/dev/null 2>&1 || need+=("poppler-utils (pdftoppm, pdftotext)")
        command -v node >/dev/null 2>&1 || need+=("nodejs")
        command -v npm >/dev/null 2>&1 || need+=("npm")
        python_venv_ok || need+=("python3 (>= 3.11) with the venv module and ensurepip")
        if ((${#need[@]})); then
            printf 'setup: ERROR: apt-get not found (this script installs system packages on Debian/Ubuntu only).\n' >&2
            printf 'setup: install these with your system package manager, then re-run:\n' >&2
            printf 'setup:   - %s\n' "${need[@]}" >&2
            printf 'setup: (fonts: DejaVu fonts are also expected, e.g. fonts-dejavu-core)\n' >&2
            exit 1
        fi
        say "apt-get not found; required system tools are present"
        return 0
    fi

    # One dpkg-query call for all packages; unknown packages are simply absent from the output.
    local installed
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)
    for pkg in "${APT_PACKAGES[@]}"; do
        status=$(awk -v p="$pkg" '$1 == p { print $2 }' <<<"$installed")
        [[ $status == installed ]] || missing+=("$pkg")
    done
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    python_venv_ok || missing+=(python3-venv)

    if ((${#missing[@]} == 0)); then
        say "system packages up to date"
        return 0
    fi

    local sudo=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            printf 'setup: ERROR: missing system packages: %s\n' "${missing[*]}" >&2
            printf 'setup: not running as root and sudo is not available; as root, run:\n' >&2
            printf 'setup:   apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y %s\n' \
                "${missing[*]}" >&2
            exit 1
        fi
    fi

    say "installing apt packages: ${missing[*]}"
    if ! "${sudo[@]}" apt-get update -qq; then
        die "apt-get update failed; install manually: apt-get install -y ${missing[*]}"
    fi
    # Ubuntu ships Chromium as `chromium-browser`.
    local i
    for i in "${!missing[@]}"; do
        if [[ ${missing[$i]} == chromium ]] && ! apt-cache show chromium >/dev/null 2>&1 &&
            apt-cache show chromium-browser >/dev/null 2>&1; then
            missing[$i]=chromium-browser
        fi
    done
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; then
        die "apt-get install failed; install manually: apt-get install -y ${missing[*]}"
    fi
}

# --------------------------------------------------------------------------
# 2. Python virtualenv
# --------------------------------------------------------------------------
python_env() {
    local venv="$ROOT/.venv" stamp="$ROOT/.venv/.sohoa-setup-stamp" want have=""

    if [[ ! -x $venv/bin/python ]]; then
        say "creating virtualenv in .venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip
    fi

    want=$(sha256_of pyproject.toml)
    [[ -f $stamp ]] && have=$(<"$stamp")
    if [[ $want == "$have" ]]; then
        say "venv up to date"
        return 0
    fi
    say "installing Python package: pip install -e '.[dev]'"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    printf '%s\n' "$want" >"$stamp"
}

# --------------------------------------------------------------------------
# 3. Front-end assets (npm registry -> static/vendor, no CDN)
# --------------------------------------------------------------------------
VENDOR_DIR=src/sohoa/core/static/vendor
ASSETS=(
    node_modules/htmx.org/dist/htmx.min.js
    node_modules/@picocss/pico/css/pico.min.css
)

frontend_assets() {
    local stamp=node_modules/.sohoa-stamp want have="" f need_ci=0

    [[ -f package-lock.json ]] || die "package-lock.json missing (run: npm install)"
    command -v npm >/dev/null 2>&1 || die "npm not found on PATH"

    want=$(sha256_of package-lock.json)
    [[ -f $stamp ]] && have=$(<"$stamp")
    [[ $want == "$have" ]] || need_ci=1
    for f in "${ASSETS[@]}"; do
        [[ -f $f ]] || need_ci=1
    done

    if ((need_ci)); then
        say "installing npm packages: npm ci"
        npm ci --no-audit --no-fund --loglevel=error
        printf '%s\n' "$want" >"$stamp"
    else
        say "npm packages up to date"
    fi

    mkdir -p "$VENDOR_DIR"
    local copied=0 dest
    for f in "${ASSETS[@]}"; do
        dest="$VENDOR_DIR/$(basename "$f")"
        if ! cmp -s "$f" "$dest"; then
            install -m 0644 "$f" "$dest"
            copied=1
        fi
    done
    if ((copied)); then
        say "copied front-end assets into $VENDOR_DIR/"
    else
        say "front-end assets up to date"
    fi
}

# --------------------------------------------------------------------------
# 4. gettext catalogues
# --------------------------------------------------------------------------
translations() {
    local po mo stale=0 any=0

    if [[ -d src/sohoa ]]; then
        while IFS= read -r -d '' po; do
            any=1
            mo="${po%.po}.mo"
            if [[ ! -f $mo || $po -nt $mo ]]; then
                stale=1
                break
            fi
        done < <(find src/sohoa -path '*/locale/*/LC_MESSAGES/django.po' -print0)
    fi

    if ((!any)); then
        say "no translation catalogues yet"
    elif ((stale)); then
        say "compiling translation catalogues"
        # The settings create their data dir on import: point it at a scratch one, not src/sohoa/data.
        local scratch
        scratch=$(mktemp -d)
        (cd src/sohoa && SOHOA_DATA_DIR="$scratch" ../../.venv/bin/sohoa compilemessages --ignore .venv) >/dev/null
        rm -rf "$scratch"
    else
        say "translation catalogues up to date"
    fi
}

system_packages
python_env
frontend_assets
translations
say "done"
