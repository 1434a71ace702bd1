import Foundation

/// A PSGAN generator's weights and config, loaded from a model file and fully validated.
///
/// Loading checks the metadata (`format` = `psgan-generator`, `version` = `1`, a valid `config`), then
/// every tensor the config calls for: present, F32 or F16, the exact shape, and finite values. Tensors
/// the contract does not name are ignored.
public struct PSGANModel: Sendable {
    /// The model's config.
    public let config: GeneratorConfig
    /// Tensors by name, as 32-bit floats in PyTorch's layout.
    public let weights: [String: [Float]]
    /// Which latent values name which attribute of a look (the file's `look` metadata); nil when
    /// the file has none.
    public private(set) var look: LookSchema?
    /// The `look` metadata as the file had it, written back by ``write(to:precision:)``.
    private var lookMetadata: String?
    /// The model's latent space, for turning characters into latents.
    public func latentSpace(modelFile: String) -> LatentSpace {
        LatentSpace(dimension: config.latentDim, look: look, modelFile: modelFile)
    }

    /// Loads and validates the model file at `url`.
    public init(contentsOf url: URL) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        try self.init(file: file)
    }

    /// Validates an opened safetensors file as a model.
    public init(file: SafeTensorsFile) throws {
        let path = file.path
        guard let format = file.metadata["format"] else {
            throw PSGANError(.model, file: path, "not a psgan generator: metadata has no 'format' (expected 'psgan-generator')")
        }
        guard format == "psgan-generator" else {
            throw PSGANError(.model, file: path, "not a psgan generator: metadata format is '\(format)' (expected 'psgan-generator')")
        }
        guard let version = file.metadata["version"] else {
            throw PSGANError(.model, file: path, "metadata has no 'version'")
        }
        guard version == "1" else {
            throw PSGANError(.model, file: path, "model format version '\(version)' is not supported (this psgan reads version 1)")
        }
        guard let configJSON = file.metadata["config"] else {
            throw PSGANError(.model, file: path, "metadata has no 'config'")
        }
        let config = try GeneratorConfig(json: configJSON, path: path)
        var weights: [String: [Float]] = [:]
        for (name, shape) in config.tensorShapes {
            guard let info = file.tensors[name] else {
                throw PSGANError(.model, file: path, "tensor '\(name)' is missing (expected shape \(shape))")
            }
            guard info.dtype == .f32 || info.dtype == .f16 else {
                throw PSGANError(.model, file: path, "tensor '\(name)' has dtype \(info.dtype.rawValue); expected F32 or F16")
            }
            guard info.shape == shape else {
                throw PSGANError(.model, file: path, "tensor '\(name)' has shape \(info.shape); expected \(shape)")
            }
            weights[name] = try file.floats(name)
        }
        self.config = config
        self.weights = weights
        if let text = file.metadata["look"] {
            let schema = try LookSchema(json: text, path: path)
            guard schema.lookDims <= config.latentDim else {
                throw PSGANError(.model, file: path, place: "look", "reads latent values up to \(schema.lookDims - 1), past the latent's \(config.latentDim)")
            }
            look = schema
            lookMetadata = text
        }
    }

    /// Wraps weights already in memory; they must match `config.tensorShapes`.
    public init(config: GeneratorConfig, weights: [String: [Float]], look: LookSchema? = nil) throws {
        try config.validate(path: "model")
        for (name, shape) in config.tensorShapes {
            guard let values = weights[name], values.count == shape.reduce(1, *) else {
                throw PSGANError(.model, file: "model", "tensor '\(name)' is missing or has the wrong size (expected shape \(shape))")
            }
        }
        self.config = config
        self.weights = weights
        self.look = look
    }

    /// A random model of the contract, for tests, benchmarks and as a starting point.
    ///
    /// Weights are He-initialised (normal, standard deviation `sqrt(2 / fan_in)`; the dense layer
    /// uses ProGAN's gain `sqrt(2) / 4` and `torgb` gain 1), biases are zero. Values come from the
    /// spec's seeded normal generator, so the same seed gives the same model everywhere.
    public static func random(config: GeneratorConfig, seed: UInt64) throws -> PSGANModel {
        try config.validate(path: "model")
        var normals = SeededNormals(seed: seed)
        var weights: [String: [Float]] = [:]
        for (name, shape) in config.tensorShapes {
            let count = shape.reduce(1, *)
            if name.hasSuffix(".bias") {
                weights[name] = [Float](repeating: 0, count: count)
                continue
            }
            let fanIn = shape.dropFirst().reduce(1, *)
            let gain: Double = name == "dense.weight" ? 2.0.squareRoot() / 4 : (name == "torgb.weight" || name == "toalpha.weight" ? 1 : 2.0.squareRoot())
            let std = gain / Double(fanIn).squareRoot()
            weights[name] = (0..<count).map { _ in Float(normals.next() * std) }
        }
        return try PSGANModel(config: config, weights: weights)
    }

    /// Writes the model as a contract file at `url`, atomically.
    public func write(to url: URL, precision: SafeTensorsWriter.Precision) throws {
        var metadata = ["format": "psgan-generator", "version": "1", "config": config.json]
        if let lookMetadata { metadata["look"] = lookMetadata }
        var writer = SafeTensorsWriter(metadata: metadata)
        for (name, shape) in config.tensorShapes {
            writer.add(name, shape: shape, values: weights[name]!)
        }
        try writer.write(to: url, precision: precision)
    }
}
