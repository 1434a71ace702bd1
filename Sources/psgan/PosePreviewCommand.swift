import ArgumentParser
import Foundation
import PSGANKit

/// `psgan pose preview`: the pose sequence drawn as OpenPose skeletons, encoded to a video.
struct PosePreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Draw a pose sequence as OpenPose-style skeletons on black and encode it like a render.",
        discussion: """
            The poses are placed on the preview canvas as --retarget says (default: the pose canvas \
            fitted, as a render does). The output appears only when complete.

            Example: psgan pose preview poses/walk.json --out walk-preview.mp4
            """
    )

    @Argument(help: "Pose input: a file of any supported format, or a directory of OpenPose files.")
    var input: String

    @Option(help: "Output video file (.mp4, .mkv, .webm, .mov), or a directory for --codec png.")
    var out: String

    @OptionGroup var reading: PoseInputOptions
    @OptionGroup var cleaning: PoseCleanupOptions

    @Option(help: ArgumentHelp("Preview size in pixels (default 512x512).", valueName: "WxH"))
    var size: CanvasSize?

    @Option(help: "Codec: h264 (default), hevc, vp9, av1, prores, ffv1 or png.", transform: VideoCodec.init(parsing:))
    var codec: VideoCodec?

    @Option(parsing: .unconditional, help: "Frame rate of the video (default: the poses', after any --resample, else 30). Poses that record their rate are resampled to it, as in psgan render (see --frame-per-pose).")
    var fps: Double?

    @Flag(name: .customLong("frame-per-pose"), help: "With --fps: one pose frame per video frame (a 30 fps take at --fps 15 plays 2x slow).")
    var framePerPose = false

    @Option(help: ArgumentHelp("Frames A to B-1 of the cleaned-up sequence (zero-based).", valueName: "A:B"))
    var frames: FrameRange?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        try OptionChecks.frameRate(fps, option: "--fps")
    }

    @OptionGroup var ffmpegLog: FFmpegLogOption

    func run() throws {
        ffmpegLog.apply()
        var job = PosePreviewJob(poses: reading.input(input, cleaning: cleaning), size: size ?? CanvasSize(side: 512),
                                 frames: frames, codec: codec, fps: fps, output: URL(fileURLWithPath: out))
        job.framePerPose = framePerPose
        let cleanup = InterruptCleanup()
        defer { cleanup.disarm() }
        let result = try job.run(temporaryOutput: { cleanup.url = $0 })
        if !quiet {
            FileHandle.standardError.write(Data("wrote \(ErrorText.escaped(out)): \(result.frames) frames, \(result.size), \(result.codec.rawValue), \(PoseInspectCommand.format(result.fps)) fps\n".utf8))
        }
    }
}
