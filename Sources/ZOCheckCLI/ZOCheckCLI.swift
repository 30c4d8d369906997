// The `zocheck` command tree for a researcher's own executable: `import ZOCheckCLI` gives
// `ZOCheckCLI.main(ZOCheckExtensions(...))` (defined with the commands in notebooks-as-cli/Extensions.swift)
// and the public API of `ZOCheck`.
@_exported import ZOCheck
@_exported import ZONotebooks
