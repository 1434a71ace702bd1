import Foundation
import PSGANKit

/// Finds the generator file a render uses when `--model` is not given.
enum DefaultModel {
    /// The bundled model's path inside the repository.
    static let bundledPath = "samples/psgan-default.safetensors"

    /// `explicit` if given; else `$PSGAN_MODEL`; else the bundled model, looked up from the current
    /// directory and from the executable's directory and its parents (so `swift run` and an
    /// installed copy next to `samples/` both find it).
    static func resolve(_ explicit: String?) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PSGAN_MODEL"], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment)
        }
        if let url = findBundled(bundledPath) { return url }
        throw RenderError("no --model given and the bundled model \(bundledPath) was not found (set PSGAN_MODEL or pass --model)")
    }

    /// A bundled file (`relativePath` inside the repository), looked up from the current directory,
    /// then from the executable's directory and its parents; nil when none has it.
    static func findBundled(_ relativePath: String) -> URL? {
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
}
