import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct FineTuningRecordTests {
    @Test func secondsPerStepMeanAndMedian() {
        func steps(_ s: [Double]) -> [StepRecord] {
            s.enumerated().map {
                StepRecord(step: $0, loss: 1, forwardPasses: 2 * ($0 + 1), backwardPasses: 0, seconds: $1)
            }
        }
        let odd = FineTuneRecord.secondsPerStep(steps([3, 1, 2]))
        #expect(odd.mean == 2 && odd.median == 2)
        let even = FineTuneRecord.secondsPerStep(steps([4, 1, 2, 3]))
        #expect(even.mean == 2.5 && even.median == 2.5)
        #expect(FineTuneRecord.secondsPerStep([]).mean == 0)
    }

    /// Non-finite numbers survive a JSON round trip (as strings); the write leaves no temporary file.
    @Test func jsonRoundTripKeepsNonFiniteValuesAndIsAtomic() throws {
        let dir = try scratchDirectory("ft-json")
        let url = dir.appendingPathComponent("sub/values.json")
        let values: [Double] = [1.5, .nan, .infinity, -.infinity, 0x1.fffffffffffffp-3]
        try RunFiles.writeJSON(values, to: url)
        let back: [Double] = try RunFiles.readJSON(url)
        #expect(back.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["values.json"]
        )
        expectZOError("cannot read") {
            let _: [Double] = try RunFiles.readJSON(dir.appendingPathComponent("none.json"))
        }
    }

    @Test func machineInfoDescribesThisMachine() {
        let m = MachineInfo.current
        #expect(m.logicalCores >= 1 && m.memoryBytes > 0 && !m.hostname.isEmpty && m.blasThreads >= 1)
    }

    #if os(Linux)
        /// VmHWM ≥ VmRSS > 0; after freeing a touched 512 MiB block, resetting the peak lowers it.
        @Test func peakResidentSetIsReadAndReset() throws {
            let rss = try #require(ProcessMemory.residentBytes)
            let peak = try #require(ProcessMemory.peakResidentBytes)
            #expect(rss > 0 && peak >= rss)
            let count = 512 << 20
            let block = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 4096)
            for i in stride(from: 0, to: count, by: 4096) { block.storeBytes(of: 1, toByteOffset: i, as: UInt8.self) }
            let high = try #require(ProcessMemory.peakResidentBytes)
            block.deallocate()
            #expect(ProcessMemory.resetPeak())
            let after = try #require(ProcessMemory.peakResidentBytes)
            #expect(after < high - 256 << 20, "VmHWM \(after) after the reset, \(high) before")
        }
    #endif
}
