import ZOCheck

/// A test problem with an exact gradient: f(θ) = Σ wᵢ θᵢ²/2 + Σ θᵢ over a matrix and a bias vector
/// (two tensors, so a key reused across tensors shows).
public struct WeightedBowl: DifferentiableObjective {
    public let layout: ParameterLayout
    public let weights: [Double]

    public init() throws {
        layout = try ParameterLayout([("A", [4, 4]), ("bias", [16])])
        weights = (0..<32).map { 1 + Double($0 % 8) / 4 }
    }

    public func loss(_ p: Parameters<Double>, batch: BatchSelection) throws -> Double {
        zip(weights, p.values).reduce(0) { $0 + $1.0 * $1.1 * $1.1 / 2 + $1.1 }
    }

    public func gradient(_ p: Parameters<Double>, batch: BatchSelection) throws -> [Double] {
        zip(weights, p.values).map { $0 * $1 + 1 }
    }
}
