import ArgumentParser
import ZOCheck

extension ZOCheckCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "placeholder")
        func run() throws {}
    }
}
