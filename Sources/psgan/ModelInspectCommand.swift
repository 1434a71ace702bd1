import ArgumentParser
import Foundation
import PSGANKit

/// `psgan model inspect`: print a generator file's config, size and cost.
struct ModelInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a generator file's config, parameter count and GFLOP per frame."
    )

    @Argument(help: "A generator file (.safetensors).")
    var file: String

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let safetensors = try SafeTensorsFile(contentsOf: url)
        let model = try PSGANModel(file: safetensors)
        let config = model.config
        let dtypes = Set(config.tensorShapes.compactMap { safetensors.tensors[$0.name]?.dtype.rawValue }).sorted()
        let channels = config.scales.map { "\($0):\(config.channels[$0]!)" }.joined(separator: " ")
        var rows: [(String, String)] = [
            ("format", "psgan-generator v1 (\(dtypes.joined(separator: ", ")))"),
            ("resolution", "\(config.resolution)x\(config.resolution)"),
            ("latent_dim", "\(config.latentDim)"),
            ("keypoints", "\(config.keypoints) (\(config.layout))"),
            ("channels", channels),
            ("parameters", "\(config.parameterCount)"),
            ("GFLOP/frame", String(format: "%.3f", config.flopsPerFrame / 1e9)),
        ]
        rows.append(("alpha", config.alpha ? "a coverage channel (toalpha): the model draws its own matte" : "none (mattes found from the colours)"))
        if let upscale = config.upscale {
            rows.append(("upscale", "\(upscale) (applied by renders that name no --upscale)"))
        }
        rows.append(("look", model.look.map { "\($0.attributes.count) attributes in latent values 0 to \($0.lookDims - 1) (character files' \"look\", docs/characters.md)" }
                     ?? "none (characters by seed or latent only)"))
        print(file)
        for (key, value) in rows {
            print("  \(key.padding(toLength: 12, withPad: " ", startingAt: 0)) \(value)")
        }
        for attribute in model.look?.attributes ?? [] {
            let dims = attribute.dims.map(String.init).joined(separator: ",")
            print("    \(attribute.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(attribute.range) [latent \(dims)]")
        }
    }
}
