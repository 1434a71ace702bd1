import ArgumentParser
import Foundation
import PSGANKit

/// `psgan compare`: frame-by-frame PSNR, SSIM and differences between two renders.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two renders frame by frame (PSNR, SSIM, differences) against thresholds.",
        discussion: """
            Each side is a video file or a directory of PNG frames. Exit status: 0 when every frame \
            passes, 1 when a frame fails, 2 when the inputs cannot be compared (different frame counts \
            or sizes, an unreadable file). With no threshold, frames must be identical.

            Examples:
              psgan compare samples/golden/walk out/walk --min-psnr 45
              psgan compare expected.mkv actual.mp4 --min-ssim 0.98 --report report.json --diff-dir diffs
            """
    )

    @Argument(help: "The expected frames: a video file or a directory of PNGs.")
    var expected: String

    @Argument(help: "The frames to check: a video file or a directory of PNGs.")
    var actual: String

    @Option(name: .customLong("min-psnr"), help: "Lowest acceptable PSNR per frame, in dB.")
    var minPSNR: Double?

    @Option(name: .customLong("min-ssim"), help: "Lowest acceptable SSIM per frame.")
    var minSSIM: Double?

    @Option(name: .customLong("max-diff"), help: "Largest acceptable per-channel difference (0-255).")
    var maxDiff: Int?

    @Option(name: .customLong("ssim-channels"), help: "SSIM on BT.601 luma (luma) or averaged over R, G, B (rgb).")
    var ssimChannels: StructuralSimilarity.Channels = .luma

    @Option(help: "Write a JSON report to this file.")
    var report: String?

    @Option(name: .customLong("diff-dir"), help: "Write a heat map of each frame's differences into this new directory.")
    var diffDir: String?

    @Flag(help: "Print only the verdict line, not the per-frame table.")
    var quiet = false

    func validate() throws {
        if let maxDiff, !(0...255).contains(maxDiff) { throw ValidationError("--max-diff must be from 0 to 255") }
        if let minSSIM, !(minSSIM.isFinite && minSSIM <= 1) { throw ValidationError("--min-ssim must be a number up to 1") }
        if let minPSNR, minPSNR.isNaN { throw ValidationError("--min-psnr must be a number") }
    }

    @OptionGroup var ffmpegLog: FFmpegLogOption

    func run() throws {
        ffmpegLog.apply()
        let thresholds = ComparisonThresholds(minPSNR: minPSNR, minSSIM: minSSIM, maxDiff: maxDiff)
        let result: ComparisonReport
        var diffWriter: VideoWriter?
        do {
            let expectedFrames = try FrameReader(url: URL(fileURLWithPath: expected))
            let actualFrames = try FrameReader(url: URL(fileURLWithPath: actual))
            result = try ComparisonReport.compare(expected: expectedFrames, actual: actualFrames, thresholds: thresholds,
                                                  ssimChannels: ssimChannels) { _, e, a in
                guard let diffDir else { return }
                if diffWriter == nil {
                    diffWriter = try VideoWriter(url: URL(fileURLWithPath: diffDir), width: e.width, height: e.height,
                                                 settings: VideoSettings(codec: .png))
                }
                try diffWriter?.append(DiffHeatMap.image(expected: e, actual: a))
            }
            try diffWriter?.finish()
        } catch {
            // Unreadable inputs and an unwritable --diff-dir alike: the comparison could not be made.
            diffWriter?.cancel()
            throw Self.cannotCompare(error)
        }
        if let report {
            do {
                try result.json().write(to: URL(fileURLWithPath: report), options: .atomic)
            } catch {
                throw Self.cannotCompare(PSGANError(.render, "\(report): cannot write the report (\(ErrorText.reason(error)))"))
            }
        }
        if !quiet { print(result.table()) }
        guard result.passed else {
            let failures = result.failures
            let named = failures.prefix(5).map { failure -> String in
                let frame = result.frames[failure.index]
                let ssim = frame.ssim.map(ComparisonReport.format(ssim:)) ?? "n/a"
                return "frame \(frame.index) (PSNR \(ComparisonReport.format(psnr: frame.psnr)) dB, SSIM \(ssim), max diff \(frame.maxDiff))"
            }
            let more = failures.count > 5 ? " and \(failures.count - 5) more" : ""
            FileHandle.standardError.write(Data("psgan compare: \(failures.count) of \(result.frames.count) frames failed: \(named.joined(separator: ", "))\(more)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Prints an error for inputs that cannot be compared (or outputs that cannot be written) and gives
    /// the exit status 2, so that 1 always means "the frames differ".
    private static func cannotCompare(_ error: Error) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(ErrorText.oneLine(error))\n".utf8))
        return ExitCode(2)
    }
}

extension StructuralSimilarity.Channels: ExpressibleByArgument {}
