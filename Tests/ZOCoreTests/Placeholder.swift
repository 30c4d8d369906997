// Placeholder so that SwiftPM finds the ZOCoreTests target declared in Package.swift; the
// ZOCore tests live on their own branch. Replace this file when they are merged.
