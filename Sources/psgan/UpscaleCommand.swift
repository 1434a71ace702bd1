import ArgumentParser
import Foundation
import PSGANKit

/// `psgan upscale`: an image, a directory of PNG frames, or a video in; the same, upscaled, out.
struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale",
        abstract: "Upscale an image, a directory of PNG frames, or a video with a pretrained upscaler.",
        discussion: """
            A PNG image gives a PNG file; a directory of PNGs gives a directory with the same file \
            names; a video gives a video (codec from --codec or the output's extension, frame rate \
            from the input). Frames are read, upscaled and written one at a time. The output appears \
            only when complete.

            Examples:
              psgan upscale --model srgan-x4 frame.png --out frame-4x.png
              psgan upscale --model anime-x4 frames/ --out frames-4x/
              psgan upscale --model srgan-x2 walk.mp4 --out walk-2x.mp4
            """
    )

    @Option(help: ArgumentHelp("srgan-x2, srgan-x4, anime-x4, or an upscaler .safetensors file.", valueName: "NAME|PATH"),
            transform: BundledResources.upscalerSpec)
    var model: UpscalerSpec

    @Argument(help: "Input: a PNG (or other image) file, a directory of PNG frames, or a video file.")
    var input: String

    @Option(help: "Output: a .png file, a directory, or a video file (matching the input's kind).")
    var out: String

    @Option(help: "Tile size in input pixels (default: automatic, bounded memory).")
    var tile: Int?

    @Option(help: "Codec for video output: h264, hevc, vp9, av1, prores or ffv1 (default from the extension).", transform: VideoCodec.init(parsing:))
    var codec: VideoCodec?

    @Option(help: "Constant rate factor for h264, hevc, vp9 and av1.")
    var crf: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let tile, tile < 1 { throw ValidationError("--tile must be at least 1") }
        try OptionChecks.crf(crf)
    }

    @OptionGroup var ffmpegLog: FFmpegLogOption

    func run() throws {
        ffmpegLog.apply()
        var job = UpscaleJob(upscaler: try BundledResources.requiredUpscalerFile(model), input: URL(fileURLWithPath: input),
                             output: URL(fileURLWithPath: out), tile: tile, codec: codec, crf: crf)
        job.command = PSGAN.commandLine
        let cleanup = InterruptCleanup()
        defer { cleanup.disarm() }
        let reporter = ProgressReporter(quiet: quiet)
        let result: UpscaleJob.Result
        do {
            result = try job.run(temporaryOutput: { cleanup.url = $0 }, progress: reporter.update)
        } catch {
            reporter.abandon()
            throw error
        }
        reporter.finish(summary: "wrote \(ErrorText.escaped(out)): \(result.summary), \(result.inputSize) -> \(result.outputSize) "
            + "(x\(result.scale), \(model)), in \(String(format: "%.1f", result.seconds)) s")
    }
}
