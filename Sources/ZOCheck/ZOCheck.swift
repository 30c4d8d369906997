// The umbrella module: `import ZOCheck` gives the whole public API.
@_exported import ZOClaims
@_exported import ZOCore
@_exported import ZOExperiments
@_exported import ZOFineTuning
@_exported import ZOModel
@_exported import ZOProblems
@_exported import ZOStats
