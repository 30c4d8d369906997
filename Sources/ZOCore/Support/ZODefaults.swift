/// The defaults every part of ZOCheck shares, declared once.
public enum ZODefaults {
    /// The root seed of CI runs, of `zocheck` commands without `--seed`, and of the fixed-seed tests.
    public static let seed: UInt64 = 20_261_122
    /// The perturbation scale ε of the papers (MeZO, LOZO, SubZero, Sparse MeZO all use 1e-3).
    public static let epsilon = 1e-3
}
