# Shared by scripts/run and scripts/test: paths and the one-time setup a fresh machine needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# spin.toml names the wasm files under ./target: a custom target dir would hide them.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  echo "note: ignoring CARGO_TARGET_DIR=$CARGO_TARGET_DIR (spin.toml expects ./target; symlink it instead)" >&2
  unset CARGO_TARGET_DIR
fi
# rust-toolchain.toml names the wasm target; make sure it is installed even where
# rustup does not install targets by itself (e.g. RUSTUP_AUTO_INSTALL=0).
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2; then
  rustup target add wasm32-wasip2
fi

# `--sqlite @file` for every migration, then reference data, then demo data, each
# folder in name order.
sqlite_args() {
  local f
  for f in db/migrations/*.sql db/reference/*.sql db/seed/*.sql; do
    [ -e "$f" ] && printf -- '--sqlite\n@%s\n' "$f"
  done
  return 0
}

# Builds the runner with the same feature unification as `cargo test --release
# --workspace` (dev-dependencies change it), so the heavy wasmtime dependencies are
# compiled once and shared by `scripts/run` and `scripts/test`.
build_runner() {
  cargo build --release --workspace --bins --tests
}

# `--variable` arguments with the development keys (.dev/, made by scripts/dev-keys).
dev_key_args() {
  "$ROOT/scripts/dev-keys"
  printf -- '--variable sp_private_key=@%s ' "$ROOT/.dev/sp.key"
  printf -- '--variable sp_certificate=@%s ' "$ROOT/.dev/sp.crt"
  printf -- '--variable test_idp_private_key=@%s ' "$ROOT/.dev/demo-idp.key"
  printf -- '--variable test_idp_certificate=@%s ' "$ROOT/.dev/demo-idp.crt"
  printf -- '--variable documents_signing_key=@%s ' "$ROOT/.dev/documents.key"
  printf -- '--variable documents_signing_cert=@%s ' "$ROOT/.dev/documents.crt"
  printf -- '--variable oidc_signing_key=@%s --variable oidc_signing_kid=dev2 ' "$ROOT/.dev/oidc.key"
  printf -- '--variable oidc_previous_key=@%s --variable oidc_previous_kid=dev1 ' "$ROOT/.dev/oidc-previous.key"
  printf -- '--variable oidc_clients=@%s ' "$ROOT/config/oidc/development.json"
}
