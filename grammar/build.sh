#!/usr/bin/env bash
# Regenerates the forked tree-sitter-go parser from grammar.js and rebuilds the native binding
# that the package loads (prebuilds/linux-x64/tree-sitter-go.node, as in the published package).
# Needs the tree-sitter CLI 0.25.8 (`cargo install tree-sitter-cli --version 0.25.8 --locked`):
# its generated ABI 15 is what the node `tree-sitter@0.25` binding loads. Run as `npm run grammar`,
# which puts npm's bundled node-gyp on PATH; Node's headers come from /usr/include/node.
# `--binding-only` rebuilds the binding from the committed src/ without the CLI (after a change to
# bindings/node/, such as the tree flattener, or to the installed node-tree-sitter).
set -euo pipefail
cd "$(dirname "$0")/tree-sitter-go"
if [ "${1:-}" != "--binding-only" ]; then
  want=0.25.8
  have=$(tree-sitter --version 2>/dev/null | awk '{print $2}') || true
  if [ "$have" != "$want" ]; then
    echo "grammar: needs tree-sitter CLI $want (found '${have:-none}'): cargo install tree-sitter-cli --version $want --locked" >&2
    exit 2
  fi
  tree-sitter generate
fi
node-gyp rebuild --nodedir="${NODEDIR:-/usr}"
mkdir -p prebuilds/linux-x64
cp build/Release/tree_sitter_go_binding.node prebuilds/linux-x64/tree-sitter-go.node
rm -rf build
echo "grammar: built prebuilds/linux-x64/tree-sitter-go.node${1:+ ($1)}"
