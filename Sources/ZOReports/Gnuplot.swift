import Foundation

/// gnuplot scripts for `Figure`s: self-contained (the data are inline datablocks), each writing
/// <name>.png (pngcairo) and <name>.svg beside itself, so `gnuplot <name>.gp` re-renders a plot
/// on any machine. Bands are transparent filled curves under their mean line; error bars are
/// y-error lines; `dashed` is for theory overlays.
public enum Gnuplot {
    static let palette = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#999999",
    ]

    /// The path of the gnuplot executable, or nil when it is not installed.
    public static func executable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let forced = environment["ZOCHECK_GNUPLOT"] { return forced.isEmpty ? nil : forced }
        let dirs = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The script for a figure.
    public static func script(_ f: Figure) -> String {
        var s = [
            "# \(f.title)", "# Regenerate: gnuplot \(f.name).gp   (writes \(f.name).png and \(f.name).svg here)",
            "set encoding utf8", "set datafile missing \"nan\"",
        ]
        let drawn = f.series.enumerated().filter { !$0.element.x.isEmpty }
        for (i, series) in drawn {
            s.append("$s\(i) << EOD")
            for k in series.x.indices {
                var row = [num(series.x[k]), num(series.y[k])]
                if let lo = series.lower, let hi = series.upper { row += [num(lo[k]), num(hi[k])] }
                s.append(row.joined(separator: " "))
            }
            s.append("EOD")
        }
        s += [
            "set title \(quote(f.title)) noenhanced", "set xlabel \(quote(f.xLabel)) noenhanced",
            "set ylabel \(quote(f.yLabel)) noenhanced", "set grid", "set key outside right top noenhanced",
            "set border 3", "set tics nomirror",
        ]
        // "%g" on log axes: 1e-05 … 0.01 … 1e+06 rather than gnuplot's fixed-point 0.00001000.
        if f.logX { s += ["set logscale x", "set format x \"%g\""] }
        if f.logY { s += ["set logscale y", "set format y \"%g\""] }
        if let tics = f.xTics, let lo = tics.map(\.position).min(), let hi = tics.map(\.position).max() {
            // A categorical axis: the labels rotated, half a slot of room at either end.
            s.append(
                "set xtics (" + tics.map { "\(quote($0.label)) \(num($0.position))" }.joined(separator: ", ")
                    + ") rotate by -40 left noenhanced font \",9\"")
            s.append("set xrange [\(num(lo - 0.5)):\(num(hi + 0.5))]")
            s.append("set bmargin 9")
        }
        var clauses: [String] = []
        var groups: [String] = []
        for (i, series) in drawn {
            let group = series.group ?? series.label
            if !groups.contains(group) { groups.append(group) }
            let color = "lc rgb \"\(palette[(groups.firstIndex(of: group) ?? 0) % palette.count])\""
            let title = "title \(quote(series.label)) noenhanced"
            let hasLimits = series.lower != nil && series.upper != nil
            switch series.style {
            case .band where hasLimits:
                clauses.append(
                    "$s\(i) using 1:3:4 with filledcurves fs transparent solid 0.18 noborder \(color) notitle")
                clauses.append("$s\(i) using 1:2 with lines lw 2 \(color) \(title)")
            case .errorBars where hasLimits:
                // On a categorical axis (xTics) the points are not joined.
                let with = f.xTics == nil ? "yerrorlines" : "yerrorbars"
                clauses.append("$s\(i) using 1:2:3:4 with \(with) pt 7 ps 0.6 lw 1.5 \(color) \(title)")
            case .lines, .band, .errorBars: clauses.append("$s\(i) using 1:2 with lines lw 2 \(color) \(title)")
            case .points: clauses.append("$s\(i) using 1:2 with points pt 7 ps 0.7 \(color) \(title)")
            case .linesPoints: clauses.append("$s\(i) using 1:2 with linespoints pt 7 ps 0.6 lw 1.5 \(color) \(title)")
            case .dashed: clauses.append("$s\(i) using 1:2 with lines dt 2 lw 2 \(color) \(title)")
            }
        }
        let plot = clauses.isEmpty ? "plot 1/0 notitle" : "plot " + clauses.joined(separator: ", \\\n     ")
        s += [
            "set terminal pngcairo size 1000,620 font \"DejaVu Sans,11\"", "set output \"\(f.name).png\"", plot,
            "set terminal svg size 1000,620 font \"DejaVu Sans,11\" background rgb \"white\"",
            "set output \"\(f.name).svg\"",
            "replot", "unset output",
        ]
        return s.joined(separator: "\n") + "\n"
    }

    /// Runs gnuplot on `<dir>/<name>.gp`; returns nil on success, else what went wrong.
    public static func render(_ name: String, in dir: URL, gnuplot: String) -> String? {
        guard let result = Provenance.run(gnuplot, ["\(name).gp"], cwd: dir) else {
            return "could not start \(gnuplot)"
        }
        if result.status != 0 { return "gnuplot exited with status \(result.status) on \(name).gp" }
        let png = dir.appendingPathComponent("\(name).png").path
        return FileManager.default.fileExists(atPath: png) ? nil : "gnuplot wrote no \(name).png"
    }

    static func num(_ x: Double) -> String { x.isFinite ? String(format: "%.10g", x) : "nan" }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
