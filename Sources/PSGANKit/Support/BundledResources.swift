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
        throw RenderError("no --model given and the bundled model \(defaultModelPath) was not found (set PSGAN_MODEL or pass --model)")
    }

    /// A bundled file (`relativePath` inside the repository); nil when no candidate folder has it.
    public static func find(_ relativePath: String) -> URL? {
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
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

    /// The file an upscale setting names, nil for `none`.
    public static func upscalerFile(_ text: String) throws -> URL? {
        switch try upscalerSpec(text) {
        case .none:
            return nil
        case .builtIn(let name):
            let path = upscalers.first { $0.name == name }!.path
            guard let url = find(path) else {
                throw RenderError("the built-in upscaler \(name) (\(path)) was not found; run from the repository or pass a file path")
            }
            return url
        case .file(let path):
            return URL(fileURLWithPath: path)
        }
    }

    /// The file of an upscaler that must be there (`psgan upscale --model`, the bench): `none` is an error.
    public static func requiredUpscalerFile(_ text: String) throws -> URL {
        guard let url = try upscalerFile(text) else {
            throw RenderError("'none' names no upscaler: use \(upscalerNamesList), or a .safetensors file path")
        }
        return url
    }

    /// The file of the built-in upscaler `name`; nil when `name` is not a built-in one (the lookup a
    /// render uses for a model's suggested upscaler).
    @Sendable public static func builtInUpscalerFile(_ name: String) throws -> URL? {
        upscalerNames.contains(name) ? try upscalerFile(name) : nil
    }

    /// Loads the upscaler `spec` names, with an optional tile size.
    public static func loadUpscaler(_ spec: String, tile: Int?) throws -> Upscaler {
        Upscaler(model: try UpscalerModel(contentsOf: try requiredUpscalerFile(spec)), tileSize: tile)
    }
}
