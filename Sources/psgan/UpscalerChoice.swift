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

    /// The built-in names, for help and messages.
    static let namesList = builtIn.map(\.name).joined(separator: ", ")

    /// The file `spec` names: a built-in upscaler (found like the default model: current directory,
    /// then the executable's directory and parents), else a path.
    static func resolve(_ spec: String) throws -> URL {
        if let entry = builtIn.first(where: { $0.name == spec }) {
            guard let url = DefaultModel.findBundled(entry.path) else {
                throw RenderError("the built-in upscaler \(spec) (\(entry.path)) was not found; run from the repository or pass a file path")
            }
            return url
        }
        guard spec.contains("/") || spec.hasSuffix(".safetensors") else {
            throw RenderError("unknown upscaler '\(spec)': use \(namesList), or a .safetensors file path")
        }
        return URL(fileURLWithPath: spec)
    }

    /// Whether `name` is one of the bundled upscalers.
    static func isBuiltIn(_ name: String) -> Bool {
        builtIn.contains { $0.name == name }
    }

    /// The file of the built-in upscaler `name`; nil when `name` is not a built-in one (the lookup a
    /// render uses for a model's suggested upscaler).
    @Sendable static func builtInFile(_ name: String) throws -> URL? {
        isBuiltIn(name) ? try resolve(name) : nil
    }

    /// Loads the upscaler `spec` names, with an optional tile size.
    static func load(_ spec: String, tile: Int?) throws -> Upscaler {
        Upscaler(model: try UpscalerModel(contentsOf: try resolve(spec)), tileSize: tile)
    }
}
