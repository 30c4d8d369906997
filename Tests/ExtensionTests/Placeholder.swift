// Placeholder so that SwiftPM finds the ExtensionTests target declared in Package.swift; the
// extension tests live on their own branch. Replace this file when they are merged.
