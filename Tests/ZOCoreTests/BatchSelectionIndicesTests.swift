import Testing
import ZOCore

@Suite struct BatchSelectionIndicesTests {
    @Test func fullIsEverythingInOrder() throws {
        #expect(try BatchSelection.full.exampleIndices(count: 5, at: "test") == [0, 1, 2, 3, 4])
    }

    @Test func minibatchIsDistinctSortedAndKeyed() throws {
        let key = PRNGKey(seed: 7)
        let a = try BatchSelection.minibatch(key: key, size: 6).exampleIndices(count: 20, at: "test")
        #expect(a.count == 6 && Set(a).count == 6 && a == a.sorted() && a.allSatisfy { $0 >= 0 && $0 < 20 })
        #expect(try BatchSelection.minibatch(key: key, size: 6).exampleIndices(count: 20, at: "test") == a)
        #expect(try BatchSelection.minibatch(key: key.fold(in: 1), size: 6).exampleIndices(count: 20, at: "test") != a)
        #expect(try BatchSelection.minibatch(key: key, size: 20).exampleIndices(count: 20, at: "test") == Array(0..<20))
    }

    /// Each index is drawn with probability size/count: over 4000 keys, index 0's count is
    /// Binomial(4000, 0.25) (sd ≈ 27); |count − 1000| > 150 has probability < 1e-7.
    @Test func everyIndexIsEquallyLikely() throws {
        var hits = [Int](repeating: 0, count: 8)
        for s in 0..<4000 {
            for i in try BatchSelection.minibatch(key: PRNGKey(seed: UInt64(s)), size: 2).exampleIndices(
                count: 8, at: "test")
            { hits[i] += 1 }
        }
        for h in hits { #expect(abs(h - 1000) < 150, "index hit \(h) times of an expected 1000") }
    }

    @Test func badSizeThrows() {
        #expect(throws: ZOError.self) {
            try BatchSelection.minibatch(key: PRNGKey(seed: 1), size: 0).exampleIndices(count: 3, at: "test")
        }
        #expect(throws: ZOError.self) {
            try BatchSelection.minibatch(key: PRNGKey(seed: 1), size: 4).exampleIndices(count: 3, at: "test")
        }
    }
}
