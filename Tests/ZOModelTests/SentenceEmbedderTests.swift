import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite(.enabled(if: Assets.modelPresent, Assets.skipMessage))
struct SentenceEmbedderTests {
    /// Text in, embeddings out: the tokenizer reproduces the fixture's ids, and the embeddings
    /// match Hugging Face's to 1e-4, in a different batching (3 per pass) than the fixture's.
    @Test func sentencesToEmbeddingsMatchHuggingFace() throws {
        let fixture = try EmbeddingFixture.load()
        let embedder = try SentenceEmbedder(batchSize: 3)
        let tokens = try EncoderBatch(try embedder.tokenizer.batch(fixture.sentences, maxLength: 256))
        #expect(tokens.ids == fixture.input_ids && tokens.mask == fixture.attention_mask)
        let vectors = try embedder.embed(fixture.sentences)
        #expect(vectors.count == fixture.batch && vectors.allSatisfy { $0.count == fixture.hidden })
        let worst =
            vectors.enumerated().map { b, v in
                maxAbs(v.map(Double.init), Array(fixture.pooled[6][(b * 384)..<((b + 1) * 384)]))
            }.max() ?? .nan
        #expect(worst <= 1e-4, "max abs difference \(worst)")
    }
}

extension BLASThreadTests {
    /// The same input gives the same bits twice; normalised embeddings have unit norm.
    @Test(.enabled(if: Assets.modelPresent, Assets.skipMessage))
    func embedderIsDeterministicAndNormalisable() throws {
        let embedder = try SentenceEmbedder(layers: 2, batchSize: 2)
        let text = ["a short one", "", "a somewhat longer sentence, with punctuation!"]
        #expect(try embedder.embed(text) == (try embedder.embed(text)))
        for v in try embedder.embed(text, normalize: true) {
            #expect(abs(v.reduce(0.0) { $0 + Double($1) * Double($1) } - 1) < 1e-6)
        }
        #expect(try embedder.embed([]).isEmpty)
    }
}
