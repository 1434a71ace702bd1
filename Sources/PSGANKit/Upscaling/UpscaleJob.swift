import Foundation

/// Upscaling a file, described by value: an image, a directory of PNG frames, or a video in; the
/// same kind of output, upscaled, out.
///
/// A PNG (or other image) gives a `.png` file; a directory of PNGs a new directory with the same
/// file names; a video a video at the input's frame rate (codec from ``codec`` or the output's
/// extension). Frames are read, upscaled and written one at a time, and the output appears only
/// when complete: a directory is filled under a temporary name and renamed, a video goes through
/// ``VideoWriter``, an image through ``PNGFile``.
public struct UpscaleJob: Sendable {
    /// What a finished upscale produced.
    public struct Result: Sendable {
        /// What was read: `1 image`, `24 PNG frames`, `120 frames`.
        public var summary: String
        /// Input and output size.
        public var inputSize: CanvasSize
        public var outputSize: CanvasSize
        /// The upscaler's factor.
        public var scale: Int
        /// Seconds from opening the input to the finished output.
        public var seconds: Double
    }

    /// The upscaler's `.safetensors` file.
    public var upscaler: URL
    /// The image, PNG directory or video to upscale.
    public var input: URL
    /// The output: a `.png` file, a directory, or a video file, matching the input's kind.
    public var output: URL
    /// Tile size in input pixels; nil chooses automatically.
    public var tile: Int?
    /// The codec for video output; nil picks it from the output's extension.
    public var codec: VideoCodec?
    /// Constant rate factor for video output; nil uses the codec's default.
    public var crf: Int?
    /// The command line recorded in the output's provenance tags.
    public var command: String?

    /// A job upscaling `input` into `output` with the upscaler in `upscaler`.
    public init(upscaler: URL, input: URL, output: URL, tile: Int? = nil, codec: VideoCodec? = nil, crf: Int? = nil) {
        self.upscaler = upscaler
        self.input = input
        self.output = output
        self.tile = tile
        self.codec = codec
        self.crf = crf
    }

    /// Loads the upscaler, reads, upscales and writes every frame; nothing is left behind on failure.
    ///
    /// - Parameters:
    ///   - temporaryOutput: called with the temporary name the output is written under, before any frame.
    ///   - progress: called after every frame.
    public func run(temporaryOutput: (URL) -> Void = { _ in },
                    progress: ((RenderProgress) -> Void)? = nil) throws -> Result {
        let upscaler = Upscaler(model: try UpscalerModel(contentsOf: self.upscaler), tileSize: tile)
        let reader = try FrameReader(url: input)
        let tags = try Provenance.upscaleTags(upscaler: self.upscaler, input: input, command: command)
        let size = upscaler.outputSize(width: reader.width, height: reader.height)
        let started = Date()
        let summary: String
        if !reader.frameFiles.isEmpty {
            try upscaleDirectory(reader, upscaler, tags: tags, temporaryOutput: temporaryOutput, progress: progress)
            summary = "\(reader.framesRead) PNG frames"
        } else if reader.frameRate == nil && reader.frameCount == 1 {
            try upscaleImage(reader, upscaler, tags: tags)
            summary = "1 image"
        } else {
            try upscaleVideo(reader, upscaler, size: size, tags: tags, temporaryOutput: temporaryOutput, progress: progress)
            summary = "\(reader.framesRead) frames"
        }
        return Result(summary: summary, inputSize: CanvasSize(width: reader.width, height: reader.height),
                      outputSize: CanvasSize(width: size.width, height: size.height), scale: upscaler.model.scale,
                      seconds: Date().timeIntervalSince(started))
    }

    /// One image into one `.png` file.
    private func upscaleImage(_ reader: FrameReader, _ upscaler: Upscaler, tags: [String: String]) throws {
        guard output.pathExtension.lowercased() == "png" else {
            throw PSGANError(.render, url: output, problem: "the input is an image, so the output must be a .png file")
        }
        guard let image = try reader.next() else {
            throw PSGANError(.input, url: input, problem: "holds no frame")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw PSGANError(.render, file: output.path, "is a directory (give a .png file name)")
        }
        PartialOutput(output: output, keepsExtension: true).removeStale()
        try PNGFile.write(upscaler.upscale(image), to: output, text: tags)
    }

    /// Every PNG of the input directory into a new directory, keeping the file names.
    private func upscaleDirectory(_ reader: FrameReader, _ upscaler: Upscaler, tags: [String: String], temporaryOutput: (URL) -> Void,
                                  progress: ((RenderProgress) -> Void)?) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw PSGANError(.render, file: output.path, "already exists and is not a directory (a directory input gives a directory)")
            }
            guard (try? FileManager.default.contentsOfDirectory(atPath: output.path))?.isEmpty ?? false else {
                throw PSGANError(.render, file: output.path, "directory already exists and is not empty (choose a new name or empty it)")
            }
        }
        let partial = PartialOutput(output: output, keepsExtension: false)
        partial.removeStale()
        let temporary = partial.temporaryURL
        try? FileManager.default.removeItem(at: temporary)
        do {
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
        } catch {
            throw PSGANError(.render, file: output.path, "cannot write (\(ErrorText.reason(error)))")
        }
        temporaryOutput(temporary)
        let start = Date()
        do {
            var index = 0
            while let frame = try reader.next() {
                let name = reader.frameFiles[index].lastPathComponent
                try PNGFile.write(upscaler.upscale(frame), to: temporary.appendingPathComponent(name), text: tags)
                index += 1
                progress?(RenderProgress(completed: index, total: reader.frameFiles.count, elapsed: Date().timeIntervalSince(start)))
            }
            try partial.finish()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// A video frame by frame into a new video at the input's frame rate.
    private func upscaleVideo(_ reader: FrameReader, _ upscaler: Upscaler, size: (width: Int, height: Int), tags: [String: String],
                              temporaryOutput: (URL) -> Void, progress: ((RenderProgress) -> Void)?) throws {
        let videoCodec = VideoCodec.resolved(codec, for: output)
        guard videoCodec != .png else {
            throw PSGANError(.render, file: output.path, "a video input gives a video; to get PNG frames, give a video file name")
        }
        var settings = VideoSettings(codec: videoCodec, fps: reader.frameRate ?? PoseSequence.assumedFPS, crf: crf)
        settings.metadata = tags
        // The input's sound comes along, whole (copied where the output's container takes it).
        if VideoContainer(fileExtension: output.pathExtension) != nil, AudioInput.hasAudio(input) {
            settings.audio = AudioTrack(file: input, keepLength: true)
        }
        let writer = try VideoWriter(url: output, width: size.width, height: size.height, settings: settings)
        temporaryOutput(writer.temporaryURL)
        let start = Date()
        try writer.complete {
            while let frame = try reader.next() {
                try writer.append(upscaler.upscale(frame))
                // A total of 0 when the file does not say how many frames it holds (shown as unknown).
                progress?(RenderProgress(completed: reader.framesRead, total: reader.frameCount.map { max($0, reader.framesRead) } ?? 0,
                                         elapsed: Date().timeIntervalSince(start)))
            }
        }
    }
}
