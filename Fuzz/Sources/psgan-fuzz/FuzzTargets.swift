import Foundation
import PSGANKit

/// libFuzzer targets for every parser psgan exposes to files from outside.
///
/// One binary, one target per run, chosen by `PSGAN_FUZZ_TARGET`: `poses` (every pose format, told
/// from the content as `psgan render --poses` does, BVH included, then prepared for a model),
/// `models` (safetensors, read as a generator and as an upscaler), `manifests` (batch manifests),
/// `characters` (character files), `scenes` (scene files). A parser may throw on any input; it must never crash, hang or
/// run away with memory. Built and run by `scripts/fuzz` (docs/testing.md).
enum FuzzTarget: String, CaseIterable {
    case poses, models, manifests, characters, scenes

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
