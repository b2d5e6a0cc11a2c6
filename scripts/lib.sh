# Shared by scripts/run and scripts/test (sourced, not run): the project's virtualenv and
# Debian packages. Expects the current directory to be the repository root.

VENV=.venv

say() { printf '==> %s\n' "$*"; }

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root (CI), through sudo otherwise.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# Install the Debian packages among "$@" that are not installed yet.
ensure_apt_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing system packages (${missing[*]}) and no apt-get to install them"
    say "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y -q "${missing[@]}"; then
        say "apt-get install failed; refreshing the package lists and trying again"
        as_root apt-get update -q
        as_root apt-get install -y -q "${missing[@]}"
    fi
}

# Create .venv with python3 unless a working one is there.
ensure_venv() {
    if [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || die "python3 not found (onestop needs Python 3.11 or newer)"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "onestop needs Python 3.11 or newer; python3 is $(python3 --version 2>&1)"
    rm -rf "$VENV"
    say "Creating the virtualenv $VENV"
    if ! python3 -m venv "$VENV"; then
        # Debian's own python3 ships venv/ensurepip separately.
        rm -rf "$VENV"
        ensure_apt_packages python3-venv
        python3 -m venv "$VENV"
    fi
}

# pip-install a requirements file into .venv, skipped when neither it nor the files it
# includes (-r) changed since the last successful install.
install_requirements() {
    local file=$1 stamp digest
    stamp="$VENV/.installed-$(basename "$file").sha256"
    digest=$(cat "$file" requirements*.txt | sha256sum | cut -d' ' -f1)
    if [[ -f $stamp && $(cat "$stamp") == "$digest" ]]; then
        return 0
    fi
    say "Installing Python packages from $file (the first time takes a few minutes)"
    "$VENV/bin/python" -m pip install --quiet -r "$file"
    printf '%s\n' "$digest" >"$stamp"
}
