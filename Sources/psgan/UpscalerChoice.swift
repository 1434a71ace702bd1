import Foundation
import PSGANKit

/// Resolves `--upscale` / `--model` for upscaling: a built-in name or a safetensors file path.
enum UpscalerChoice {
    /// The bundled upscalers, by name, with their paths inside the repository.
    static let builtIn: [(name: String, path: String)] = [
        ("srgan-x2", "samples/upscalers/srgan-x2.safetensors"),
        ("srgan-x4", "samples/upscalers/srgan-x4.safetensors"),
        ("anime-x4", "samples/upscalers/realesr-animevideov3-x4.safetensors"),
    ]

    /// The built-in names, in order.
    static let names = builtIn.map(\.name)

    /// The built-in names, for help and messages.
    static let namesList = names.joined(separator: ", ")

    /// Reads an upscale setting (`none`, a built-in name or a path).
    static func spec(_ text: String) throws -> UpscalerSpec {
        try UpscalerSpec(text, builtInNames: names)
    }

    /// The file an upscale setting names, nil for `none`: a built-in upscaler is found like the
    /// default model (current directory, then the executable's directory and parents).
    static func file(_ text: String) throws -> URL? {
        switch try spec(text) {
        case .none:
            return nil
        case .builtIn(let name):
            let path = builtIn.first { $0.name == name }!.path
            guard let url = DefaultModel.findBundled(path) else {
                throw RenderError("the built-in upscaler \(name) (\(path)) was not found; run from the repository or pass a file path")
            }
            return url
        case .file(let path):
            return URL(fileURLWithPath: path)
        }
    }

    /// The file of an upscaler that must be there (`psgan upscale --model`, the bench): `none` is an error.
    static func resolve(_ text: String) throws -> URL {
        guard let url = try file(text) else {
            throw RenderError("'none' names no upscaler: use \(namesList), or a .safetensors file path")
        }
        return url
    }

    /// Whether `name` is one of the bundled upscalers.
    static func isBuiltIn(_ name: String) -> Bool {
        names.contains(name)
    }

    /// The file of the built-in upscaler `name`; nil when `name` is not a built-in one (the lookup a
    /// render uses for a model's suggested upscaler).
    @Sendable static func builtInFile(_ name: String) throws -> URL? {
        isBuiltIn(name) ? try file(name) : nil
    }

    /// Loads the upscaler `spec` names, with an optional tile size.
    static func load(_ spec: String, tile: Int?) throws -> Upscaler {
        Upscaler(model: try UpscalerModel(contentsOf: try resolve(spec)), tileSize: tile)
    }
}
