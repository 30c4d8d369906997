import Foundation
import MyEstimator
import ZOCheck
import ZOCheckCLI

// The whole zocheck command tree, with this package's estimator beside the built-ins and its claim in
// the catalog: `swift run my-zocheck compare`, `… notebook variance-vs-dimension`, `… claims --id RADEMACHER`.
// README-SNIPPET: cli
do {
    let rademacher = try ZOEstimator(RademacherPerturbation(), epsilon: ZODefaults.epsilon)
    ZOCheckCLI.main(
        ZOCheckExtensions(
            estimators: [LabelledEstimator("Rademacher", rademacher)],
            claims: [RademacherClaims.secondMoment]))
} catch {
    FileHandle.standardError.write(Data("my-zocheck: \(error)\n".utf8))
    exit(1)
}
// README-SNIPPET-END
