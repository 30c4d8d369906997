import ZOClaims
import ZOFineTuning

extension Catalog {
    /// Every claim ZOCheck ships: the synthetic catalog, then the transformer-scale claims.
    public static let standard = Catalog(unchecked: synthetic.claims + ScaleClaims.all)
}
