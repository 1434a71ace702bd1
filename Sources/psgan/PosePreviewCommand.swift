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

    @Option(help: "Frame rate of the video (default: the poses', else 30).")
    var fps: Double?

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
        let width = size?.width ?? 512, height = size?.height ?? 512
        var poses = try reading.read(input)
        poses = try cleaning.apply(to: poses, path: input, target: (Double(width), Double(height)))
        if cleaning.retarget == nil {
            poses = PoseRetargeting.fitCanvas.apply(to: poses, width: Double(width), height: Double(height))
        }
        do {
            poses = try poses.converted(toLayout: "coco18", keypointCount: 18)
        } catch var error as PoseFileError {
            error.file = input
            error.problem += " (previews draw COCO-18)"
            throw error
        }
        let range = try (frames ?? FrameRange(":")!).resolve(frameCount: poses.frameCount).get()
        let videoCodec = VideoCodec.resolved(codec, for: URL(fileURLWithPath: out))
        let settings = VideoSettings(codec: videoCodec, fps: fps ?? poses.fps ?? PoseSequence.assumedFPS)
        let painter = SkeletonPainter(width: width, height: height)
        let cleanup = InterruptCleanup()
        defer { cleanup.disarm() }
        let writer = try VideoWriter(url: URL(fileURLWithPath: out), width: width, height: height, settings: settings)
        cleanup.url = writer.temporaryURL
        do {
            for index in range { try writer.append(painter.draw(poses.frames[index])) }
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        if !quiet {
            FileHandle.standardError.write(Data("wrote \(out): \(range.count) frames, \(width)x\(height), \(videoCodec.rawValue), \(PoseInspectCommand.format(settings.fps)) fps\n".utf8))
        }
    }
}
