import Foundation

/// Measures the pipeline's stages: the generator, the upscalers, the encoder and a whole render.
///
/// Every measurement runs one untimed warm-up frame, then times `frames` frames one by one with the
/// wall clock and reports the median frame time (times `frames`), which shrugs off the stalls a
/// shared machine adds now and then. Inputs are synthetic but realistic: random weights of the
/// requested shape, random poses, frames with generator-like content.
public enum Benchmark {
    /// The generator alone: `frames` forward passes at `config` with random weights.
    public static func generator(config: GeneratorConfig, frames: Int, seed: UInt64 = 0) throws -> BenchmarkResult {
        let generator = Generator(model: try PSGANModel.random(config: config, seed: seed))
        let poses = randomPoses(count: frames + 1, keypoints: config.keypoints, resolution: config.resolution, seed: seed)
        let latent = SeededNormals.latent(seed: seed, dimension: config.latentDim)
        _ = generator.forward(latent: latent, keypoints: poses[0])
        let times = (1...frames).map { f in time { _ = generator.forward(latent: latent, keypoints: poses[f]) } }
        return BenchmarkResult(stage: "generator", configuration: describe(config), frames: frames, seconds: medianTotal(times),
                               flopsPerFrame: config.flopsPerFrame, outputPixelsPerFrame: config.resolution * config.resolution,
                               fastestFrameSeconds: times.min(), slowestFrameSeconds: times.max())
    }

    /// An upscaler on `size` x `size` frames.
    public static func upscaler(_ upscaler: Upscaler, name: String, size: Int, frames: Int) -> BenchmarkResult {
        let input = pattern(size: size, phase: 0)
        _ = upscaler.upscale(input)
        let inputs = (1...frames).map { pattern(size: size, phase: $0) }
        let times = inputs.map { image in time { _ = upscaler.upscale(image) } }
        let out = upscaler.outputSize(width: size, height: size)
        return BenchmarkResult(stage: "upscaler", configuration: "\(name) \(size)x\(size) -> \(out.width)x\(out.height)",
                               frames: frames, seconds: medianTotal(times), outputPixelsPerFrame: out.width * out.height,
                               fastestFrameSeconds: times.min(), slowestFrameSeconds: times.max())
    }

    /// The encoder on `size` x `size` frames with generator-like content, into a temporary file.
    public static func encoder(settings: VideoSettings, size: Int, frames: Int) throws -> BenchmarkResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("psgan-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(settings.codec == .png ? "frames" : "clip.\(settings.codec.defaultContainer.fileExtension ?? "mkv")")
        let images = (0...frames).map { pattern(size: size, phase: $0) }
        let writer = try VideoWriter(url: url, width: size, height: size, settings: settings)
        try writer.append(images[0])
        let seconds = try time {
            for f in 1...frames { try writer.append(images[f]) }
            try writer.finish()
        }
        return BenchmarkResult(stage: "encoder", configuration: "\(settings.codec.rawValue) \(size)x\(size)", frames: frames,
                               seconds: seconds, outputPixelsPerFrame: size * size)
    }

    /// A whole render (generator, then the encoder overlapped with it) against generating the same
    /// frames alone, in one process: each is run `repeats` times, alternately, and the fastest run
    /// of each is kept, so that a slow spell of the machine does not land on one side only.
    public static func render(config: GeneratorConfig, settings: VideoSettings, frames: Int, repeats: Int = 2,
                              seed: UInt64 = 0) throws -> BenchmarkResult {
        let renderer = Renderer(model: try PSGANModel.random(config: config, seed: seed))
        let poses = randomPoses(count: frames, keypoints: config.keypoints, resolution: config.resolution, seed: seed)
        let track = CharacterTrack(latent: SeededNormals.latent(seed: seed, dimension: config.latentDim))
        _ = renderer.frame(keypoints: poses[0], latent: track.latent(at: 0))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("psgan-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let r = config.resolution
        var generateOnly = Double.infinity, seconds = Double.infinity
        for _ in 0..<max(1, repeats) {
            generateOnly = min(generateOnly, time {
                for f in 0..<frames { _ = renderer.frame(keypoints: poses[f], latent: track.latent(at: f)) }
            })
            seconds = min(seconds, try time {
                let name = settings.codec == .png ? "frames-\(UUID().uuidString)" : "clip.\(settings.codec.defaultContainer.fileExtension ?? "mkv")"
                let writer = try VideoWriter(url: directory.appendingPathComponent(name), width: r, height: r, settings: settings)
                let matte = Matte()
                try renderer.render(poses: poses, track: track, frames: 0..<frames, sink: { _, image in
                    // With alpha, the frame stage's work too: the matte, and the cut-out written with it.
                    if settings.alpha {
                        try writer.append(Matte.cutOut(image, alpha: matte.alpha(of: image)))
                    } else {
                        try writer.append(image)
                    }
                })
                try writer.finish()
            })
        }
        return BenchmarkResult(stage: "render", configuration: "\(describe(config)) \(settings.codec.rawValue)\(settings.alpha ? "+alpha" : ""), \(frames) frames",
                               frames: frames, seconds: seconds, flopsPerFrame: config.flopsPerFrame,
                               outputPixelsPerFrame: r * r, generateOnlySeconds: generateOnly)
    }

    /// Peak resident memory of this process so far, in bytes.
    public static func peakMemoryBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return usage.ru_maxrss * 1024
    }

    /// `256x256 paper K=20`-style description of a config.
    static func describe(_ config: GeneratorConfig) -> String {
        let paper = config.channels == GeneratorConfig.paperChannels(resolution: config.resolution)
        let channels = paper ? "paper" : config.scales.map { "\(config.channels[$0]!)" }.joined(separator: "/")
        return "\(config.resolution)x\(config.resolution) \(channels) K=\(config.keypoints) L=\(config.latentDim)"
    }

    /// Random poses: every keypoint present, somewhere on the canvas.
    static func randomPoses(count: Int, keypoints: Int, resolution: Int, seed: UInt64) -> [[Keypoint]] {
        var bits = SeededNormals(seed: seed &+ 1)
        return (0..<count).map { _ in
            (0..<keypoints).map { _ in
                Keypoint(x: Double(bits.nextBits() % UInt64(resolution)), y: Double(bits.nextBits() % UInt64(resolution)), confidence: 1)
            }
        }
    }

    /// A smooth, moving colour pattern with some fine detail, like a rendered frame.
    static func pattern(size: Int, phase: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        let p = Double(phase)
        for y in 0..<size {
            for x in 0..<size {
                let i = 3 * (y * size + x)
                let fx = Double(x) / Double(size), fy = Double(y) / Double(size)
                pixels[i] = UInt8(127.5 + 127 * sin(6 * fx + 0.2 * p))
                pixels[i + 1] = UInt8(127.5 + 127 * cos(5 * fy - 0.15 * p))
                pixels[i + 2] = UInt8((x * 7 + y * 13 + phase * 3) & 0xFF)
            }
        }
        return RGBImage(width: size, height: size, pixels: pixels)
    }

    /// The median of per-frame times, times their count.
    static func medianTotal(_ times: [Double]) -> Double {
        let sorted = times.sorted()
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return median * Double(times.count)
    }

    private static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
