import Foundation
import Testing
import ZOTestSupport

@testable import ZOModel

/// FIPS 180-4 known answers (NIST CSRC "SHA256.pdf" example values) and streaming consistency.
@Suite struct SHA256Tests {
    @Test func knownAnswerABC() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func knownAnswer448BitMessage() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(message.count * 8 == 448)
        #expect(SHA256.hex(message) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func knownAnswerEmptyAndMillionA() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Padding edge cases: lengths 55, 56, 63, 64, 65 cross the one/two-final-block boundary.
    /// Fed whole and in uneven pieces, the digests must agree.
    @Test func streamingMatchesOneShot() {
        for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var h = SHA256()
            var start = 0
            var piece = 1
            while start < length {
                let end = min(length, start + piece)
                h.update(message[start..<end])
                start = end
                piece = piece * 3 % 71 + 1
            }
            #expect(SHA256.hexString(h.finalize()) == SHA256.hex(message), "length \(length)")
        }
    }

    @Test func paddingBoundaryKnownAnswer() {
        // 56 × "a": the length no longer fits in the first block, so padding takes two blocks.
        #expect(
            SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 56))
                == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }
}
