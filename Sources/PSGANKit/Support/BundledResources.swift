import Foundation

/// The files psgan ships beside its executable: the default generator and the built-in upscalers.
///
/// A bundled file is looked up by its path inside the repository, from the current directory, then
/// from the executable's directory and its parents, so `swift run`, a build's binary and an
/// installed copy next to `samples/` all find it.
public enum BundledResources {
    /// The bundled generator's path inside the repository.
    public static let defaultModelPath = "samples/psgan-default.safetensors"

    /// The built-in upscalers, by name, with their paths inside the repository.
    public static let upscalers: [(name: String, path: String)] = [
        ("srgan-x2", "samples/upscalers/srgan-x2.safetensors"),
        ("srgan-x4", "samples/upscalers/srgan-x4.safetensors"),
        ("anime-x4", "samples/upscalers/realesr-animevideov3-x4.safetensors"),
    ]

    /// The built-in upscalers' names, in order.
    public static let upscalerNames = upscalers.map(\.name)

    /// The built-in names, for help and messages.
    public static let upscalerNamesList = upscalerNames.joined(separator: ", ")

    /// The generator a render uses: `explicit` if given; else `$PSGAN_MODEL`; else the bundled model.
    public static func model(_ explicit: String?) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PSGAN_MODEL"], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment)
        }
        if let url = find(defaultModelPath) { return url }
        throw PSGANError(.model, "no model given and the bundled model \(defaultModelPath) was not found from here (set PSGAN_MODEL, or name one: --model for render and characters, \"model\" in a batch manifest)")
    }

    /// The running program's own file, links resolved: from `/proc/self/exe` where there is one
    /// (a program found through `PATH` has only its name in `argv[0]`), else `argv[0]`.
    static var executable: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }

    /// A bundled file (`relativePath` inside the repository); nil when no candidate folder has it.
    public static func find(_ relativePath: String) -> URL? {
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        for base in candidates {
            let url = base.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    /// Reads an upscale setting (`none`, a built-in name or a path).
    public static func upscalerSpec(_ text: String) throws -> UpscalerSpec {
        try UpscalerSpec(text, builtInNames: upscalerNames)
    }

    /// The file of the built-in upscaler `name` (one of ``upscalerNames``).
    public static func builtInUpscaler(_ name: String) throws -> URL {
        guard let path = upscalers.first(where: { $0.name == name })?.path else {
            throw PSGANError(.model, "unknown upscaler '\(name)': use \(upscalerNamesList), or a .safetensors file path")
        }
        guard let url = find(path) else {
            throw PSGANError(.model, "the built-in upscaler \(name) (\(path)) was not found; run from the repository or pass a file path")
        }
        return url
    }

    /// The file an upscaler setting that must name one gives (`psgan upscale --model`, the bench):
    /// `none` is an error.
    public static func requiredUpscalerFile(_ spec: UpscalerSpec) throws -> URL {
        switch spec {
        case .none:
            throw PSGANError(.model, "'none' names no upscaler: use \(upscalerNamesList), or a .safetensors file path")
        case .builtIn(let name):
            return try builtInUpscaler(name)
        case .file(let path):
            return URL(fileURLWithPath: path)
        }
    }

    /// Loads the upscaler `spec` names, with an optional tile size.
    public static func loadUpscaler(_ spec: UpscalerSpec, tile: Int?) throws -> Upscaler {
        Upscaler(model: try UpscalerModel(contentsOf: try requiredUpscalerFile(spec)), tileSize: tile)
    }
}
