import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EncoderBatchTests {
    @Test func padsOnTheRight() throws {
        let b = try EncoderBatch(sequences: [[101, 7, 102], [101, 102]], labels: [1, 0])
        #expect(b.batch == 2 && b.length == 3)
        #expect(b.ids == [101, 7, 102, 101, 102, 0] && b.mask == [1, 1, 1, 1, 1, 0] && b.types == [0, 0, 0, 0, 0, 0])
        #expect(b.labels == [1, 0])
    }

    @Test func selectTrimsCommonPadding() throws {
        let b = try EncoderBatch(sequences: [[1, 2, 3, 4], [1, 2], [1, 2, 3]], labels: [0, 1, 2])
        let s = try b.select([1, 2])
        #expect(s.length == 3 && s.ids == [1, 2, 0, 1, 2, 3] && s.labels == [1, 2])
        expectZOError("outside 0..<3") { _ = try b.select([3]) }
    }

    @Test func badInputsThrow() {
        expectZOError("sequence 1 is empty") { _ = try EncoderBatch(sequences: [[1], []]) }
        expectZOError("token id -1") { _ = try EncoderBatch(sequences: [[1, -1]]) }
        expectZOError("B·T") { _ = try EncoderBatch(batch: 2, length: 2, ids: [1, 2, 3], mask: [1, 1, 1, 1]) }
        expectZOError("no unmasked token") {
            try EncoderBatch(batch: 1, length: 2, ids: [1, 2], mask: [0, 0]).validate(for: Small.config)
        }
        expectZOError("not 0 or 1") {
            try EncoderBatch(batch: 1, length: 1, ids: [1], mask: [2]).validate(for: Small.config)
        }
        expectZOError("token type 2") {
            try EncoderBatch(batch: 1, length: 1, ids: [1], mask: [1], types: [2]).validate(for: Small.config)
        }
    }
}
