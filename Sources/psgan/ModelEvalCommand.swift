import ArgumentParser
import Foundation
import PSGANKit

/// `psgan model eval`: run one generator frame and write the float RGB, for checking exporters.
struct ModelEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run one frame and write the float RGB [3, R, R] as an F32 safetensors tensor named `rgb`.",
        discussion: """
        Keypoints are in model-canvas pixels, a JSON list of [x, y, confidence]. The latent comes
        from a seed (the contract's SeededNormals) or from a JSON list of numbers.
        """
    )

    @Option(help: "The generator file (.safetensors).")
    var model: String

    @Option(help: "Seed for the latent (the contract's seeded normals).")
    var latentSeed: UInt64?

    @Option(help: "A JSON file holding the latent as a list of numbers.")
    var latent: String?

    @Option(help: "A JSON file holding the keypoints as a list of [x, y, confidence] in model-canvas pixels.")
    var keypoints: String

    @Option(help: "Where to write the output (.safetensors).")
    var out: String

    func validate() throws {
        if (latentSeed == nil) == (latent == nil) {
            throw ValidationError("Give exactly one of --latent-seed and --latent.")
        }
    }

    func run() throws {
        let source: ModelEvaluation.Latent = latent.map { .file(URL(fileURLWithPath: $0)) } ?? .seed(latentSeed ?? 0)
        try ModelEvaluation(model: URL(fileURLWithPath: model), latent: source, keypoints: URL(fileURLWithPath: keypoints),
                            output: URL(fileURLWithPath: out)).run()
    }
}
