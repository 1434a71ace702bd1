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

    @Option(name: .customLong("upscaler"), help: "Upscalers to measure (built-in names or files; repeat). Default: all three built-ins.",
            transform: BundledResources.upscalerSpec)
    var upscalers: [UpscalerSpec] = BundledResources.upscalerNames.map(UpscalerSpec.builtIn)

    @Option(name: .customLong("upscale-size"), help: "Side of the frames fed to the upscalers.")
    var upscaleSize = 256

    @Option(name: .customLong("upscale-frames"), help: "Timed frames per upscaler.")
    var upscaleFrames = 2

    @Option(name: .customLong("encoder"), help: "Codecs to measure (repeat): the encoder alone at 256x256, and the renders of --render-frames.", transform: VideoCodec.init(parsing:))
    var encoders: [VideoCodec] = [.h264]

    @Option(name: .customLong("render-frames"), help: "Also time whole renders of this many frames at each resolution into each --encoder codec, against generating them alone (0: skip).")
    var renderFrames = 0

    @Flag(help: "Renders write the character's matte as an alpha channel (codecs png, prores, vp9, ffv1).")
    var alpha = false

    @Option(help: "Measure only these stages: generator, upscaler, encoder, render (repeat). Default: all that apply.")
    var only: [BenchmarkStage.Kind] = []

    @Flag(help: "Print JSON (one object with a 'results' list) instead of a table.")
    var json = false

    @Option(help: .hidden, transform: BenchmarkStage.init(parsing:))
    var stage: BenchmarkStage?

    /// The options as library settings.
    var settings: BenchmarkSettings {
        var settings = BenchmarkSettings()
        settings.channels = channels
        settings.keypoints = keypoints
        settings.latentDim = latentDim
        settings.frames = frames
        settings.upscaleSize = upscaleSize
        settings.upscaleFrames = upscaleFrames
        settings.renderFrames = renderFrames
        return settings
    }

    func run() throws {
        if let stage {
            // The child process: measure one stage, print its result as one JSON line.
            let result = try Benchmark.run(stage, settings: settings)
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            return
        }
        var stages = resolutions.map { BenchmarkStage.generator(resolution: $0) }
        stages += upscalers.map { BenchmarkStage.upscaler($0) }
        stages += encoders.map { BenchmarkStage.encoder($0) }
        if renderFrames > 0 {
            // Every resolution into every --encoder codec.
            stages += resolutions.flatMap { r in encoders.map { BenchmarkStage.render(resolution: r, codec: $0, alpha: alpha) } }
        }
        if !only.isEmpty { stages = stages.filter { only.contains($0.kind) } }
        var results: [BenchmarkResult] = []
        for stage in stages {
            if !json { FileHandle.standardError.write(Data("measuring \(stage)...\n".utf8)) }
            results.append(try runChild(stage: stage))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(machine: Benchmark.machine(), results: results)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Benchmark.table(results))
        }
    }

    /// The JSON document `--json` prints.
    struct Report: Codable {
        let machine: String
        let results: [BenchmarkResult]
    }

    /// Runs `psgan bench --stage STAGE` with this command's options in a child process.
    private func runChild(stage: BenchmarkStage) throws -> BenchmarkResult {
        var arguments = ["bench", "--stage", stage.description, "--channels", channels, "--keypoints", "\(keypoints)",
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
}

extension BenchmarkStage.Kind: ExpressibleByArgument {}
