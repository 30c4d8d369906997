import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct EncoderBenchmarkTests {
    /// all-MiniLM-L6-v2 at 16 × 64 tokens: 22.35 GFLOP per forward (the figure the issue quotes as ≈ 22).
    @Test func flopCountOfTheReferenceShape() {
        let n = 16.0 * 64
        let expected = 6 * (2 * n * (4 * 384 * 384 + 2 * 384 * 1536) + 4 * 16 * 12 * 64 * 64 * 32)
        #expect(EncoderBenchmark.forwardFLOP(.miniLML6, batch: 16, length: 64) == expected)
        #expect(abs(expected / 1e9 - 22.347) < 1e-3)
    }

    /// The benchmark runs end to end on a small model and reports every part (no timing assertions).
    @Test func runsOnASmallModel() throws {
        let r = try EncoderBenchmark.run(
            config: Small.config, batch: 2, length: 5, repetitions: 1, backward: true, key: PRNGKey(seed: 1))
        #expect(r.forwardSeconds > 0 && r.forwardSeconds.isFinite && (r.backwardSeconds ?? 0) > 0)
        #expect(Set(r.parts.keys) == ["linear", "attention", "gelu", "layernorm"])
        #expect(Set(r.zoMeasureSeconds.keys) == ["mezo", "lozo", "lozo-fused"])
    }
}
