import Foundation

// A one-line progress bar on standard error:
//   mezo  120/400 [######..............]  loss(EMA) 0.6123  dev acc 0.781  2.10 steps/s  ETA 2m13s
// redrawn in place (carriage return) at most every `minInterval` seconds, and finished with a newline.

/// What the progress line shows.
public struct ProgressState: Sendable, Equatable {
    public var label: String
    public var step: Int
    public var steps: Int
    public var lossEMA: Double?
    public var devAccuracy: Double?
    public var stepsPerSecond: Double?

    public init(
        label: String, step: Int, steps: Int, lossEMA: Double? = nil, devAccuracy: Double? = nil,
        stepsPerSecond: Double? = nil
    ) {
        self.label = label
        self.step = step
        self.steps = steps
        self.lossEMA = lossEMA
        self.devAccuracy = devAccuracy
        self.stepsPerSecond = stepsPerSecond
    }

    /// Seconds left at the current rate (nil before the first step).
    public var etaSeconds: Double? {
        guard let r = stepsPerSecond, r > 0 else { return nil }
        return Double(max(steps - step, 0)) / r
    }

    /// The line, without the carriage return.
    public func render(barWidth: Int = 20) -> String {
        let frac = steps > 0 ? min(max(Double(step) / Double(steps), 0), 1) : 1
        let filled = Int((frac * Double(barWidth)).rounded(.down))
        var parts = [
            "\(label) \(step)/\(steps) [" + String(repeating: "#", count: filled)
                + String(repeating: ".", count: barWidth - filled) + "]"
        ]
        parts.append("loss(EMA) " + (lossEMA.map { String(format: "%.4f", $0) } ?? "—"))
        parts.append("dev acc " + (devAccuracy.map { String(format: "%.3f", $0) } ?? "—"))
        parts.append((stepsPerSecond.map { String(format: "%.2f", $0) } ?? "—") + " steps/s")
        parts.append("ETA " + (etaSeconds.map(Self.duration) ?? "—"))
        return parts.joined(separator: "  ")
    }

    /// "45s", "2m13s", "1h05m".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + String(format: "%02ds", s % 60) }
        return "\(s / 3600)h" + String(format: "%02dm", (s % 3600) / 60)
    }
}

/// Tracks a run's loss EMA and rate and draws `ProgressState` lines; disabled, it does nothing.
public final class ProgressBar: @unchecked Sendable {
    public let enabled: Bool
    /// Weight of the newest loss in the EMA.
    public static let emaWeight = 0.1
    private let output: FileHandle
    private let minInterval: Double
    private var state: ProgressState
    private var startedAt: UInt64
    private var startStep: Int
    private var lastDraw: UInt64 = 0
    private var lastLength = 0
    private let lock = NSLock()

    public init(
        label: String, steps: Int, enabled: Bool = true, output: FileHandle = .standardError, minInterval: Double = 0.25
    ) {
        self.enabled = enabled
        self.output = output
        self.minInterval = minInterval
        self.state = ProgressState(label: label, step: 0, steps: steps)
        self.startedAt = DispatchTime.now().uptimeNanoseconds
        self.startStep = 0
    }

    /// Starts the rate clock at `step` with the EMA of `losses` so far (a resumed run).
    public func start(at step: Int, previousLosses losses: [Double], devAccuracy: Double?) {
        lock.lock()
        defer { lock.unlock() }
        state.step = step
        state.devAccuracy = devAccuracy
        state.lossEMA = losses.reduce(nil as Double?) { ema, x in
            ema.map { (1 - Self.emaWeight) * $0 + Self.emaWeight * x } ?? x
        }
        startStep = step
        startedAt = DispatchTime.now().uptimeNanoseconds
    }

    /// Records a completed step (1-based count) and its loss; redraws when due.
    public func update(step: Int, loss: Double, devAccuracy: Double? = nil) {
        lock.lock()
        defer { lock.unlock() }
        state.step = step
        state.lossEMA = state.lossEMA.map { (1 - Self.emaWeight) * $0 + Self.emaWeight * loss } ?? loss
        if let devAccuracy { state.devAccuracy = devAccuracy }
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - startedAt) / 1e9
        if elapsed > 0, step > startStep { state.stepsPerSecond = Double(step - startStep) / elapsed }
        if enabled, Double(now - lastDraw) / 1e9 >= minInterval || step == state.steps {
            lastDraw = now
            // Pad over the previous line instead of an ANSI erase, so logs stay plain text.
            let line = state.render()
            output.write(Data(("\r" + line + String(repeating: " ", count: max(0, lastLength - line.count))).utf8))
            lastLength = line.count
        }
    }

    public var current: ProgressState {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    /// Ends the line.
    public func finish() {
        if enabled { output.write(Data("\n".utf8)) }
    }
}
