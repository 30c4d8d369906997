import Foundation
import ZOCheck
import ZONotebooks

/// The synthetic notebooks' tests: a tiny run at one seed (`NotebookRun`, NotebookTestSupport.swift).
enum SyntheticNotebookRun {
    static let seed = ZODefaults.seed
    typealias Output = NotebookRun

    static func run<N: Notebook>(_ notebook: N.Type) throws -> NotebookRun { try NotebookRun(N.self, seed: seed) }
}
