/// IEEE binary16 (F16) and bfloat16 (BF16) ⇄ Float by bit manipulation.
///
/// Why by hand: Swift's `Float16` is unavailable on macOS x86-64, and safetensors files store
/// these as raw little-endian 16-bit patterns anyway. Widening is exact (every F16 and BF16 value
/// is a Float). Narrowing rounds to nearest, ties to even, like PyTorch's `.half()` / `.bfloat16()`:
/// overflow goes to ±∞, F16 underflow goes through subnormals to ±0, NaN stays NaN (quiet).
public enum HalfPrecision {
    /// Exact F16 → Float.
    public static func float(fromF16 h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:
            // Subnormal or zero: m·2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13) | (mantissa == 0 ? 0 : 0x0040_0000))
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }

    /// Float → F16, round to nearest even.
    public static func f16(from x: Float) -> UInt16 {
        let bits = x.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        if x.isNaN { return sign | 0x7E00 }
        let a = abs(x)
        if a >= 65520 { return sign | 0x7C00 }  // ≥ max half + ½ulp rounds to ∞
        if a < 0x1p-14 {
            // Subnormal range: the result is round(a·2²⁴) units of 2⁻²⁴. a·2²⁴ is exact in Float
            // (a power-of-two scaling) and `.rounded(.toNearestOrEven)` is the IEEE tie rule.
            let units = (a * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(units)  // units ≤ 1024 = smallest normal's pattern: still correct
        }
        // Normal: drop 13 mantissa bits with round-to-nearest-even on the raw pattern; a carry out
        // of the mantissa increments the exponent, which is the correct rounded value.
        let abits = a.bitPattern
        let rebias = abits &- (UInt32(127 - 15) << 23)
        let halfway: UInt32 = 0x0FFF + ((rebias >> 13) & 1)
        return sign | UInt16(truncatingIfNeeded: (rebias &+ halfway) >> 13)
    }

    /// Exact BF16 → Float (BF16 is the top half of a Float).
    public static func float(fromBF16 h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }

    /// Float → BF16, round to nearest even.
    public static func bf16(from x: Float) -> UInt16 {
        if x.isNaN { return UInt16(x.bitPattern >> 16) | 0x0040 }
        let bits = x.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }
}
