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
        let psgan = try PSGANModel(contentsOf: URL(fileURLWithPath: model))
        let config = psgan.config
        let z: [Float]
        if let seed = latentSeed {
            z = SeededNormals.latent(seed: seed, dimension: config.latentDim)
        } else {
            let values = try Self.readJSON(latent!, as: [Double].self, what: "latent")
            guard values.count == config.latentDim else {
                throw ValidationError("\(latent!): latent has \(values.count) values, the model wants \(config.latentDim)")
            }
            z = values.map(Float.init)
        }
        let rows = try Self.readJSON(keypoints, as: [[Double]].self, what: "keypoints")
        guard rows.count == config.keypoints else {
            throw ValidationError("\(keypoints): \(rows.count) keypoints, the model wants \(config.keypoints)")
        }
        let points = try rows.enumerated().map { index, row -> Keypoint in
            guard row.count == 3 else {
                throw ValidationError("\(keypoints): keypoint \(index) has \(row.count) values, expected [x, y, confidence]")
            }
            return Keypoint(x: row[0], y: row[1], confidence: row[2])
        }
        let rgb = Generator(model: psgan).forward(latent: z, keypoints: points)
        var writer = SafeTensorsWriter(metadata: ["format": "psgan-eval"])
        writer.add("rgb", shape: [3, config.resolution, config.resolution], values: rgb)
        try writer.write(to: URL(fileURLWithPath: out), precision: .f32)
    }

    private static func readJSON<T: Decodable>(_ path: String, as type: T.Type, what: String) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("\(path): cannot read the \(what) file (\(ErrorText.reason(error)))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ValidationError("\(path) is not a valid \(what) JSON file: \(error)")
        }
    }
}
