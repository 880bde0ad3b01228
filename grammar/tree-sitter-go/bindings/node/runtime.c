// gomapfix: the tree-sitter runtime, compiled from the sources node-tree-sitter vendors (the
// include path binding.gyp sets), for flatten.c. Nothing here is tree-sitter's own code.
#include "lib.c"
