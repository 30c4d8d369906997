import Foundation

/// Micro-benchmarks reported by `zocheck bench` (numbers, never asserted in tests).
public enum Benchmarks {
    public struct Throughput: Codable, Sendable {
        public let name: String
        public let elements: Int
        public let repetitions: Int
        public let seconds: Double
        public let perSecond: Double
        /// A checksum of the output, so the work cannot be optimised away and runs can be compared.
        public let checksum: Double
    }

    /// Gaussian samples per second of `RandomFill` on one thread, best of `repetitions` timed
    /// fills of `count` elements (after one warm-up fill).
    public static func gaussianFill<T: ZOScalar>(_ type: T.Type, count: Int, repetitions: Int, key: PRNGKey)
        throws(ZOError) -> Throughput
    {
        try Check.positive(count, "count", at: "Benchmarks.gaussianFill")
        try Check.positive(repetitions, "repetitions", at: "Benchmarks.gaussianFill")
        try MemoryBudget.check(
            count, of: T.self, "a fill of \(count) values", at: "Benchmarks.gaussianFill", fix: "pass a smaller count")
        var buffer = [T](repeating: 0, count: count)
        var best = Double.infinity
        var checksum = 0.0
        for r in 0...repetitions {
            let k = key.fold(in: r)
            let start = DispatchTime.now().uptimeNanoseconds
            buffer.withUnsafeMutableBufferPointer { T.fillGaussian($0, key: k, offset: 0) }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            checksum += Double(buffer[r % count])
            if r > 0 { best = min(best, elapsed) }
        }
        return Throughput(
            name: "gaussian-fill-\(T.dtypeName)", elements: count, repetitions: repetitions,
            seconds: best, perSecond: Double(count) / best, checksum: checksum)
    }
}
