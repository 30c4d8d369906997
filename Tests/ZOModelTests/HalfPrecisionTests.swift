import Testing
import ZOModel
import ZOTestSupport

@Suite struct HalfPrecisionTests {
    @Test func f16KnownPatterns() {
        let cases: [(UInt16, Float)] = [
            (0x3C00, 1), (0xC000, -2), (0x7BFF, 65504), (0x0400, 0x1p-14), (0x0001, 0x1p-24),
            (0x03FF, 1023 * 0x1p-24), (0x3555, 0.333251953125), (0x0000, 0), (0x7C00, .infinity), (0xFC00, -.infinity),
        ]
        for (bits, value) in cases {
            #expect(HalfPrecision.float(fromF16: bits) == value, "0x\(String(bits, radix: 16))")
            #expect(HalfPrecision.f16(from: value) == bits, "\(value)")
        }
        #expect(HalfPrecision.float(fromF16: 0x8000).sign == .minus)
        #expect(HalfPrecision.float(fromF16: 0x7E00).isNaN)
        #expect(HalfPrecision.f16(from: .nan) & 0x7C00 == 0x7C00)
        #expect(HalfPrecision.f16(from: .nan) & 0x03FF != 0)
    }

    /// Every non-NaN F16 pattern widens exactly and narrows back to itself.
    @Test func f16RoundTripsEveryPattern() {
        var failures = 0
        for bits in UInt16.min...UInt16.max where !HalfPrecision.float(fromF16: bits).isNaN {
            if HalfPrecision.f16(from: HalfPrecision.float(fromF16: bits)) != bits { failures += 1 }
        }
        #expect(failures == 0)
    }

    /// Round to nearest, ties to even; overflow threshold 65520 = max + ½ ulp.
    @Test func f16Rounding() {
        #expect(HalfPrecision.f16(from: 1 + 0x1p-11) == 0x3C00)  // tie → even (down)
        #expect(HalfPrecision.f16(from: 1 + 3 * 0x1p-11) == 0x3C02)  // tie → even (up)
        #expect(HalfPrecision.f16(from: 1 + 0x1p-11 + 0x1p-20) == 0x3C01)
        #expect(HalfPrecision.f16(from: 65519) == 0x7BFF)
        #expect(HalfPrecision.f16(from: 65520) == 0x7C00)
        #expect(HalfPrecision.f16(from: 0x1p-25) == 0x0000)  // tie between 0 and 2⁻²⁴ → even 0
        #expect(HalfPrecision.f16(from: 3 * 0x1p-25) == 0x0002)  // tie → even
        #expect(HalfPrecision.f16(from: 0x1p-14 - 0x1p-26) == 0x0400)  // rounds up into the normals
        #expect(HalfPrecision.f16(from: -0x1p-30) == 0x8000)
    }

    @Test func bf16PatternsAndRounding() {
        #expect(HalfPrecision.bf16(from: 1) == 0x3F80)
        #expect(HalfPrecision.float(fromBF16: 0xC040) == -3)
        #expect(HalfPrecision.bf16(from: 1 + 0x1p-8) == 0x3F80)  // tie → even
        #expect(HalfPrecision.bf16(from: 1 + 3 * 0x1p-8) == 0x3F82)
        #expect(HalfPrecision.bf16(from: .greatestFiniteMagnitude) == 0x7F80)
        #expect(HalfPrecision.float(fromBF16: HalfPrecision.bf16(from: .nan)).isNaN)
        var failures = 0
        for bits in UInt16.min...UInt16.max where !HalfPrecision.float(fromBF16: bits).isNaN {
            if HalfPrecision.bf16(from: HalfPrecision.float(fromBF16: bits)) != bits { failures += 1 }
        }
        #expect(failures == 0)
    }
}
