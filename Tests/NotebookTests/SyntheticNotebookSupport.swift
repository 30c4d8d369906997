import Foundation
import ZONotebooks

/// The synthetic notebooks' tests: a tiny run at one seed (`NotebookRun`, NotebookTestSupport.swift).
enum SyntheticNotebookRun {
    static let seed: UInt64 = 20_261_122
    typealias Output = NotebookRun

    static func run<N: Notebook>(_ notebook: N.Type) throws -> NotebookRun { try NotebookRun(N.self, seed: seed) }
}
