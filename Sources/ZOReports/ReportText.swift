import Foundation

/// report.md: provenance, prose, headline numbers, verdicts, plots (as images), and each dataset's
/// schema with its first rows and links to the full CSV and JSON.
public enum ReportMarkdown {
    public static let previewRows = 12

    public static func render(_ r: Report, provenance p: Provenance, rendered: Set<String>, problems: [String])
        -> String
    {
        var s = ["# \(r.title)", ""]
        s.append("- command: `\(p.command)`")
        s.append(
            """
            - seed: \(p.seed.map(String.init) ?? "—"); commit: \
            `\(p.commit)`\(p.commitDirty ? " (with uncommitted changes)" : "")
            """
        )
        s.append(
            """
            - machine: \(p.machine.cpu), \(p.machine.logicalCores) logical \
            cores\(p.machine.threads.map { ", \($0) threads" } ?? ""); \(p.machine.os)
            """
        )
        s.append("- started \(p.started); wall time \(fmt(p.wallSeconds)) s")
        if !r.claims.isEmpty { s.append("- claims: " + r.claims.map { "`\($0)`" }.joined(separator: ", ")) }
        s.append("")
        for paragraph in r.summary { s += [paragraph, ""] }
        if !r.headlines.isEmpty {
            s += ["## Headline numbers", "", "| quantity | value | unit | detail |", "|---|---|---|---|"]
            for h in r.headlines { s.append("| \(h.name) | \(fmt(h.value)) | \(h.unit) | \(h.detail) |") }
            s.append("")
        }
        if !r.verdicts.isEmpty {
            s += [
                "## Verdicts", "", "| claim | outcome | expected | statistic | p | α | n | detail |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for v in r.verdicts {
                s.append(
                    """
                    | \(v.claim) | **\(v.outcome)** | \(v.expected) | \(fmt(v.statistic)) | \(fmt(v.pValue)) | \
                    \(fmt(v.alpha)) | \(v.n) | \(v.detail) |
                    """
                )
            }
            s.append("")
        }
        if !r.figures.isEmpty {
            s += ["## Plots", ""]
            for f in r.figures {
                if rendered.contains(f.name) {
                    s.append("![\(f.title)](plots/\(f.name).png)")
                } else {
                    s.append("*\(f.title)*: not rendered; run `gnuplot \(f.name).gp` in `plots/`.")
                }
                s += ["", "\(f.caption) ([SVG](plots/\(f.name).svg), [script](plots/\(f.name).gp))", ""]
            }
        }
        if !problems.isEmpty { s += ["**Rendering:** " + problems.joined(separator: "; "), ""] }
        if !r.datasets.isEmpty {
            s += ["## Data", ""]
            for d in r.datasets {
                s += [
                    "### \(d.name) — [CSV](data/\(d.name).csv), [JSON](data/\(d.name).json)", "", d.description, "",
                    "| column | unit | meaning |", "|---|---|---|",
                ]
                for c in d.columns { s.append("| `\(c.name)` | \(c.unit.isEmpty ? "—" : c.unit) | \(c.description) |") }
                s.append("")
                s.append("| " + d.columns.map(\.name).joined(separator: " | ") + " |")
                s.append("|" + String(repeating: "---|", count: d.columns.count))
                for row in d.rows.prefix(previewRows) { s.append("| " + row.map(cell).joined(separator: " | ") + " |") }
                if d.rows.count > previewRows {
                    s.append(
                        "| … \(d.rows.count - previewRows) more rows in the CSV |"
                            + String(repeating: " |", count: max(d.columns.count - 1, 0)))
                }
                s.append("")
            }
        }
        s += [
            "## Reproduce", "", "```", p.command, "```", "",
            "Schemas: data/*.json (`zocheck-dataset/1`: name, description, columns {name, unit, description}, rows); "
                + "report.json (`zocheck-report/1`: the whole report and its provenance).", "",
        ]
        return s.joined(separator: "\n")
    }

    static func cell(_ c: Cell) -> String {
        switch c {
        case .number(let x): return fmt(x)
        case .text(let t): return t
        }
    }

    public static func fmt(_ x: Double) -> String {
        if x.isNaN { return "—" }
        if x.isInfinite { return x > 0 ? "∞" : "−∞" }
        if x == x.rounded(), abs(x) < 1e7 { return String(Int64(x)) }
        return String(format: "%.4g", x)
    }
}

/// report.html: one self-contained page (PNG plots embedded as data URIs, no external files).
public enum ReportHTML {
    public static func render(_ r: Report, provenance p: Provenance, pngs: [String: Data], problems: [String]) -> String
    {
        let f = ReportMarkdown.fmt
        var h = [
            "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">", "<title>\(esc(r.title))</title>",
            "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
                + """
                table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid \
                #ccc;padding:3px 8px;text-align:left}
                """
                    + """
                    th{background:#f3f3f3}code{background:#f5f5f5;padding:0 \
                    3px}img{max-width:100%}.prov{color:#555;font-size:0.9em}
                    """
                + ".pass{color:#1a7f37;font-weight:bold}.fail{color:#c0392b;font-weight:bold}.inconclusive{color:#b36b00;font-weight:bold}</style>",
            "</head><body>", "<h1>\(esc(r.title))</h1>", "<div class=\"prov\"><ul>",
            "<li>command: <code>\(esc(p.command))</code></li>",
            """
            <li>seed: \(p.seed.map(String.init) ?? "—"); commit: \
            <code>\(esc(p.commit))</code>\(p.commitDirty ? " (with uncommitted changes)" : "")</li>
            """,
            """
            <li>machine: \(esc(p.machine.cpu)), \(p.machine.logicalCores) logical \
            cores\(p.machine.threads.map { ", \($0) threads" } ?? ""); \(esc(p.machine.os))</li>
            """,
            "<li>started \(esc(p.started)); wall time \(f(p.wallSeconds)) s</li>",
        ]
        if !r.claims.isEmpty {
            h.append("<li>claims: " + r.claims.map { "<code>\(esc($0))</code>" }.joined(separator: ", ") + "</li>")
        }
        h.append("</ul></div>")
        for paragraph in r.summary { h.append("<p>\(inline(paragraph))</p>") }
        if !r.headlines.isEmpty {
            h.append(
                "<h2>Headline numbers</h2>"
                    + table(
                        ["quantity", "value", "unit", "detail"],
                        r.headlines.map { [esc($0.name), f($0.value), esc($0.unit), inline($0.detail)] }))
        }
        if !r.verdicts.isEmpty {
            h.append(
                "<h2>Verdicts</h2>"
                    + table(
                        ["claim", "outcome", "expected", "statistic", "p", "α", "n", "detail"],
                        r.verdicts.map {
                            [
                                esc($0.claim), "<span class=\"\(esc($0.outcome))\">\(esc($0.outcome))</span>",
                                esc($0.expected), f($0.statistic), f($0.pValue), f($0.alpha), "\($0.n)",
                                inline($0.detail),
                            ]
                        }))
        }
        if !r.figures.isEmpty { h.append("<h2>Plots</h2>") }
        for fig in r.figures {
            if let png = pngs[fig.name] {
                h.append(
                    "<figure><img alt=\"\(esc(fig.title))\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"
                )
            } else {
                h.append(
                    """
                    <figure><p><em>\(esc(fig.title))</em>: not rendered; run <code>gnuplot \
                    \(esc(fig.name)).gp</code> in plots/.</p>
                    """
                )
            }
            h.append("<figcaption>\(inline(fig.caption))</figcaption></figure>")
        }
        if !problems.isEmpty { h.append("<p><strong>Rendering:</strong> \(esc(problems.joined(separator: "; ")))</p>") }
        if !r.datasets.isEmpty { h.append("<h2>Data</h2>") }
        for d in r.datasets {
            h.append(
                "<h3>\(esc(d.name))</h3><p>\(inline(d.description)) Full data: data/\(esc(d.name)).csv and .json.</p>")
            h.append(
                table(
                    ["column", "unit", "meaning"],
                    d.columns.map { ["<code>\(esc($0.name))</code>", esc($0.unit), inline($0.description)] }))
            h.append(
                table(
                    d.columns.map { esc($0.name) },
                    d.rows.prefix(ReportMarkdown.previewRows).map { $0.map { esc(ReportMarkdown.cell($0)) } }))
        }
        h.append("<h2>Reproduce</h2><pre>\(esc(p.command))</pre></body></html>")
        return h.joined(separator: "\n") + "\n"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    public static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Escapes, then turns `code` and **bold** into HTML.
    static func inline(_ s: String) -> String {
        var out = esc(s)
        out = out.replacingOccurrences(of: #"`([^`]+)`"#, with: "<code>$1</code>", options: .regularExpression)
        out = out.replacingOccurrences(
            of: #"\*\*([^*]+)\*\*"#, with: "<strong>$1</strong>", options: .regularExpression)
        return out
    }
}
