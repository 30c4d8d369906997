import Testing
import ZOCore

@Suite struct PhiloxTests {
    /// Random123 `kat_vectors`, "philox4x32 10" lines: counter, key → output.
    @Test func knownAnswerVectors() {
        let cases: [(SIMD4<UInt32>, SIMD2<UInt32>, SIMD4<UInt32>)] = [
            (SIMD4(0, 0, 0, 0), SIMD2(0, 0), SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
            (
                SIMD4(repeating: 0xffff_ffff), SIMD2(repeating: 0xffff_ffff),
                SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)
            ),
            (
                SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), SIMD2(0xa409_3822, 0x299f_31d0),
                SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)
            ),
        ]
        for (counter, key, expected) in cases {
            #expect(Philox4x32.block(counter: counter, key: key) == expected)
        }
    }

    /// The 16-lane kernel used by the fills equals the scalar reference block by block.
    @Test func sixteenLaneKernelMatchesScalar() {
        let key = SIMD2<UInt32>(0xa409_3822, 0x299f_31d0)
        let c0 = SIMD16<UInt32>((0..<16).map { UInt32(0xffff_fff0 &+ UInt32($0) &* 0x9e37_79b9) })
        let c1 = SIMD16<UInt32>((0..<16).map { UInt32(7 &* $0 &+ 3) })
        let (w0, w1, w2, w3) = Philox4x32.block16(c0: c0, c1: c1, c2: 0x1319_8a2e, c3: 0x0370_7344, key: key)
        for j in 0..<16 {
            let ref = Philox4x32.block(counter: SIMD4(c0[j], c1[j], 0x1319_8a2e, 0x0370_7344), key: key)
            #expect(SIMD4(w0[j], w1[j], w2[j], w3[j]) == ref, "lane \(j)")
        }
    }
}

@Suite struct PRNGKeyTests {
    @Test func splitAndFoldAreDeterministicAndDistinct() {
        let root = PRNGKey(seed: 42)
        let (a, b) = root.split()
        #expect(root.split() == (a, b))
        #expect(a != b && a != root && b != root)
        #expect(root.split(count: 2) == [a, b])
        let many = root.split(count: 1000)
        #expect(Set(many).count == 1000)
        #expect(root.fold(in: 7) == root.fold(in: 7))
        #expect(Set((0..<1000).map { root.fold(in: $0) }).count == 1000)
        // Split and fold use different domain tags: fold(in: 0) is not split's first child.
        #expect(root.fold(in: 0) != a)
        #expect(PRNGKey(seed: 1) != PRNGKey(seed: 2))
    }

    /// A named stream folds in its number, exactly as `fold(in: Int)` (negative values as two's complement).
    @Test func keyStreamFoldsItsNumber() {
        let key = PRNGKey(seed: 81)
        #expect(key.fold(in: KeyStream("draws", 2)) == key.fold(in: 2))
        #expect(key.fold(in: KeyStream("far", 1 << 40)) == key.fold(in: 1 << 40))
        #expect(key.fold(in: KeyStream("negative", -3)) == key.fold(in: -3))
        #expect(key.fold(in: KeyStream("a", 7)) != key.fold(in: KeyStream("b", 8)))
        #expect(KeyStream("draws", 2).description == "draws (2)")
    }
}
