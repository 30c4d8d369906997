/// The example indices a `BatchSelection` picks from a data set of `count` examples.
extension BatchSelection {
    /// `.full` is 0..<count. `.minibatch(key:size:)` is `size` distinct indices from a partial
    /// Fisher–Yates shuffle (position i swaps with j = i + ⌊u_i (count − i)⌋, u_i the i-th element of
    /// `RandomFill.uniform(Double.self, count: size, key:)`), sorted so that summation order is fixed
    /// and size = count reproduces `.full` bit for bit.
    public func exampleIndices(count: Int, at location: String) throws(ZOError) -> [Int] {
        switch self {
        case .full:
            return Array(0..<count)
        case .minibatch(let key, let size):
            guard size >= 1, size <= count else {
                throw ZOError(
                    "minibatch size \(size) is outside 1…\(count)", at: location,
                    fix: "pass a minibatch size between 1 and the number of examples (\(count))")
            }
            var perm = Array(0..<count)
            let u = RandomFill.uniform(Double.self, count: size, key: key)
            for i in 0..<size {
                let span = count - i
                // min(): u·span can round up to span when u is within 2⁻⁵³ of 1.
                perm.swapAt(i, i + min(Int(u[i] * Double(span)), span - 1))
            }
            return perm[0..<size].sorted()
        }
    }
}
