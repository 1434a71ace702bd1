import Foundation

/// One thing `psgan bench` measures: a generator size, an upscaler, a codec, or a whole render.
///
/// Written `generator:256`, `render:256:h264` (`render:256:vp9+alpha` with the matte as alpha), `upscaler:anime-x4` (a built-in name or a file) and
/// `encoder:h264`: the form the bench passes to the child process that measures it.
public enum BenchmarkStage: Equatable, Sendable, CustomStringConvertible {
    /// The generator alone at this resolution.
    case generator(resolution: Int)
    /// A whole render at this resolution into this codec (with the matte as an alpha channel when
    /// `alpha`), against generating the same frames alone.
    case render(resolution: Int, codec: VideoCodec, alpha: Bool = false)
    /// An upscaler.
    case upscaler(UpscalerSpec)
    /// An encoder.
    case encoder(VideoCodec)

    /// What kind of stage: the name before the colon, and what `psgan bench --only` selects by.
    public enum Kind: String, CaseIterable, Sendable {
        case generator, upscaler, encoder, render
    }

    /// Reads `KIND:VALUE`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0]) else {
            throw PSGANError(.render, "bad bench stage '\(text)' (use generator:R, render:R:CODEC, upscaler:NAME or encoder:CODEC)")
        }
        switch kind {
        case .generator, .render:
            let fields = parts[1].split(separator: ":", maxSplits: 1).map(String.init)
            guard let resolution = Int(fields[0]), resolution > 0 else {
                throw PSGANError(.render, "bad resolution in bench stage '\(text)'")
            }
            if kind == .generator {
                self = .generator(resolution: resolution)
            } else {
                let codec = fields.count > 1 ? fields[1] : "h264", suffix = "+alpha"
                let alpha = codec.hasSuffix(suffix)
                self = .render(resolution: resolution, codec: try VideoCodec(parsing: alpha ? String(codec.dropLast(suffix.count)) : codec),
                               alpha: alpha)
            }
        case .upscaler:
            self = .upscaler(try BundledResources.upscalerSpec(parts[1]))
        case .encoder:
            self = .encoder(try VideoCodec(parsing: parts[1]))
        }
    }

    /// The stage's kind.
    public var kind: Kind {
        switch self {
        case .generator: return .generator
        case .render: return .render
        case .upscaler: return .upscaler
        case .encoder: return .encoder
        }
    }

    /// `KIND:VALUE`, as ``init(parsing:)`` reads it.
    public var description: String {
        switch self {
        case .generator(let resolution): return "generator:\(resolution)"
        case .render(let resolution, let codec, let alpha): return "render:\(resolution):\(codec.rawValue)\(alpha ? "+alpha" : "")"
        case .upscaler(let spec): return "upscaler:\(spec)"
        case .encoder(let codec): return "encoder:\(codec.rawValue)"
        }
    }
}

/// How the bench shapes its measurements: the generator's size and how many frames each stage times.
public struct BenchmarkSettings: Sendable {
    /// Generator channels: `paper` or a list like `4:512,8:512,...` (``GeneratorConfig/channels(parsing:resolution:)``).
    public var channels = "paper"
    /// Keypoints K.
    public var keypoints = 20
    /// Latent size L.
    public var latentDim = 512
    /// Timed frames per generator measurement; nil: 8 up to 256x256, 3 above.
    public var frames: Int?
    /// Side of the frames fed to the upscalers.
    public var upscaleSize = 256
    /// Timed frames per upscaler.
    public var upscaleFrames = 2
    /// Frames of the whole-render measurement.
    public var renderFrames = 0

    /// The defaults of `psgan bench`.
    public init() {}

    /// The generator configuration measured at `resolution` (random weights of this shape).
    public func generatorConfig(resolution: Int) throws -> GeneratorConfig {
        guard let channelMap = GeneratorConfig.channels(parsing: channels, resolution: resolution) else {
            throw PSGANError(.render, file: "--channels", "'\(channels)' is neither 'paper' nor a list like 4:512,8:512")
        }
        let config = GeneratorConfig(resolution: resolution, latentDim: latentDim, keypoints: keypoints,
                                     layout: keypoints == 18 ? "coco18" : "bench\(keypoints)", channels: channelMap)
        try config.validate(path: "psgan bench")
        return config
    }
}

extension Benchmark {
    /// Measures `stage` in this process with `settings`, peak memory included.
    public static func run(_ stage: BenchmarkStage, settings: BenchmarkSettings) throws -> BenchmarkResult {
        var result: BenchmarkResult
        switch stage {
        case .generator(let resolution):
            result = try generator(config: try settings.generatorConfig(resolution: resolution),
                                   frames: settings.frames ?? (resolution <= 256 ? 8 : 3))
        case .render(let resolution, let codec, let alpha):
            var video = VideoSettings(codec: codec, fps: 30)
            video.alpha = alpha
            result = try render(config: try settings.generatorConfig(resolution: resolution), settings: video, frames: settings.renderFrames)
        case .upscaler(let spec):
            let upscaler = try BundledResources.loadUpscaler(spec, tile: nil)
            result = Benchmark.upscaler(upscaler, name: spec.description, size: settings.upscaleSize, frames: settings.upscaleFrames)
        case .encoder(let codec):
            result = try encoder(settings: VideoSettings(codec: codec, fps: 30), size: 256, frames: 60)
        }
        result.peakMemoryBytes = peakMemoryBytes()
        return result
    }

    /// A one-line description of the CPU and thread settings.
    public static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let environment = ProcessInfo.processInfo.environment
        let blas = ["PSGAN_THREADS", "OPENBLAS_CORETYPE"].compactMap { key in environment[key].map { "\(key)=\($0)" } }
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS \(BLAS.coreName) kernels"
            + (blas.isEmpty ? "" : ", " + blas.joined(separator: " "))
    }

    /// `results` as an aligned table, the machine last.
    public static func table(_ results: [BenchmarkResult]) -> String {
        func cell(_ text: String, _ width: Int, left: Bool = false) -> String {
            let pad = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + pad : pad + text
        }
        let widths = [9, 44, 9, 13, 9, 9, 9, 9]
        var lines = [zip(["stage", "configuration", "ms/frame", "fastest-slow", "frames/s", "GFLOP/s", "MP/s", "peak MB"], widths).enumerated()
            .map { cell($0.element.0, $0.element.1, left: $0.offset < 2) }.joined(separator: " ")]
        for r in results {
            var spread = "-"
            if let fastest = r.fastestFrameSeconds, let slowest = r.slowestFrameSeconds {
                spread = String(format: "%.0f-%.0f", fastest * 1000, slowest * 1000)
            }
            let cells = [r.stage, r.configuration, String(format: "%.1f", r.millisecondsPerFrame), spread, String(format: "%.2f", r.framesPerSecond),
                         r.gigaflopsPerSecond.map { String(format: "%.1f", $0) } ?? "-", String(format: "%.2f", r.megapixelsPerSecond),
                         r.peakMemoryBytes.map { String($0 >> 20) } ?? "-"]
            lines.append(zip(cells, widths).enumerated().map { cell($0.element.0, $0.element.1, left: $0.offset < 2) }.joined(separator: " "))
            if let alone = r.generateOnlySeconds {
                lines.append("          render takes \(String(format: "%.1f", r.seconds)) s; generating the same frames alone \(String(format: "%.1f", alone)) s (\(String(format: "%+.1f", (r.seconds / alone - 1) * 100))%)")
            }
        }
        lines.append("machine: \(machine())")
        return lines.joined(separator: "\n")
    }
}
