import Testing
import ZOTransformer

@Suite struct ModuleTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
