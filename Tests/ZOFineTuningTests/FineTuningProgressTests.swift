import Foundation
import Testing
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct FineTuningProgressTests {
    @Test func lineShowsStepLossAccuracyRateAndETA() {
        let s = ProgressState(
            label: "mezo", step: 120, steps: 400, lossEMA: 0.61234, devAccuracy: 0.78125, stepsPerSecond: 2)
        #expect(s.etaSeconds == 140)
        #expect(
            s.render(barWidth: 10)
                == "mezo 120/400 [###.......]  loss(EMA) 0.6123  dev acc 0.781  2.00 steps/s  ETA 2m20s")
        let empty = ProgressState(label: "fo-sgd", step: 0, steps: 5)
        #expect(empty.render(barWidth: 4) == "fo-sgd 0/5 [....]  loss(EMA) —  dev acc —  — steps/s  ETA —")
        #expect(
            ProgressState.duration(45) == "45s" && ProgressState.duration(3725) == "1h02m"
                && ProgressState.duration(61) == "1m01s")
    }

    /// The EMA follows ema ← 0.9·ema + 0.1·loss from the first loss; a resumed bar restarts from the history.
    @Test func emaAndResume() {
        let bar = ProgressBar(label: "x", steps: 10, enabled: false)
        bar.update(step: 1, loss: 1)
        bar.update(step: 2, loss: 0)
        #expect(abs((bar.current.lossEMA ?? 0) - 0.9) < 1e-15)
        let resumed = ProgressBar(label: "x", steps: 10, enabled: false)
        resumed.start(at: 2, previousLosses: [1, 0], devAccuracy: 0.5)
        #expect(
            resumed.current.lossEMA == bar.current.lossEMA && resumed.current.step == 2
                && resumed.current.devAccuracy == 0.5)
    }

    /// The drawn text: carriage returns, no escape codes, a final newline.
    @Test func drawsPlainTextLines() throws {
        let pipe = Pipe()
        let bar = ProgressBar(label: "m", steps: 2, enabled: true, output: pipe.fileHandleForWriting, minInterval: 0)
        bar.update(step: 1, loss: 0.5)
        bar.update(step: 2, loss: 0.4, devAccuracy: 0.75)
        bar.finish()
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.hasPrefix("\rm 1/2 ") && text.hasSuffix("\n") && !text.contains("\u{1B}"))
        #expect(text.contains("m 2/2 [####################]") && text.contains("dev acc 0.750"))
    }
}
