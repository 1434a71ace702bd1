import Foundation

/// A character: a latent vector, named by a seed or given explicitly.
///
/// Character files are JSON objects with an optional `name` and either a `seed` (a non-negative
/// integer, the contract's seeded latent) or a `latent` (a list of numbers, one per latent
/// dimension of the model), e.g. `{"name": "ayumi", "seed": 7}`.
public struct Character: Equatable, Sendable {
    /// Where the latent comes from.
    public enum Source: Equatable, Sendable {
        /// The contract's seeded latent.
        case seed(UInt64)
        /// An explicit latent vector.
        case latent([Float])
    }

    /// A display name (the file name when the file gives none).
    public var name: String
    /// The latent's source.
    public var source: Source
    /// The character file it was read from, for messages; nil for characters made in code.
    public var file: String?
    /// Attributes set on top of the seed's or latent's look (with a model that has a look schema).
    public var look: Look?

    /// A character with the given name and source.
    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// The character named by `seed`.
    public static func seed(_ seed: UInt64) -> Character {
        Character(name: "seed \(seed)", source: .seed(seed))
    }

    /// The keys a character file may have.
    public static let fileKeys = ["name", "seed", "latent", "look"]

    /// Reads a character file.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let data = try InputFile.data(at: url, kind: .character, limit: 1 << 20)
        typealias JSON = PoseFileReader.JSONValue
        guard case .object(let dict)? = try? JSON.parse(data) else {
            throw PSGANError(.character, file: path, "not a character file: expected a JSON object with a 'seed' or a 'latent'")
        }
        if let unknown = dict.keys.sorted().first(where: { !Self.fileKeys.contains($0) }) {
            throw PSGANError(.character, file: path, "unknown key \(ErrorText.quoted(unknown)) (a character file has "
                + Self.fileKeys.map { "'\($0)'" }.joined(separator: ", ") + ")")
        }
        var name = url.deletingPathExtension().lastPathComponent
        switch dict["name"] {
        case nil: break
        case .string(let text)?: name = text
        default: throw PSGANError(.character, file: path, "'name' must be a string")
        }
        switch (dict["seed"], dict["latent"]) {
        case (let seed?, nil):
            guard let value = Self.seedValue(seed) else {
                throw PSGANError(.character, file: path, "'seed' must be an integer from 0 to 2^53, or a string of digits up to 2^64-1 (\"12345678901234567890\")")
            }
            self.init(name: name, source: .seed(value))
            self.file = path
        case (nil, let latent?):
            guard case .array(let list) = latent, !list.isEmpty else {
                throw PSGANError(.character, file: path, "'latent' must be a non-empty list of numbers")
            }
            var values: [Float] = []
            for (i, item) in list.enumerated() {
                guard case .number(let number) = item, number.isFinite, abs(number) <= Double(Float.greatestFiniteMagnitude) else {
                    throw PSGANError(.character, file: path, "'latent' element \(i) is not a finite number (got \(item.kind))")
                }
                values.append(Float(number))
            }
            self.init(name: name, source: .latent(values))
            self.file = path
        case (nil, nil):
            // A look alone: seed 0 fills in what it leaves out.
            guard dict["look"] != nil else { throw PSGANError(.character, file: path, "a character needs a 'seed', a 'latent' or a 'look'") }
            self.init(name: name, source: .seed(0))
            self.file = path
        case (_?, _?):
            throw PSGANError(.character, file: path, "a character has either a 'seed' or a 'latent', not both")
        }
        if let look = dict["look"] { self.look = try Look(json: look, file: path) }
    }

    /// The latent vector for a model with `dimension` latent values (a character with a look needs
    /// ``latent(in:)``, which knows the model's look schema).
    public func latent(dimension: Int) throws -> [Float] {
        try latent(in: LatentSpace(dimension: dimension))
    }

    /// The latent vector in `space`: the seed's or the given latent, with the look's attributes set
    /// through the space's look schema.
    ///
    /// - Throws: for a latent of the wrong size, a look given to a model without a look schema, or
    ///   a look the schema refuses.
    public func latent(in space: LatentSpace) throws -> [Float] {
        let base = try baseLatent(dimension: space.dimension)
        guard let look else { return base }
        guard let schema = space.look else {
            throw PSGANError(.character, file: file ?? "character \(ErrorText.quoted(name))", "has a 'look', but \(space.modelFile) "
                + "has no look schema (its latent values name no attributes; use a seed or a latent with it)")
        }
        return try schema.apply(look, to: base, file: file ?? "character \(ErrorText.quoted(name))")
    }

    private func baseLatent(dimension: Int) throws -> [Float] {
        switch source {
        case .seed(let seed):
            return SeededNormals.latent(seed: seed, dimension: dimension)
        case .latent(let values):
            guard values.count == dimension else {
                throw PSGANError(.character, file: file ?? "character \(ErrorText.quoted(name))",
                                     "latent has \(values.count) values but the model's latent_dim is \(dimension)")
            }
            return values
        }
    }

    private static func seedValue(_ value: PoseFileReader.JSONValue) -> UInt64? {
        switch value {
        // Above 2^53 a JSON number may already have been rounded: such seeds are written as strings.
        case .number(let double) where double >= 0 && double == double.rounded() && double <= 0x1p53: return UInt64(double)
        case .string(let text) where !text.isEmpty && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber): return UInt64(text)
        default: return nil
        }
    }
}
