import Foundation

/// One complete render, described by value: model, poses, characters, frames, codec, upscaler and output.
///
/// ``run(temporaryOutput:progress:)`` reads and checks every input (model, pose file, characters,
/// frame range, codec and output name, upscaler) before the output is opened, then renders through
/// ``Renderer`` and streams the frames into a ``VideoWriter``, so the output appears only when
/// complete (a failure leaves nothing behind). `psgan render` and `psgan batch` both build a job
/// and run it this way. The stages: ``PoseInput`` → ``PreparedPoses`` → ``CharacterTrack`` →
/// ``Renderer`` (frames) → ``Upscaler`` → ``VideoWriter``.
public struct RenderJob: Sendable {
    /// Which character (or characters) a render shows.
    public enum Characters: Sendable {
        /// One seeded character for the whole clip.
        case seed(UInt64)
        /// Characters keyframed at pose-file frames, blended in between.
        case keyframes([CharacterKeyframe], interpolation: LatentInterpolation)

        /// The latent for every frame: character files read, seeds drawn, keyframes ordered.
        public func track(latentDim: Int) throws -> CharacterTrack {
            try track(in: LatentSpace(dimension: latentDim))
        }

        /// The latent for every frame in `space` (character files' looks set through its schema).
        public func track(in space: LatentSpace) throws -> CharacterTrack {
            switch self {
            case .seed(let seed):
                return CharacterTrack(latent: try Character.seed(seed).latent(in: space))
            case .keyframes(let keyframes, let interpolation):
                return try CharacterTrack(keyframes: keyframes.map { (try $0.character(), $0.frame) },
                                          in: space, interpolation: interpolation)
            }
        }
    }

    /// What a finished render produced.
    public struct Result: Sendable {
        /// The finished output (a video file, or a directory of PNGs).
        public var output: URL
        /// Frames written.
        public var frames: Int
        /// Frame width and height in pixels (after upscaling).
        public var size: Int
        /// The upscaler's factor (1 without an upscaler).
        public var scale: Int
        /// The model's suggested upscaler (``GeneratorConfig/upscale``) when that is what ran; nil
        /// when ``RenderJob/upscaler`` ran or none did.
        public var suggestedUpscaler: String?
        /// The codec used.
        public var codec: VideoCodec
        /// The video's frame rate.
        public var fps: Double
        /// Seconds from the first frame to the finished output.
        public var seconds: Double
        /// The output frames' size (the background plate's when there is one).
        public var outputSize: CanvasSize
        /// Frames that repeated an earlier frame's latent and keypoint pixels (a loop, a hold), and
        /// so were taken from it, not generated and upscaled again.
        public var reusedFrames = 0
    }

    /// Which upscaler a render applies to every frame.
    public enum Upscaling: Sendable, Equatable {
        /// The model's suggested upscaler (its config's `upscale`, see ``GeneratorConfig/upscale``),
        /// found among the built-in ones (``BundledResources``); none when the model suggests none.
        case modelSuggestion
        /// No upscaling: frames at the model's size.
        case none
        /// This upscaler `.safetensors` file.
        case file(URL)

        /// What an upscale setting asks for: nil (not given) is the model's suggestion, a built-in
        /// name its bundled file (``BundledResources/upscalerFile(_:)``).
        public init(_ spec: UpscalerSpec?) throws {
            switch spec {
            case nil: self = .modelSuggestion
            case .none?: self = .none
            case .builtIn(let name)?: self = .file(try BundledResources.builtInUpscaler(name))
            case .file(let path)?: self = .file(URL(fileURLWithPath: path))
            }
        }
    }

    /// The generator file.
    public var model: URL
    /// The poses: file, reading options and cleanup (a retargeting places them on the model's canvas).
    public var poses: PoseInput
    /// The character or keyframed characters.
    public var characters: Characters
    /// The pose frames to render; nil renders all.
    public var frames: FrameRange?
    /// The codec; nil picks it from the output's extension (H.264 when the extension names none).
    public var codec: VideoCodec?
    /// Frames per second; nil uses the pose file's rate, else 30. Poses that record their rate are
    /// resampled to it, keeping the motion's real speed, unless ``framePerPose``.
    public var fps: Double?
    /// One pose frame per video frame whatever ``fps`` is (the motion plays faster or slower).
    public var framePerPose = false
    /// Constant rate factor; nil uses the codec's default.
    public var crf: Int?
    /// Encoder threads; 0 lets the encoder choose.
    public var encoderThreads: Int
    /// The upscaler applied to every frame.
    public var upscaling: Upscaling
    /// The upscaler's tile size in input pixels; nil chooses automatically.
    public var tile: Int?
    /// Where the finished video (or PNG directory for the png codec) appears.
    public var output: URL
    /// Write the character's matte as an alpha channel (``Matte``; codecs with ``VideoCodec/supportsAlpha``).
    public var alpha = false
    /// Composite the character over this (its matte, premultiplied edges); nil keeps the white.
    public var background: Background?
    /// Where the character goes on a background image or plate; nil fits it (as large as fits, centred).
    public var placement: Placement?
    /// The command line recorded in the output's provenance tags (``Provenance``), if any.
    public var command: String?
    /// An audio track muxed under the video; unless it keeps its length, the clip ends with the
    /// shorter of the two (frames past the audio's end are not rendered).
    public var audio: AudioTrack?
    /// Asked before each frame; when it answers true the render stops with a `cancelled` error and,
    /// like any failed render, leaves nothing behind (the studio's cancel button).
    public var isCancelled: (@Sendable () -> Bool)?
    /// A scene file rendered instead of ``poses`` and ``characters`` (``Scene``, ``SceneJob``): the
    /// model, frames, codec, fps, CRF, alpha, audio and output come from this job.
    public var scene: URL?

    /// A render job; every setting but the inputs and output has the same default as `psgan render`.
    public init(model: URL, poses: PoseInput, characters: Characters = .seed(0),
                frames: FrameRange? = nil, codec: VideoCodec? = nil, fps: Double? = nil, crf: Int? = nil,
                encoderThreads: Int = 0, upscaling: Upscaling = .modelSuggestion, tile: Int? = nil, output: URL) {
        self.model = model
        self.poses = poses
        self.characters = characters
        self.frames = frames
        self.codec = codec
        self.fps = fps
        self.crf = crf
        self.encoderThreads = encoderThreads
        self.upscaling = upscaling
        self.tile = tile
        self.output = output
    }

    /// The codec the render will use: ``codec``, else the one the output's extension implies.
    public var resolvedCodec: VideoCodec {
        VideoCodec.resolved(codec, for: output)
    }

    /// The upscaler file to apply, and the suggested name when it is the model's suggestion.
    func upscalerFile(for config: GeneratorConfig) throws -> (file: URL?, suggested: String?) {
        switch upscaling {
        case .none:
            return (nil, nil)
        case .file(let url):
            return (url, nil)
        case .modelSuggestion:
            guard let name = config.upscale else { return (nil, nil) }
            guard BundledResources.upscalerNames.contains(name) else {
                throw PSGANError(.model, file: self.model.path, "suggests the upscaler '\(name)', which is not a built-in one here (choose one with --upscale, or --upscale none)")
            }
            return (try BundledResources.builtInUpscaler(name), name)
        }
    }

    /// Reads and checks every input, renders, and writes the output; returns what was written.
    ///
    /// - Parameters:
    ///   - temporaryOutput: called with the writer's temporary file (or directory) as soon as it is
    ///     chosen, before any frame, so a caller can remove it if the process is interrupted.
    ///   - progress: called after every frame.
    /// - Throws: the first problem found, a ``PSGANError`` naming the file and place; nothing is left
    ///   at ``output`` or its temporary name then.
    public func run(temporaryOutput: (URL) -> Void = { _ in },
                    progress: ((RenderProgress) -> Void)? = nil) throws -> Result {
        if let scene { return try runScene(scene, temporaryOutput: temporaryOutput, progress: progress) }
        let model = try PSGANModel(contentsOf: self.model)
        let config = model.config
        var poses = self.poses
        if let fps, !framePerPose { poses.cleanup.retimeFPS = fps }
        let prepared = try poses.prepared(for: config, modelFile: self.model.path)
        var range = try prepared.frames(frames)

        let track = try characters.track(in: model.latentSpace(modelFile: self.model.path))
        if alpha && background != nil {
            throw PSGANError(.render, "--alpha and --background exclude each other: a frame composited over a background is opaque")
        }
        let videoCodec = resolvedCodec
        var settings = VideoSettings(codec: videoCodec, fps: fps ?? prepared.fps ?? PoseSequence.assumedFPS, crf: crf, threads: encoderThreads)
        settings.alpha = alpha
        settings.audio = audio
        if let audio {
            range = range.lowerBound ..< range.lowerBound + (try audio.frames(toRender: range.count, fps: settings.fps, output: output))
        }
        settings.metadata = try Provenance.tags(model: self.model, poses: poses.url, characters: characters.summary, command: command)
        let renderer = Renderer(model: model)
        let (upscalerFile, suggested) = try upscalerFile(for: config)
        let upscaler = try upscalerFile.map { Upscaler(model: try UpscalerModel(contentsOf: $0), tileSize: tile) }
        let scale = upscaler?.model.scale ?? 1
        let size = config.resolution * scale
        let finisher = try FrameFinisher(side: config.resolution, upscaler: upscaler, alpha: alpha,
                                         background: background, placement: placement, fps: settings.fps)
        let writer = try VideoWriter(url: output, width: finisher.outputSize.width, height: finisher.outputSize.height,
                                     settings: settings)
        temporaryOutput(writer.temporaryURL)
        let started = Date()
        try writer.complete {
            try renderer.render(poses: prepared.frames, track: track, frames: range,
                                sink: { _, image in
                                    if isCancelled?() == true { throw PSGANError(.render, "the render was cancelled") }
                                    switch try finisher.finish(image) {
                                    case .rgb(let frame): try writer.append(frame)
                                    case .rgba(let frame): try writer.append(frame)
                                    }
                                },
                                progress: progress)
        }
        return Result(output: output, frames: range.count, size: size, scale: scale, suggestedUpscaler: suggested, codec: videoCodec,
                      fps: settings.fps, seconds: Date().timeIntervalSince(started), outputSize: finisher.outputSize,
                      reusedFrames: renderer.reusedFrames)
    }

    /// Renders the scene file `url` with this job's settings.
    private func runScene(_ url: URL, temporaryOutput: (URL) -> Void, progress: ((RenderProgress) -> Void)?) throws -> Result {
        var job = SceneJob(scene: try Scene(contentsOf: url), model: model, output: output)
        job.frames = frames
        job.codec = codec
        job.fps = fps
        job.crf = crf
        job.alpha = alpha
        job.audio = audio
        job.command = command
        let result = try job.run(temporaryOutput: temporaryOutput, progress: progress)
        return Result(output: result.output, frames: result.frames, size: max(result.size.width, result.size.height), scale: 1,
                      suggestedUpscaler: nil, codec: result.codec, fps: result.fps, seconds: result.seconds, outputSize: result.size)
    }
}
