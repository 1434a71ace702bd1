import Foundation

/// What an upscale setting names: no upscaling, a built-in upscaler, or a weights file.
///
/// One reading for every place a user names an upscaler (`psgan render --upscale`, `psgan upscale
/// --model`, a batch manifest's `"upscale"`): `none`, one of the built-in names, or a path, which
/// is a value holding a `/` or ending in `.safetensors`. Anything else is an error that lists the
/// choices. Turning a built-in name into its file, and a relative path into a URL, is the caller's
/// part (the CLI looks beside the executable, a manifest resolves against its own directory).
public enum UpscalerSpec: Equatable, Sendable {
    /// No upscaling (`none`).
    case none
    /// A built-in upscaler, by name.
    case builtIn(String)
    /// A safetensors weights file, as written (relative paths are the caller's to resolve).
    case file(String)

    /// Reads `text` against the built-in upscaler names.
    public init(_ text: String, builtInNames: [String]) throws {
        if text == "none" {
            self = .none
        } else if builtInNames.contains(text) {
            self = .builtIn(text)
        } else if text.contains("/") || text.hasSuffix(".safetensors") {
            self = .file(text)
        } else {
            let names = (["none"] + builtInNames).joined(separator: ", ")
            throw PSGANError(.model, "unknown upscaler '\(text)': use \(names), or a .safetensors file path")
        }
    }
}

extension UpscalerSpec: CustomStringConvertible {
    /// Whether a tile size may go with this setting: not with `none` (there is nothing to tile).
    public var takesTile: Bool { self != .none }

    /// The setting as written: `none`, the built-in name, or the path.
    public var description: String {
        switch self {
        case .none: return "none"
        case .builtIn(let name): return name
        case .file(let path): return path
        }
    }
}
