import Foundation

/// A comparison of two renders, described by value: the inputs, the thresholds, and where the
/// report and the difference heat maps go.
///
/// ``run()`` reads both sides frame by frame (``FrameReader``: a video file or a directory of
/// PNGs), measures each pair (``ComparisonReport/compare(expected:actual:thresholds:ssimChannels:each:)``),
/// writes a heat map of each pair's differences into a new PNG directory when asked (whole or not at
/// all, like any ``VideoWriter`` output) and the JSON report. Any error it throws means the
/// comparison could not be made; frames that were compared and failed are in the report.
public struct ComparisonJob: Sendable {
    /// The expected frames.
    public var expected: URL
    /// The frames to check.
    public var actual: URL
    /// What every frame must meet.
    public var thresholds: ComparisonThresholds
    /// SSIM on luma or averaged over R, G, B.
    public var ssimChannels: StructuralSimilarity.Channels
    /// Where to write the JSON report, if anywhere.
    public var report: URL?
    /// A new directory for the heat maps, if wanted.
    public var diffDirectory: URL?

    /// A comparison of `expected` with `actual` against `thresholds`.
    public init(expected: URL, actual: URL, thresholds: ComparisonThresholds,
                ssimChannels: StructuralSimilarity.Channels = .luma, report: URL? = nil, diffDirectory: URL? = nil) {
        self.expected = expected
        self.actual = actual
        self.thresholds = thresholds
        self.ssimChannels = ssimChannels
        self.report = report
        self.diffDirectory = diffDirectory
    }

    /// Compares every frame, writes the heat maps and the report; returns the report.
    public func run() throws -> ComparisonReport {
        var diffWriter: VideoWriter?
        let result: ComparisonReport
        do {
            let expectedFrames = try FrameReader(url: expected)
            let actualFrames = try FrameReader(url: actual)
            result = try ComparisonReport.compare(expected: expectedFrames, actual: actualFrames, thresholds: thresholds,
                                                  ssimChannels: ssimChannels) { _, e, a in
                guard let diffDirectory else { return }
                if diffWriter == nil {
                    diffWriter = try VideoWriter(url: diffDirectory, width: e.width, height: e.height,
                                                 settings: VideoSettings(codec: .png))
                }
                try diffWriter?.append(DiffHeatMap.image(expected: e, actual: a))
            }
            try diffWriter?.finish()
        } catch {
            diffWriter?.cancel()
            throw error
        }
        if let report {
            do {
                try result.json().write(to: report, options: .atomic)
            } catch {
                throw PSGANError(.comparison, url: report, problem: "cannot write the report (\(ErrorText.reason(error)))")
            }
        }
        return result
    }
}

extension ComparisonReport {
    /// One line naming the failed frames (the first five, with their figures), or nil when all passed.
    public var failureSummary: String? {
        guard !passed else { return nil }
        let named = failures.prefix(5).map { failure -> String in
            let frame = frames[failure.index]
            let ssim = frame.ssim.map(ComparisonReport.format(ssim:)) ?? "n/a"
            return "frame \(frame.index) (PSNR \(ComparisonReport.format(psnr: frame.psnr)) dB, SSIM \(ssim), max diff \(frame.maxDiff))"
        }
        let more = failures.count > 5 ? " and \(failures.count - 5) more" : ""
        return "\(failures.count) of \(frames.count) frames failed: \(named.joined(separator: ", "))\(more)"
    }
}
