import ArgumentParser
import Foundation
import PSGANKit

/// `psgan model init`: write a randomly initialised generator file of the contract.
struct ModelInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a random generator file (for tests, benchmarks and as a starting point).",
        discussion: """
            Weights are He-initialised from the contract's seeded normal generator, so the same options \
            and --seed always give the same file.
            """
    )

    @Option(help: "Output resolution R: a power of two from 8 to 1024.")
    var resolution = 256

    @Option(name: .customLong("latent-dim"), help: "Latent vector size L.")
    var latentDim = 512

    @Option(help: "Keypoint layout name; coco18 and body25 are built in.")
    var layout = "coco18"

    @Option(help: "Keypoint count K (default: the layout's count; required for other layouts).")
    var keypoints: Int?

    @Option(help: ArgumentHelp(
        "Channels per resolution: 'paper' for min(16384/res, 512), or a list like 4:512,8:512,...,256:64.",
        valueName: "paper|LIST"))
    var channels = "paper"

    @Option(help: "Seed for the random weights.")
    var seed: UInt64 = 0

    @Option(help: "Stored precision: f32 or f16.")
    var precision: SafeTensorsWriter.Precision = .f32

    @Option(help: ArgumentHelp("The upscaler renders of this model apply unless told otherwise (a built-in name, stored as the config's 'upscale').",
                               valueName: "NAME"))
    var upscale: String?

    @Flag(help: "Add a coverage channel (toalpha): the model draws its own matte, used for --alpha, backgrounds and scenes.")
    var alpha = false

    @Option(help: "Where to write the model file (.safetensors).")
    var out: String

    /// The options as a config, checked; the problems are option errors (in `validate`, so the
    /// usage printed with them is this command's).
    func makeConfig() throws -> GeneratorConfig {
        let count: Int
        if let keypoints {
            count = keypoints
        } else if let builtIn = KeypointLayout.builtIn(named: layout) {
            count = builtIn.count
        } else {
            throw ValidationError("layout '\(layout)' is not built in; give its keypoint count with --keypoints")
        }
        guard let channelMap = GeneratorConfig.channels(parsing: channels, resolution: resolution) else {
            throw ValidationError("--channels: '\(channels)' is neither 'paper' nor a list like 4:512,8:512")
        }
        var config = GeneratorConfig(resolution: resolution, latentDim: latentDim, keypoints: count,
                                     layout: layout, channels: channelMap, upscale: upscale)
        config.alpha = alpha
        if let upscale, !BundledResources.upscalerNames.contains(upscale) {
            throw ValidationError("--upscale: '\(upscale)' is not a built-in upscaler (\(BundledResources.upscalerNamesList))")
        }
        do {
            try config.validate(path: "psgan model init")
        } catch let error as PSGANError {
            throw ValidationError(error.problem)
        }
        return config
    }

    func validate() throws {
        _ = try makeConfig()
    }

    func run() throws {
        let config = try makeConfig()
        let model = try PSGANModel.random(config: config, seed: seed)
        try model.write(to: URL(fileURLWithPath: out), precision: precision)
        print("wrote \(ErrorText.escaped(out)): \(config.resolution)x\(config.resolution), \(config.parameterCount) parameters (\(precision.rawValue)), \(String(format: "%.2f", config.flopsPerFrame / 1e9)) GFLOP per frame")
    }
}

extension SafeTensorsWriter.Precision: ExpressibleByArgument {}
