// The umbrella module: `import ZOCheck` gives the whole public API.
@_exported import ZOCore
@_exported import ZOProblems
@_exported import ZOStats
@_exported import ZOClaims
@_exported import ZOTransformer
