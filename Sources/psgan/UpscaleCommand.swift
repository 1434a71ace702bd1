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

    @Option(help: ArgumentHelp("srgan-x2, srgan-x4, anime-x4, or an upscaler .safetensors file.", valueName: "NAME|PATH"))
    var model: String

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
        let upscaler = try BundledResources.loadUpscaler(model, tile: tile)
        let inputURL = URL(fileURLWithPath: input)
        let outURL = URL(fileURLWithPath: out)
        let reader = try FrameReader(url: inputURL)
        let (width, height) = upscaler.outputSize(width: reader.width, height: reader.height)
        let reporter = ProgressReporter(quiet: quiet)
        let started = Date()
        let kind: String
        if !reader.frameFiles.isEmpty {
            try upscaleDirectory(reader, upscaler, to: outURL, reporter: reporter)
            kind = "\(reader.framesRead) PNG frames"
        } else if reader.frameRate == nil && reader.frameCount == 1 {
            guard outURL.pathExtension.lowercased() == "png" else {
                throw RenderError("\(out): the input is an image, so the output must be a .png file")
            }
            guard let image = try reader.next() else {
                throw FrameReaderError(path: input, "holds no frame")
            }
            try checkNotDirectory(outURL)
            PartialOutput(output: outURL, keepsExtension: true).removeStale()
            try PNGFile.write(upscaler.upscale(image), to: outURL)
            kind = "1 image"
        } else {
            try upscaleVideo(reader, upscaler, to: outURL, size: (width, height), reporter: reporter)
            kind = "\(reader.framesRead) frames"
        }
        let seconds = Date().timeIntervalSince(started)
        reporter.finish(summary: "wrote \(out): \(kind), \(reader.width)x\(reader.height) -> \(width)x\(height) "
            + "(x\(upscaler.model.scale), \(model)), in \(String(format: "%.1f", seconds)) s")
    }

    private func checkNotDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw RenderError("\(url.path): is a directory (give a .png file name)")
        }
    }

    /// Upscales every PNG of the input directory into a new directory, keeping the file names.
    private func upscaleDirectory(_ reader: FrameReader, _ upscaler: Upscaler, to url: URL, reporter: ProgressReporter) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw RenderError("\(url.path): already exists and is not a directory (a directory input gives a directory)")
            }
            guard (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.isEmpty ?? false else {
                throw RenderError("\(url.path): directory already exists and is not empty (choose a new name or empty it)")
            }
        }
        let partial = PartialOutput(output: url, keepsExtension: false)
        partial.removeStale()
        let temporary = partial.temporaryURL
        let cleanup = InterruptCleanup()
        defer { cleanup.disarm() }
        try? FileManager.default.removeItem(at: temporary)
        do {
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
        } catch {
            throw RenderError("\(url.path): cannot write (\(ErrorText.reason(error)))")
        }
        cleanup.url = temporary
        let start = Date()
        do {
            var index = 0
            while let frame = try reader.next() {
                let name = reader.frameFiles[index].lastPathComponent
                try PNGFile.write(upscaler.upscale(frame), to: temporary.appendingPathComponent(name))
                index += 1
                reporter.update(RenderProgress(completed: index, total: reader.frameFiles.count,
                                               elapsed: Date().timeIntervalSince(start)))
            }
            if rename(temporary.path, url.path) != 0 {
                throw RenderError("\(url.path): cannot write (\(ErrorText.reason(errno: errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            reporter.abandon()
            throw error
        }
    }

    /// Upscales a video frame by frame into a new video at the input's frame rate.
    private func upscaleVideo(_ reader: FrameReader, _ upscaler: Upscaler, to url: URL, size: (Int, Int),
                              reporter: ProgressReporter) throws {
        let videoCodec = VideoCodec.resolved(codec, for: url)
        guard videoCodec != .png else {
            throw RenderError("\(url.path): a video input gives a video; to get PNG frames, give a video file name")
        }
        let settings = VideoSettings(codec: videoCodec, fps: reader.frameRate ?? PoseSequence.assumedFPS, crf: crf)
        let cleanup = InterruptCleanup()
        defer { cleanup.disarm() }
        let writer = try VideoWriter(url: url, width: size.0, height: size.1, settings: settings)
        cleanup.url = writer.temporaryURL
        let start = Date()
        do {
            while let frame = try reader.next() {
                try writer.append(upscaler.upscale(frame))
                reporter.update(RenderProgress(completed: reader.framesRead, total: max(reader.frameCount ?? 0, reader.framesRead),
                                               elapsed: Date().timeIntervalSince(start)))
            }
            try writer.finish()
        } catch {
            writer.cancel()
            reporter.abandon()
            throw error
        }
    }
}
