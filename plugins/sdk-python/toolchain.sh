# Sourced by ./build and ./test: makes sure the pinned toolchain virtualenv
# exists at <repo>/target/python-toolchain and sets REPO and TOOLCHAIN.
# The venv is (re)installed when missing or when requirements-build.txt is
# newer than the last install.

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SDK_DIR/../.." && pwd)"
TOOLCHAIN="$REPO/target/python-toolchain"
REQUIREMENTS="$SDK_DIR/requirements-build.txt"
STAMP="$TOOLCHAIN/.installed-requirements"

if [[ ! -x "$TOOLCHAIN/bin/python" ]]; then
    echo "creating the Python toolchain in $TOOLCHAIN" >&2
    python3 -m venv "$TOOLCHAIN"
fi
if ! cmp -s "$REQUIREMENTS" "$STAMP"; then
    echo "installing $REQUIREMENTS" >&2
    "$TOOLCHAIN/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$STAMP"
fi
