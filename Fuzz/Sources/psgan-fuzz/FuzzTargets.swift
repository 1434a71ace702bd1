import Foundation
import PSGANKit

/// libFuzzer targets for every parser psgan exposes to files from outside.
///
/// One binary, one target per run, chosen by `PSGAN_FUZZ_TARGET`: `poses` (every pose format, told
/// from the content as `psgan render --poses` does, BVH included, then prepared for a model),
/// `models` (safetensors, read as a generator and as an upscaler), `manifests` (batch manifests),
/// `characters` (character files), `scenes` (scene files, their sizes and placements), `placements`
/// (`--place` and scene sizes as text, and any three doubles composited), `backgrounds` (any bytes as
/// a `--background` file, decoded within the frame size ceiling), `audio` (any bytes as an `--audio`
/// file with any offset, laid under a two-frame video). A parser may throw on any input; it must
/// never crash, hang or run away with memory. Built and run by `scripts/fuzz` (docs/testing.md).
enum FuzzTarget: String, CaseIterable {
    case poses, models, manifests, characters, scenes, placements, backgrounds, audio

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["PSGAN_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("psgan-fuzz: set PSGAN_FUZZ_TARGET to one of \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }()

    /// A scratch file per process for parsers that read from a path.
    static let scratch: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        let dir = base.appendingPathComponent("psgan-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: FuzzTarget.scratch.deletingLastPathComponent().appendingPathComponent("psgan-fuzz-\(getpid())")) }
        return dir
    }()

    /// A small model config the pose target prepares poses for (COCO-18, as the bundled model).
    static let config = GeneratorConfig(resolution: 16, latentDim: 4, keypoints: 18, layout: "coco18", channels: [4: 2, 8: 2, 16: 2])

    func run(_ data: Data) {
        switch self {
        case .poses:
            let url = Self.scratch.appendingPathComponent("poses.json")
            guard (try? data.write(to: url)) != nil else { return }
            guard let poses = try? PoseFileReader.read(url, options: PoseReadOptions(canvas: CanvasSize(width: 512, height: 512))) else { return }
            _ = try? Renderer.prepare(poses, for: Self.config)
            _ = try? PoseFileWriter.write(poses, to: Self.scratch.appendingPathComponent("out.json"))
        case .models:
            guard let file = try? SafeTensorsFile(data: data, path: "fuzz.safetensors") else { return }
            if let model = try? PSGANModel(file: file), model.config.resolution <= 32, model.config.parameterCount <= 100_000 {
                let keypoints = (0 ..< model.config.keypoints).map { Keypoint(x: Double($0), y: 3, confidence: 1) }
                _ = Renderer(model: model).frame(keypoints: keypoints, latent: SeededNormals.latent(seed: 1, dimension: model.config.latentDim))
            }
            _ = try? UpscalerModel(file: file)
        case .manifests:
            let resolver = BatchManifest.Resolver(defaultModel: { URL(fileURLWithPath: "/nonexistent/model.safetensors") },
                                                  builtInUpscalers: ["srgan-x2"], builtInUpscaler: { $0 == "srgan-x2" ? URL(fileURLWithPath: "/x.safetensors") : nil })
            _ = try? BatchManifest(data: data, url: Self.scratch.appendingPathComponent("jobs.json"), resolver: resolver)
        case .scenes:
            _ = try? Scene(data: data, url: Self.scratch.appendingPathComponent("scene.json"))
        case .placements:
            // Three doubles from the first 24 bytes, any bits (NaN, infinities, 1e308), straight into
            // the compositor; then the rest as text lines: a placement and a canvas size.
            var raw = [Double](repeating: 0, count: 3)
            for i in 0 ..< min(3, data.count / 8) {
                raw[i] = Double(bitPattern: data.subdata(in: i * 8 ..< i * 8 + 8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            }
            let layer = RGBAImage(width: 4, height: 4, pixels: [UInt8](repeating: 200, count: 64))
            let background = RGBImage(width: 8, height: 6, filledWith: (10, 20, 30))
            let unchecked = Placement(x: raw[0], y: raw[1], scale: raw[2])
            _ = Compositor.composite([(layer, unchecked)], over: background)
            _ = Compositor.compositeWithAlpha([(layer, unchecked)], size: CanvasSize(width: 8, height: 6))
            let lines = String(decoding: data.dropFirst(min(24, data.count)), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            if let text = lines.first, let placement = Placement(parsing: String(text)) {
                _ = Compositor.composite([(layer, placement)], over: background)
            }
            if lines.count > 1, let size = CanvasSize(parsing: String(lines[1])) {
                _ = size.isWithinOutputLimits
            }
        case .backgrounds:
            let url = Self.scratch.appendingPathComponent("plate")
            guard (try? data.write(to: url)) != nil, let background = try? Background(parsing: url.path) else { return }
            if case .image(let file) = background, let reader = try? FrameReader(url: file),
               CanvasSize(width: reader.width, height: reader.height).isWithinOutputLimits {
                _ = try? reader.next()
            }
        case .audio:
            // The first 8 bytes are the offset (any bits), the ninth says whether to keep the length.
            guard data.count > 9 else { return }
            let offset = Double(bitPattern: data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            let url = Self.scratch.appendingPathComponent("audio")
            guard (try? data.dropFirst(9).write(to: url)) != nil else { return }
            let track = AudioTrack(file: url, offset: offset, keepLength: data[data.startIndex + 8] & 1 == 1)
            guard let frames = try? track.frames(toRender: 2, fps: 10), frames > 0 else { return }
            var settings = VideoSettings(codec: .h264, fps: 10)
            settings.audio = track
            let out = Self.scratch.appendingPathComponent("clip.mkv")
            guard let writer = try? VideoWriter(url: out, width: 16, height: 16, settings: settings) else { return }
            _ = try? writer.complete {
                for _ in 0 ..< frames { try writer.append(RGBImage(width: 16, height: 16, filledWith: (90, 90, 90))) }
            }
        case .characters:
            let url = Self.scratch.appendingPathComponent("character.json")
            guard (try? data.write(to: url)) != nil else { return }
            _ = try? Character(contentsOf: url).latent(dimension: 8)
        }
    }
}

/// One input, as libFuzzer calls it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.selected.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// libFuzzer's driver (`-sanitize=fuzzer` links it): parses its flags from the command line and runs.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The entry point SwiftPM links an executable to (`main` is set to `<module>_main`): hands the
/// command line to libFuzzer's driver, so libFuzzer's own `main` is not needed.
@_cdecl("psgan_fuzz_main")
public func psganFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    _ = FuzzTarget.selected
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
