import CNumerics
import Testing
import ZOCore
import ZOProblems

// Shared checks for the problem tests: finite differences, norms, GSL's SVD and eigensolver as
// independent references. Everything in Double.

/// ‖a − b‖ / ‖b‖ (or the absolute error when b = 0).
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError needs equal lengths")
    var diff = 0.0
    var ref = 0.0
    for i in a.indices {
        diff += (a[i] - b[i]) * (a[i] - b[i])
        ref += b[i] * b[i]
    }
    return ref > 0 ? (diff / ref).squareRoot() : diff.squareRoot()
}

func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// Parameters of `layout` with keyed N(0, scale²) values.
func randomPoint(_ layout: ParameterLayout, key: PRNGKey, scale: Double = 1) throws -> Parameters<Double> {
    try Parameters(
        layout: layout, values: RandomFill.gaussian(Double.self, count: layout.count, key: key).map { $0 * scale })
}

/// Central differences (f(x + h e_i) − f(x − h e_i)) / 2h of a loss at every coordinate.
func centralDifferences(
    at point: Parameters<Double>, step h: Double = 1e-5,
    _ f: (Parameters<Double>) throws -> Double
) throws -> [Double] {
    var out = [Double](repeating: 0, count: point.count)
    for i in 0..<point.count {
        var plus = point
        var minus = point
        plus.values[i] += h
        minus.values[i] -= h
        out[i] = (try f(plus) - f(minus)) / (2 * h)
    }
    return out
}

/// Relative error of the problem's gradient against central differences of its loss.
func gradientError<P: SyntheticProblem>(
    _ problem: P, at point: Parameters<Double>, batch: BatchSelection = .full,
    step h: Double = 1e-5
) throws -> Double where P.Scalar == Double {
    let fd = try centralDifferences(at: point, step: h) { try problem.loss($0, batch: batch) }
    return relativeError(try problem.gradient(point, batch: batch), fd)
}

/// Relative error of H v against (∇f(x + hv) − ∇f(x − hv)) / 2h (exact for quadratics up to rounding).
func hessianVectorError<P: SyntheticProblem>(
    _ problem: P, at point: Parameters<Double>, direction v: [Double],
    step h: Double = 1e-4
) throws -> Double where P.Scalar == Double {
    var plus = point
    var minus = point
    for i in v.indices {
        plus.values[i] += h * v[i]
        minus.values[i] -= h * v[i]
    }
    let gp = try problem.gradient(plus)
    let gm = try problem.gradient(minus)
    let fd = zip(gp, gm).map { ($0 - $1) / (2 * h) }
    let hv = try #require(problem.hessianVectorProduct(v))
    return relativeError(hv, fd)
}

/// ‖∇f(x) − ∇f(y)‖ / ‖x − y‖ for a keyed pair of points at the given scale.
func gradientLipschitzRatio<P: SyntheticProblem>(_ problem: P, key: PRNGKey, scale: Double = 1) throws -> Double
where P.Scalar == Double {
    let (k1, k2) = key.split()
    let x = try randomPoint(problem.layout, key: k1, scale: scale)
    let y = try randomPoint(problem.layout, key: k2, scale: scale)
    let gx = try problem.gradient(x)
    let gy = try problem.gradient(y)
    return norm(zip(gx, gy).map { $0 - $1 }) / norm(zip(x.values, y.values).map { $0 - $1 })
}

/// The dense Hessian of a quadratic, column by column from `hessianVectorProduct` (d, d) row-major.
func denseHessian<P: SyntheticProblem>(_ problem: P) throws -> [Double] where P.Scalar == Double {
    let d = problem.layout.count
    var h = [Double](repeating: 0, count: d * d)
    for j in 0..<d {
        var e = [Double](repeating: 0, count: d)
        e[j] = 1
        let column = try #require(problem.hessianVectorProduct(e))
        for i in 0..<d { h[i * d + j] = column[i] }
    }
    return h
}

/// Eigenvalues (descending) of a symmetric (d, d) matrix, by GSL.
func gslSymmetricEigenvalues(_ matrix: [Double], dimension d: Int) throws -> [Double] {
    zo_gsl_disable_abort()
    var a = matrix
    var values = [Double](repeating: 0, count: d)
    let status: Int32 = a.withUnsafeMutableBufferPointer { ab in
        values.withUnsafeMutableBufferPointer { vb in
            var am = gsl_matrix_view_array(ab.baseAddress, d, d)
            var ev = gsl_vector_view_array(vb.baseAddress, d)
            guard let work = gsl_eigen_symm_alloc(d) else { return -1 }
            defer { gsl_eigen_symm_free(work) }
            return gsl_eigen_symm(&am.matrix, &ev.vector, work)
        }
    }
    try #require(status == 0, "gsl_eigen_symm failed with status \(status)")
    return values.sorted(by: >)
}

/// Singular values (descending) of a row-major (rows, cols) matrix, by GSL's
/// Golub–Reinsch SVD (`gsl_linalg_SV_decomp` needs rows ≥ cols: the transpose is used otherwise).
func gslSingularValues(_ matrix: [Double], rows: Int, cols: Int) throws -> [Double] {
    zo_gsl_disable_abort()
    var a = matrix
    var (m, n) = (rows, cols)
    if rows < cols {
        a = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { a[j * rows + i] = matrix[i * cols + j] } }
        (m, n) = (cols, rows)
    }
    var v = [Double](repeating: 0, count: n * n)
    var s = [Double](repeating: 0, count: n)
    var work = [Double](repeating: 0, count: n)
    let status: Int32 = a.withUnsafeMutableBufferPointer { ab in
        v.withUnsafeMutableBufferPointer { vb in
            s.withUnsafeMutableBufferPointer { sb in
                work.withUnsafeMutableBufferPointer { wb in
                    var am = gsl_matrix_view_array(ab.baseAddress, m, n)
                    var vm = gsl_matrix_view_array(vb.baseAddress, n, n)
                    var sv = gsl_vector_view_array(sb.baseAddress, n)
                    var wv = gsl_vector_view_array(wb.baseAddress, n)
                    return gsl_linalg_SV_decomp(&am.matrix, &vm.matrix, &sv.vector, &wv.vector)
                }
            }
        }
    }
    try #require(status == 0, "gsl_linalg_SV_decomp failed with status \(status)")
    return s.sorted(by: >)
}

/// Number of singular values above `relativeTolerance` · σ_max.
func numericalRank(_ singularValues: [Double], relativeTolerance: Double = 1e-10) -> Int {
    guard let top = singularValues.max(), top > 0 else { return 0 }
    return singularValues.filter { $0 > relativeTolerance * top }.count
}

/// |a − b| / |b|.
func relativeDifference(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
