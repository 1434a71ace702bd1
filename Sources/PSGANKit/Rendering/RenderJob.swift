import Foundation

/// One complete render, described by value: model, poses, characters, frames, codec, upscaler and output.
///
/// ``run(temporaryOutput:progress:)`` reads and checks every input (model, pose file, characters,
/// frame range, codec and output name, upscaler) before the output is opened, then renders through
/// ``Renderer`` and streams the frames into a ``VideoWriter``, so the output appears only when
/// complete (a failure leaves nothing behind). `psgan render` and `psgan batch` both run renders
/// this way; built-in names (the bundled model, upscaler names) are resolved to files by the caller.
public struct RenderJob: Sendable {
    /// Which character (or characters) a render shows.
    public enum Characters: Sendable {
        /// One seeded character for the whole clip.
        case seed(UInt64)
        /// Characters keyframed at pose-file frames, blended in between.
        case keyframes([CharacterKeyframe], interpolation: LatentInterpolation)
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
    }

    /// The generator file.
    public var model: URL
    /// The pose file, or a directory of OpenPose `*_keypoints.json` files.
    public var poses: URL
    /// The pose canvas size, for OpenPose input that does not carry one (used when ``reading`` is nil).
    public var canvas: (width: Int, height: Int)?
    /// How to read the pose input (format, person, canvas, camera); nil reads it with defaults and ``canvas``.
    public var reading: PoseReadOptions?
    /// The frame rate of pose input that records none (OpenPose, COCO, MMPose), if known.
    public var inputFPS: Double?
    /// Cleanup applied to the poses before rendering; a retargeting's size is replaced by the model's canvas.
    public var cleanup = PoseCleanup()
    /// The character or keyframed characters.
    public var characters: Characters
    /// The pose frames to render; nil renders all.
    public var frames: FrameRange?
    /// The codec; nil picks it from the output's extension (H.264 when the extension names none).
    public var codec: VideoCodec?
    /// Frames per second; nil uses the pose file's rate, else 30.
    public var fps: Double?
    /// Constant rate factor; nil uses the codec's default.
    public var crf: Int?
    /// Encoder threads; 0 lets the encoder choose.
    public var encoderThreads: Int
    /// An upscaler `.safetensors` file applied to every frame, or nil.
    public var upscaler: URL?
    /// Finds a built-in upscaler's file by name (nil for an unknown name). When set and ``upscaler``
    /// is nil, the model's suggested upscaler (its config's `upscale`, see ``GeneratorConfig/upscale``)
    /// is looked up with it and applied; when nil, a job without ``upscaler`` renders at the model's size.
    public var suggestedUpscalerLookup: (@Sendable (String) throws -> URL?)?
    /// The upscaler's tile size in input pixels; nil chooses automatically.
    public var tile: Int?
    /// Where the finished video (or PNG directory for the png codec) appears.
    public var output: URL

    /// A render job; every setting but the inputs and output has the same default as `psgan render`.
    public init(model: URL, poses: URL, canvas: (width: Int, height: Int)? = nil, characters: Characters = .seed(0),
                frames: FrameRange? = nil, codec: VideoCodec? = nil, fps: Double? = nil, crf: Int? = nil,
                encoderThreads: Int = 0, upscaler: URL? = nil, tile: Int? = nil, output: URL) {
        self.model = model
        self.poses = poses
        self.canvas = canvas
        self.characters = characters
        self.frames = frames
        self.codec = codec
        self.fps = fps
        self.crf = crf
        self.encoderThreads = encoderThreads
        self.upscaler = upscaler
        self.tile = tile
        self.output = output
    }

    /// The codec the render will use: ``codec``, else the one the output's extension implies.
    public var resolvedCodec: VideoCodec {
        VideoCodec.resolved(codec, for: output)
    }

    /// The pose input, read and cleaned up for a model canvas of `side` x `side`.
    func readPoses(side: Double) throws -> PoseSequence {
        var sequence = try PoseFileReader.read(poses, options: reading ?? PoseReadOptions(canvas: canvas))
        if sequence.fps == nil, let inputFPS { sequence.fps = inputFPS }
        var cleanup = self.cleanup
        if let retargeting = cleanup.retargeting { cleanup.retargeting = (retargeting.mode, side, side) }
        do {
            return try cleanup.apply(to: sequence)
        } catch var error as PoseFileError {
            if error.file == nil { error.file = poses.path }
            throw error
        }
    }

    /// Reads and checks every input, renders, and writes the output; returns what was written.
    ///
    /// - Parameters:
    ///   - temporaryOutput: called with the writer's temporary file (or directory) as soon as it is
    ///     chosen, before any frame, so a caller can remove it if the process is interrupted.
    ///   - progress: called after every frame.
    /// - Throws: the first problem found (``ModelFileError``, ``PoseFileError``, ``CharacterError``,
    ///   ``RenderError``, ``VideoError``, ...); nothing is left at ``output`` or its temporary name then.
    public func run(temporaryOutput: (URL) -> Void = { _ in },
                    progress: ((RenderProgress) -> Void)? = nil) throws -> Result {
        let model = try PSGANModel(contentsOf: self.model)
        let config = model.config
        let sequence = try readPoses(side: Double(config.resolution))
        let prepared: [[Keypoint]]
        do {
            prepared = try Renderer.prepare(sequence, for: config)
        } catch var error as PoseFileError where error.file == nil {
            // A layout the model cannot take: name both files.
            error.file = poses.path
            error.problem += " (model \(self.model.path))"
            throw error
        }
        let range = try (frames ?? FrameRange(":")!).resolve(frameCount: prepared.count)
            .mapError { RenderError("\(poses.path): \($0)") }.get()

        let track: CharacterTrack
        switch characters {
        case .seed(let seed):
            track = CharacterTrack(latent: try Character.seed(seed).latent(dimension: config.latentDim))
        case .keyframes(let keyframes, let interpolation):
            track = try CharacterTrack(keyframes: keyframes.map { (try $0.character(), $0.frame) },
                                       latentDim: config.latentDim, interpolation: interpolation)
        }

        let videoCodec = resolvedCodec
        let settings = VideoSettings(codec: videoCodec, fps: fps ?? sequence.fps ?? PoseSequence.assumedFPS, crf: crf, threads: encoderThreads)
        let renderer = Renderer(model: model)
        var upscalerFile = self.upscaler
        var suggested: String?
        if upscalerFile == nil, let lookup = suggestedUpscalerLookup, let name = config.upscale {
            guard let file = try lookup(name) else {
                throw ModelFileError(path: self.model.path, "suggests the upscaler '\(name)', which is not a built-in one here (choose one with --upscale, or --upscale none)")
            }
            upscalerFile = file
            suggested = name
        }
        let upscaler = try upscalerFile.map { Upscaler(model: try UpscalerModel(contentsOf: $0), tileSize: tile) }
        let scale = upscaler?.model.scale ?? 1
        let size = config.resolution * scale
        let writer = try VideoWriter(url: output, width: size, height: size, settings: settings)
        temporaryOutput(writer.temporaryURL)
        let started = Date()
        do {
            try renderer.render(poses: prepared, track: track, frames: range,
                                sink: { _, image in try writer.append(upscaler?.upscale(image) ?? image) },
                                progress: progress)
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        return Result(output: output, frames: range.count, size: size, scale: scale, suggestedUpscaler: suggested, codec: videoCodec,
                      fps: settings.fps, seconds: Date().timeIntervalSince(started))
    }
}
