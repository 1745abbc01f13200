#!/usr/bin/env bash
# Packs what scripts/gpu-device.sh needs for its snarkjs columns on a GPU machine without
# Node (this project's lent device machines): this machine's node binary and snarkjs with
# the packages it loads, as .gpu-carry/node-snarkjs.tar.xz (about 40 MB; the folder is
# git-ignored through .git/info/exclude). Name `.gpu-carry` in the device call's `carry`;
# gpu-device.sh unpacks it where node is missing.
#
#   scripts/gpu-carry.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=.gpu-carry
mkdir -p "$out"
grep -qxF '/.gpu-carry/' .git/info/exclude 2>/dev/null || echo '/.gpu-carry/' >>.git/info/exclude
node_binary=$(readlink -f "$(command -v node)")
# snarkjs and everything its package.json files name, transitively (top-level node_modules).
packages=$(node -e '
  const fs = require("fs"), path = require("path");
  const seen = new Set();
  const walk = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(path.join("node_modules", name, "package.json"), "utf8"));
    for (const dep of Object.keys(pkg.dependencies ?? {})) walk(dep);
  };
  walk("snarkjs");
  console.log([...seen].map((p) => `node_modules/${p}`).join("\n"));
')
# shellcheck disable=SC2086
tar -cf - -C "$(dirname "$node_binary")" "$(basename "$node_binary")" -C "$PWD" $packages | xz -T0 -6 >"$out/node-snarkjs.tar.xz.tmp"
mv "$out/node-snarkjs.tar.xz.tmp" "$out/node-snarkjs.tar.xz"
echo "$out/node-snarkjs.tar.xz: $(du -h "$out/node-snarkjs.tar.xz" | cut -f1) (node $("$node_binary" --version) and $(wc -w <<<"$packages") packages)"
