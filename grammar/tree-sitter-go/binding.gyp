{
  "targets": [
    {
      "target_name": "tree_sitter_go_binding",
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except",
      ],
      "include_dirs": [
        "src",
        # gomapfix: the tree-sitter runtime node-tree-sitter vendors, for bindings/node/flatten.c.
        "<(ts_runtime)/lib/include",
        "<(ts_runtime)/lib/src",
      ],
      "sources": [
        "bindings/node/binding.cc",
        "bindings/node/flatten.c",
        "bindings/node/runtime.c",
        "src/parser.c",
      ],
      "variables": {
        "has_scanner": "<!(node -p \"fs.existsSync('src/scanner.c')\")",
        "ts_version": "<!(node -p \"require(require.resolve('tree-sitter/package.json', { paths: [process.cwd() + '/../..'] })).version\")",
        "ts_runtime": "<!(node -p \"require('path').join(require.resolve('tree-sitter/package.json', { paths: [process.cwd() + '/../..'] }), '..', 'vendor', 'tree-sitter')\")",
      },
      "defines": [
        "_POSIX_C_SOURCE=200112L",
        "_DEFAULT_SOURCE",
        # gomapfix: flatten.c reads trees node-tree-sitter made; JS uses it only with that version.
        "GOMAPFIX_NODE_TREE_SITTER=\"<(ts_version)\"",
      ],
      "conditions": [
        ["has_scanner=='true'", {
          "sources+": ["src/scanner.c"],
        }],
        ["OS!='win'", {
          "cflags_c": [
            "-std=c11",
            "-fvisibility=hidden",
          ],
        }, { # OS == "win"
          "cflags_c": [
            "/std:c11",
            "/utf-8",
          ],
        }],
      ],
    }
  ]
}
