import ArgumentParser
import Foundation
import PSGANKit

/// `psgan bench`: how fast each stage runs on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the generator, the upscalers and the encoder (frames/s, ms/frame, GFLOP/s, peak memory).",
        discussion: """
            Each stage runs in a child process of its own, so its peak memory is its own. Weights are \
            random; one warm-up frame is not timed. Compare with ONNX Runtime and OpenVINO on the same networks with \
            bench/compare.sh (see docs/performance.md).
            """
    )

    @Option(name: .customLong("resolution"), help: "Generator resolutions to measure (repeat the option).")
    var resolutions: [Int] = [256, 1024]

    @Option(help: "Generator channels: 'paper' or a list like 4:512,8:512,...")
    var channels = "paper"

    @Option(help: "Keypoints K.")
    var keypoints = 20

    @Option(name: .customLong("latent-dim"), help: "Latent size L.")
    var latentDim = 512

    @Option(help: "Timed frames per generator measurement (default: 8 up to 256x256, 3 above).")
    var frames: Int?

    @Option(name: .customLong("upscaler"), help: "Upscalers to measure (built-in names or files; repeat). Default: all three built-ins.")
    var upscalers: [String] = BundledResources.upscalerNames

    @Option(name: .customLong("upscale-size"), help: "Side of the frames fed to the upscalers.")
    var upscaleSize = 256

    @Option(name: .customLong("upscale-frames"), help: "Timed frames per upscaler.")
    var upscaleFrames = 2

    @Option(name: .customLong("encoder"), help: "Codecs to measure at 256x256 (repeat).")
    var encoders: [String] = ["h264"]

    @Option(name: .customLong("render-frames"), help: "Also time a whole H.264 render of this many frames at the first resolution, against generating them alone (0: skip).")
    var renderFrames = 0

    @Option(help: "Measure only these stages: generator, upscaler, encoder, render (repeat). Default: all that apply.")
    var only: [String] = []

    @Flag(help: "Print JSON (one object with a 'results' list) instead of a table.")
    var json = false

    @Option(help: .hidden)
    var stage: String?

    func run() throws {
        if let stage {
            try runStage(stage)
            return
        }
        var stages = resolutions.map { "generator:\($0)" }
        stages += upscalers.map { "upscaler:\($0)" }
        stages += encoders.map { "encoder:\($0)" }
        if renderFrames > 0, let first = resolutions.first { stages.append("render:\(first)") }
        if !only.isEmpty {
            let known = ["generator", "upscaler", "encoder", "render"]
            if let unknown = only.first(where: { !known.contains($0) }) {
                throw ValidationError("--only \(unknown): use \(known.joined(separator: ", "))")
            }
            stages = stages.filter { only.contains(String($0.split(separator: ":")[0])) }
        }
        var results: [BenchmarkResult] = []
        for stage in stages {
            if !json { FileHandle.standardError.write(Data("measuring \(stage)...\n".utf8)) }
            results.append(try runChild(stage: stage))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(machine: Self.machine(), results: results)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.table(results))
        }
    }

    /// The JSON document `--json` prints.
    struct Report: Codable {
        let machine: String
        let results: [BenchmarkResult]
    }

    /// Runs one stage in this process and prints its result as one JSON line.
    private func runStage(_ stage: String) throws {
        let parts = stage.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("bad stage '\(stage)'") }
        var result: BenchmarkResult
        switch parts[0] {
        case "generator", "render":
            guard let resolution = Int(parts[1]) else { throw ValidationError("bad resolution in '\(stage)'") }
            let config = try generatorConfig(resolution: resolution)
            if parts[0] == "generator" {
                result = try Benchmark.generator(config: config, frames: frames ?? (resolution <= 256 ? 8 : 3))
            } else {
                result = try Benchmark.render(config: config, settings: VideoSettings(codec: .h264, fps: 30), frames: renderFrames)
            }
        case "upscaler":
            let upscaler = try BundledResources.loadUpscaler(try BundledResources.upscalerSpec(parts[1]), tile: nil)
            result = Benchmark.upscaler(upscaler, name: parts[1], size: upscaleSize, frames: upscaleFrames)
        case "encoder":
            result = try Benchmark.encoder(settings: VideoSettings(codec: try VideoCodec(parsing: parts[1]), fps: 30),
                                           size: 256, frames: 60)
        default:
            throw ValidationError("bad stage '\(stage)'")
        }
        result.peakMemoryBytes = Benchmark.peakMemoryBytes()
        print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
    }

    /// Runs `psgan bench --stage STAGE` with this command's options in a child process.
    private func runChild(stage: String) throws -> BenchmarkResult {
        var arguments = ["bench", "--stage", stage, "--channels", channels, "--keypoints", "\(keypoints)",
                         "--latent-dim", "\(latentDim)", "--upscale-size", "\(upscaleSize)",
                         "--upscale-frames", "\(upscaleFrames)", "--render-frames", "\(renderFrames)"]
        if let frames { arguments += ["--frames", "\(frames)"] }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("psgan-bench-\(UUID().uuidString).json")
        FileManager.default.createFile(atPath: scratch.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: scratch)
        try process.run()
        process.waitUntilExit()
        let output = try Data(contentsOf: scratch)
        guard process.terminationStatus == 0,
              let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let result = try? JSONDecoder().decode(BenchmarkResult.self, from: Data(line.utf8)) else {
            throw PSGANError(.render, "bench stage \(stage) failed (exit status \(process.terminationStatus))")
        }
        return result
    }

    private func generatorConfig(resolution: Int) throws -> GeneratorConfig {
        guard let channelMap = GeneratorConfig.channels(parsing: channels, resolution: resolution) else {
            throw ValidationError("--channels: '\(channels)' is neither 'paper' nor a list like 4:512,8:512")
        }
        let config = GeneratorConfig(resolution: resolution, latentDim: latentDim, keypoints: keypoints,
                                     layout: keypoints == 18 ? "coco18" : "bench\(keypoints)", channels: channelMap)
        try config.validate(path: "psgan bench")
        return config
    }

    /// A one-line description of the CPU and thread settings.
    static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let environment = ProcessInfo.processInfo.environment
        let blas = ["PSGAN_THREADS", "OPENBLAS_CORETYPE"].compactMap { key in environment[key].map { "\(key)=\($0)" } }
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores" + (blas.isEmpty ? "" : ", " + blas.joined(separator: " "))
    }

    /// The results as an aligned table.
    static func table(_ results: [BenchmarkResult]) -> String {
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
