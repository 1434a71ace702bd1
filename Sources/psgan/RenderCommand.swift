import ArgumentParser
import Foundation
import PSGANKit

/// `psgan render`: a pose file and a character in, a video out.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a character performing a pose sequence to a video.",
        discussion: """
            Each pose frame becomes one video frame (with --fps, poses that record their rate are \
            resampled to it first). The output appears only when it is complete: frames go to a \
            temporary name beside it, renamed at the end.

            Examples:
              psgan render --poses poses/walk.json --out walk.mp4
              psgan render --poses poses/walk.json --seed 7 --codec ffv1 --out walk.mkv
              psgan render --poses op/ --canvas 1280x720 --character a.json@0 --character seed:9@90 --out morph.mp4
              psgan render --poses poses/walk.json --upscale srgan-x2 --out walk-2x.mp4
            """
    )

    @Option(help: "Generator file (default: $PSGAN_MODEL, else the model bundled in samples/).")
    var model: String?

    @Option(help: "Pose input: native psgan JSON, OpenPose (a file or a directory), ComfyUI, COCO, MMPose or BVH.")
    var poses: String?

    @Option(help: ArgumentHelp("A scene file: several characters, each with its poses, character, place, start and depth, over a background (docs/scenes.md). Instead of --poses.",
                               valueName: "FILE"))
    var scene: String?

    @Option(help: "Output video file (.mp4, .mkv, .webm, .mov), or a directory for --codec png.")
    var out: String

    @Option(help: "The character's seed (a fixed character for the whole clip). Default 0.")
    var seed: UInt64?

    @Option(parsing: .singleValue, help: ArgumentHelp(
        "A keyframed character: FILE.json or seed:N, optionally @FRAME (pose-file frame number, default 0). Repeat to interpolate.",
        valueName: "SPEC[@FRAME]"))
    var character: [CharacterKeyframe] = []

    @Option(help: "Interpolation between keyframed characters: slerp or lerp.")
    var interp: LatentInterpolation = .slerp

    @Option(help: "Codec: h264 (default), hevc, vp9, av1, prores, ffv1 (lossless) or png (a directory of frames).", transform: VideoCodec.init(parsing:))
    var codec: VideoCodec?

    @Option(parsing: .unconditional, help: "Frame rate of the video (default: the poses', after any --resample, else 30). Poses that record their rate are resampled to it, keeping the motion's real speed (see --frame-per-pose).")
    var fps: Double?

    @Flag(name: .customLong("frame-per-pose"), help: "With --fps: one pose frame per video frame, as before retiming (a 120 fps take at --fps 30 plays 4x slow).")
    var framePerPose = false

    @Option(help: "Constant rate factor for h264, hevc, vp9 and av1 (default 18 for h264).")
    var crf: Int?

    @Option(help: ArgumentHelp("Frames A to B-1 of the pose file (after any --resample; zero-based); either side may be left out.", valueName: "A:B"))
    var frames: FrameRange?

    @OptionGroup(title: "Pose input")
    var reading: PoseInputOptions

    @OptionGroup(title: "Pose cleanup")
    var cleaning: PoseCleanupOptions

    @Option(help: ArgumentHelp("Upscale each frame before encoding: srgan-x2, srgan-x4, anime-x4, an upscaler .safetensors file, or none. Default: the upscaler the model suggests (`psgan model inspect`), if any.",
                               valueName: "NAME|PATH|none"), transform: BundledResources.upscalerSpec)
    var upscale: UpscalerSpec?

    @Option(help: "Upscaler tile size in input pixels (default: automatic, bounded memory).")
    var tile: Int?

    @Flag(help: "Write the character's matte as an alpha channel (codecs png, prores, vp9, ffv1).")
    var alpha = false

    @Option(help: ArgumentHelp("Composite the character over a colour (#RRGGBB or a name such as white, black, chroma-green), an image, or a video plate (whose size sets the output's).",
                               valueName: "COLOR|IMAGE|VIDEO"))
    var background: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Where the character goes on a background image or plate: its frame's centre in output pixels and a scale (default: fitted, centred; X and Y within ±100000, SCALE from 0.001 to 1000).",
                                                        valueName: "X,Y,SCALE"))
    var place: String?

    @Option(help: ArgumentHelp("Mux this audio track under the video (copied when the container takes its codec, else AAC, or Opus for .webm).", valueName: "FILE"))
    var audio: String?

    @Option(name: .customLong("audio-offset"), parsing: .unconditional, help: ArgumentHelp("Seconds to move the audio by: positive starts it later, negative skips its start.", valueName: "S"))
    var audioOffset = 0.0

    @Flag(name: .customLong("keep-length"), help: "Keep both the video and the audio whole (default: the clip ends with the shorter).")
    var keepLength = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if (poses == nil) == (scene == nil) {
            throw ValidationError("give either --poses or --scene")
        }
        if scene != nil {
            let perCharacter = [("--seed", seed != nil), ("--character", !character.isEmpty), ("--upscale", upscale != nil),
                                ("--background", background != nil), ("--place", place != nil), ("--tile", tile != nil)]
            if let (name, _) = perCharacter.first(where: { $0.1 }) {
                let why = name == "--upscale" || name == "--tile"
                    ? "scenes are drawn at the model's size, with no upscaler"
                    : "the scene file says it for each character"
                throw ValidationError("\(name) does not go with --scene (\(why))")
            }
        }
        if seed != nil && !character.isEmpty {
            throw ValidationError("give either --seed or --character, not both")
        }
        try OptionChecks.frameRate(fps, option: "--fps")
        try OptionChecks.crf(crf)
        if let tile, tile < 1 {
            throw ValidationError("--tile must be at least 1")
        }
        if alpha && background != nil {
            throw ValidationError("give either --alpha or --background, not both (a frame composited over a background is opaque)")
        }
        if let codec, alpha, !codec.supportsAlpha {
            throw ValidationError("--alpha: codec '\(codec.rawValue)' cannot carry an alpha channel (use \(VideoCodec.alphaCodecsList))")
        }
        if audio == nil && (audioOffset != 0 || keepLength) {
            throw ValidationError("--audio-offset and --keep-length go with --audio")
        }
        if !audioOffset.isFinite { throw ValidationError("--audio-offset must be a number of seconds") }
        if place != nil, background == nil {
            throw ValidationError("--place needs a --background image or video to place the character on")
        }
        if tile != nil && upscale?.takesTile == false {
            throw ValidationError("--tile needs an upscaler, not --upscale none")
        }
    }

    @OptionGroup var ffmpegLog: FFmpegLogOption

    func run() throws {
        ffmpegLog.apply()
        var job = RenderJob(
            model: try BundledResources.model(model), poses: reading.input(poses ?? scene ?? "", cleaning: cleaning),
            characters: character.isEmpty ? .seed(seed ?? 0) : .keyframes(character, interpolation: interp),
            frames: frames, codec: codec, fps: fps, crf: crf,
            upscaling: try RenderJob.Upscaling(upscale), tile: tile,
            output: URL(fileURLWithPath: out))
        job.framePerPose = framePerPose
        job.alpha = alpha
        // Files are read when the job runs, so a damaged one is reported in one line like any input.
        job.background = try background.map(Background.init(parsing:))
        job.placement = try place.map { try Placement.parse($0) }
        job.command = PSGAN.commandLine
        job.scene = scene.map { URL(fileURLWithPath: $0) }
        job.audio = audio.map { AudioTrack(file: URL(fileURLWithPath: $0), offset: audioOffset, keepLength: keepLength) }
        let cleanup = InterruptCleanup()
        defer { cleanup.disarm() }
        let reporter = ProgressReporter(quiet: quiet)
        let result: RenderJob.Result
        var writing = false
        do {
            result = try job.run(temporaryOutput: { cleanup.url = $0; writing = true }, progress: reporter.update)
        } catch {
            if writing { reporter.abandon() }
            throw error
        }
        let (size, scale, seconds) = (result.size, result.scale, result.seconds)
        let upscaling = result.suggestedUpscaler.map { " (upscaled x\(scale) by \($0), the model's suggestion; --upscale none for \(size / scale)x\(size / scale))" }
            ?? upscale.flatMap { $0 == .none ? nil : " (upscaled x\(scale) by \($0))" } ?? ""
        if scene != nil {
            reporter.finish(summary: "wrote \(ErrorText.escaped(out)): \(result.frames) frames, scene \(scene!), \(result.outputSize), \(result.codec.rawValue), "
                + "\(Self.format(result.fps)) fps, in \(String(format: "%.1f", seconds)) s")
            return
        }
        let composited = background == nil ? "" : " over the background, \(result.outputSize)"
        reporter.finish(summary: "wrote \(ErrorText.escaped(out)): \(result.frames) frames, \(size)x\(size)\(upscaling)\(alpha ? " with alpha" : "")\(composited), "
            + "\(result.codec.rawValue), \(Self.format(result.fps)) fps, in \(String(format: "%.1f", seconds)) s "
            + "(\(String(format: "%.2f", Double(result.frames) / seconds)) frames/s"
            + (result.reusedFrames > 0 ? "; \(result.reusedFrames) repeated frames reused)" : ")"))
    }

    private static func format(_ value: Double) -> String { value.displayed(decimals: 3) }
}

extension FrameRange: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension CharacterKeyframe: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension LatentInterpolation: ExpressibleByArgument {}

