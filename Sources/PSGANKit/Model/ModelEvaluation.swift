import Foundation

/// One generator frame written as float RGB, described by value: how exporters are checked against
/// psgan (`psgan model eval`).
///
/// The latent comes from a seed (the contract's ``SeededNormals``) or a JSON list of numbers; the
/// keypoints from a JSON list of `[x, y, confidence]` in model-canvas pixels. The output is an F32
/// safetensors file holding one tensor, `rgb`, of shape `[3, R, R]`.
public struct ModelEvaluation: Sendable {
    /// Where the latent comes from.
    public enum Latent: Sendable {
        /// The contract's seeded normals.
        case seed(UInt64)
        /// A JSON file holding a list of numbers.
        case file(URL)
    }

    /// The generator file.
    public var model: URL
    /// The latent.
    public var latent: Latent
    /// The JSON keypoints file.
    public var keypoints: URL
    /// Where the `.safetensors` output goes.
    public var output: URL

    /// An evaluation of `model` at `latent` and the keypoints in `keypoints`, written to `output`.
    public init(model: URL, latent: Latent, keypoints: URL, output: URL) {
        self.model = model
        self.latent = latent
        self.keypoints = keypoints
        self.output = output
    }

    /// Reads the inputs, runs one frame and writes it.
    public func run() throws {
        let psgan = try PSGANModel(contentsOf: model)
        let config = psgan.config
        let z: [Float]
        switch latent {
        case .seed(let seed):
            z = SeededNormals.latent(seed: seed, dimension: config.latentDim)
        case .file(let url):
            let values = try Self.readJSON(url, as: [Double].self, what: "latent")
            guard values.count == config.latentDim else {
                throw PSGANError(.character, url: url, problem: "latent has \(values.count) values, the model wants \(config.latentDim)")
            }
            z = values.map(Float.init)
        }
        let rows = try Self.readJSON(keypoints, as: [[Double]].self, what: "keypoints")
        guard rows.count == config.poseKeypoints else {
            throw PSGANError(.poses, url: keypoints, problem: "\(rows.count) keypoints, the model wants \(config.poseKeypoints)")
        }
        let points = try rows.enumerated().map { index, row -> Keypoint in
            guard row.count == 3 else {
                throw PSGANError(.poses, url: keypoints, keypoint: index, problem: "has \(row.count) values, expected [x, y, confidence]")
            }
            return Keypoint(x: row[0], y: row[1], confidence: row[2])
        }
        let rgb = Generator(model: psgan).forward(latent: z, keypoints: points)
        var writer = SafeTensorsWriter(metadata: ["format": "psgan-eval"])
        let plane = config.resolution * config.resolution
        writer.add("rgb", shape: [3, config.resolution, config.resolution], values: Array(rgb[0 ..< 3 * plane]))
        if config.alpha {
            writer.add("alpha", shape: [1, config.resolution, config.resolution], values: Array(rgb[3 * plane ..< 4 * plane]))
        }
        try writer.write(to: output, precision: .f32)
    }

    private static func readJSON<T: Decodable>(_ url: URL, as type: T.Type, what: String) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PSGANError(.render, url: url, problem: "cannot read the \(what) file (\(ErrorText.reason(error)))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw PSGANError(.render, url: url, problem: "not a valid \(what) JSON file (\(ErrorText.reason(error)))")
        }
    }
}
