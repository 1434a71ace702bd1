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
        let job = ComparisonJob(expected: URL(fileURLWithPath: expected), actual: URL(fileURLWithPath: actual),
                                thresholds: ComparisonThresholds(minPSNR: minPSNR, minSSIM: minSSIM, maxDiff: maxDiff),
                                ssimChannels: ssimChannels, report: report.map { URL(fileURLWithPath: $0) },
                                diffDirectory: diffDir.map { URL(fileURLWithPath: $0) })
        let result: ComparisonReport
        do {
            result = try job.run()
        } catch {
            // Unreadable inputs, an unwritable --diff-dir or report alike: the comparison could not be made.
            throw Self.cannotCompare(error)
        }
        print(quiet ? result.verdict : result.table())
        if let failures = result.failureSummary {
            FileHandle.standardError.write(Data("psgan compare: \(failures)\n".utf8))
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
