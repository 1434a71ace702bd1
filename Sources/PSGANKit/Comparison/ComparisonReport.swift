import Foundation

/// The result of comparing two frame sequences: per-frame figures, the thresholds, and the verdict.
public struct ComparisonReport: Sendable {
    /// The expected side's name.
    public var expected: String
    /// The actual side's name.
    public var actual: String
    /// What each frame had to meet.
    public var thresholds: ComparisonThresholds
    /// Which signal SSIM was computed on.
    public var ssimChannels: StructuralSimilarity.Channels
    /// One entry per frame, in order.
    public var frames: [FrameComparison] = []

    /// Creates an empty report.
    public init(expected: String, actual: String, thresholds: ComparisonThresholds, ssimChannels: StructuralSimilarity.Channels) {
        self.expected = expected
        self.actual = actual
        self.thresholds = thresholds
        self.ssimChannels = ssimChannels
    }

    /// Frames that failed a threshold, with the reasons.
    public var failures: [(index: Int, reasons: [String])] {
        frames.compactMap { frame in
            let reasons = thresholds.failures(of: frame)
            return reasons.isEmpty ? nil : (frame.index, reasons)
        }
    }

    /// True when every frame passed.
    public var passed: Bool { failures.isEmpty }

    /// Compares two sources frame by frame, calling `each` with every pair and its figures (for diff
    /// images). Throws ``PSGANError`` when the sources differ in frame count or frame size.
    public static func compare(expected: FrameSource, actual: FrameSource, thresholds: ComparisonThresholds,
                               ssimChannels: StructuralSimilarity.Channels,
                               each: (FrameComparison, RGBImage, RGBImage) throws -> Void = { _, _, _ in }) throws -> ComparisonReport {
        var report = ComparisonReport(expected: expected.name, actual: actual.name, thresholds: thresholds, ssimChannels: ssimChannels)
        var index = 0
        while true {
            let e = try expected.next(), a = try actual.next()
            switch (e, a) {
            case (nil, nil):
                guard index > 0 else { throw PSGANError(.comparison, "\(expected.name) and \(actual.name) hold no frames") }
                return report
            case (_?, nil):
                throw PSGANError(.comparison, "\(actual.name) has \(index) frames but \(expected.name) has more (frame \(index) has no counterpart)")
            case (nil, _?):
                throw PSGANError(.comparison, "\(expected.name) has \(index) frames but \(actual.name) has more (frame \(index) has no counterpart)")
            case (let e?, let a?):
                guard e.width == a.width, e.height == a.height else {
                    throw PSGANError(.comparison, "frame \(index): \(expected.name) is \(e.width)x\(e.height) but \(actual.name) is \(a.width)x\(a.height)")
                }
                let figures = FrameComparison(index: index, expected: e, actual: a, ssimChannels: ssimChannels)
                report.frames.append(figures)
                try each(figures, e, a)
            }
            index += 1
        }
    }

    /// A table for the terminal: one row per frame, then the verdict.
    public func table() -> String {
        func right(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        func row(_ cells: [String], _ verdict: String) -> String {
            zip(cells, [6, 10, 9, 9, 10]).map { right($0, $1) }.joined(separator: "  ") + "  " + verdict
        }
        var lines = [row(["frame", "PSNR dB", "SSIM", "max diff", "differing"], "")]
        let failing = Dictionary(uniqueKeysWithValues: failures.map { ($0.index, $0.reasons) })
        for frame in frames {
            let verdict = failing[frame.index].map { "FAIL: " + $0.joined(separator: "; ") } ?? "ok"
            lines.append(row([String(frame.index), Self.format(psnr: frame.psnr), frame.ssim.map(Self.format(ssim:)) ?? "n/a",
                              String(frame.maxDiff), String(frame.differingPixels)], verdict))
        }
        lines.append(verdict)
        return lines.joined(separator: "\n")
    }

    /// The verdict line, `PASS: ...` or `FAIL: ...`: frames, failures and the worst figures.
    public var verdict: String {
        let worstPSNR = frames.map(\.psnr).min() ?? .infinity
        let worstSSIM = frames.compactMap(\.ssim).min()
        let summary = "\(frames.count) frames, \(failures.count) failed; lowest PSNR \(Self.format(psnr: worstPSNR)) dB"
            + (worstSSIM.map { ", lowest SSIM \(Self.format(ssim: $0))" } ?? "")
            + ", largest diff \(frames.map(\.maxDiff).max() ?? 0)"
        return passed ? "PASS: \(summary)" : "FAIL: \(summary)"
    }

    /// The JSON report: `expected`, `actual`, `thresholds`, `ssim_channels`, `frames` (each with
    /// `index`, `psnr`, `ssim`, `max_diff`, `differing_pixels`, `pass`) and a top-level `pass`.
    ///
    /// JSON has no infinity: the PSNR of identical frames is the string `"inf"`; an undefined SSIM
    /// (frames under 11 x 11) is `null`.
    public func json() -> Data {
        func number(_ value: Double?) -> String {
            guard let value else { return "null" }
            if value == .infinity { return "\"inf\"" }
            return value.isFinite ? String(format: "%.6f", value) : "null"
        }
        let failing = Set(failures.map(\.index))
        let frameLines = frames.map { f in
            "    {\"index\": \(f.index), \"psnr\": \(number(f.psnr)), \"ssim\": \(number(f.ssim)), \"max_diff\": \(f.maxDiff), "
                + "\"differing_pixels\": \(f.differingPixels), \"pass\": \(!failing.contains(f.index))}"
        }
        var thresholdItems: [String] = []
        if let v = thresholds.minPSNR { thresholdItems.append("\"min_psnr\": \(number(v))") }
        if let v = thresholds.minSSIM { thresholdItems.append("\"min_ssim\": \(number(v))") }
        if let v = thresholds.maxDiff { thresholdItems.append("\"max_diff\": \(v)") }
        let text = """
            {
              "expected": \(expected.jsonQuoted),
              "actual": \(actual.jsonQuoted),
              "ssim_channels": "\(ssimChannels.rawValue)",
              "thresholds": {\(thresholdItems.joined(separator: ", "))},
              "frames": [
            \(frameLines.joined(separator: ",\n"))
              ],
              "pass": \(passed)
            }

            """
        return Data(text.utf8)
    }

    /// PSNR as shown: two decimals, or `inf`.
    public static func format(psnr: Double) -> String {
        psnr == .infinity ? "inf" : String(format: "%.2f", psnr)
    }

    /// SSIM as shown: six decimals.
    public static func format(ssim: Double) -> String {
        String(format: "%.6f", ssim)
    }
}
