import Foundation

/// Which latent values of a model name which part of a character's look, and how: the model file's
/// `look` metadata (`docs/spec/psgan-model.md`), written by the training exporter for models trained
/// with the identity objective.
///
/// Every attribute reads `u = Φ(z_i)` (the standard normal CDF) of its latent values `dims`:
/// `colour` (each channel `offset + scale·u`, one value per channel), `palette` (`u` along a list of
/// colours, linearly between them), `choice` (`choices[⌊u·count⌋]`), `flag` (true when `u < below`)
/// and `number` (`offset + scale·u`). A ``Look`` sets those values; the seed fills in the rest.
public struct LookSchema: Equatable, Sendable {
    /// One attribute of a look.
    public struct Attribute: Equatable, Sendable {
        /// How an attribute's latent values map to its value.
        public enum Kind: Equatable, Sendable {
            case colour(offset: Double, scale: Double)
            case palette([RGBColour])
            case choice([String])
            case flag(below: Double)
            case number(offset: Double, scale: Double)
        }

        /// The attribute's name in character files (`hair`, `top`, `hair_style`, ...).
        public let name: String
        /// The latent values it reads (three for a colour, one otherwise).
        public let dims: [Int]
        /// How it reads them.
        public let kind: Kind

        /// The values the attribute takes, for messages and `psgan model inspect`.
        public var range: String {
            switch kind {
            case .colour(let offset, let scale):
                return "a colour, each channel \(RGBColour.level(offset)) to \(RGBColour.level(offset + scale)) of 255 "
                    + "(\(RGBColour(red: offset, green: offset, blue: offset).hex) to \(RGBColour(red: offset + scale, green: offset + scale, blue: offset + scale).hex))"
            case .palette(let colours):
                return "a colour along " + colours.map(\.hex).joined(separator: ", ") + " (the nearest is taken)"
            case .choice(let choices):
                return "one of " + choices.joined(separator: ", ")
            case .flag:
                return "true or false"
            case .number(let offset, let scale):
                return "a number from \(String(format: "%g", offset)) to \(String(format: "%g", offset + scale))"
            }
        }
    }

    /// The attributes, in latent order.
    public let attributes: [Attribute]
    /// How many latent values the look uses (the model's latent must have at least these).
    public let lookDims: Int

    /// The attribute named `name`.
    public func attribute(_ name: String) -> Attribute? { attributes.first { $0.name == name } }

    /// Reads the `look` metadata of the model file `path`.
    public init(json: String, path: String) throws {
        typealias JSON = PoseFileReader.JSONValue
        func fail(_ problem: String) -> PSGANError { PSGANError(.model, file: path, place: "look", problem) }
        guard case .object(let root)? = try? JSON.parse(Data(json.utf8)) else { throw fail("not a JSON object") }
        guard case .number(1)? = root["version"] else { throw fail("version must be 1") }
        guard case .array(let items)? = root["attributes"] else { throw fail("needs \"attributes\", a list") }
        func number(_ object: [String: JSON], _ key: String) throws -> Double {
            guard case .number(let value)? = object[key], value.isFinite else { throw fail("an attribute's \"\(key)\" must be a number") }
            return value
        }
        var attributes: [Attribute] = []
        for item in items {
            guard case .object(let object) = item, case .string(let name)? = object["name"], !name.isEmpty,
                  case .string(let kind)? = object["kind"], case .array(let dimValues)? = object["dims"] else {
                throw fail("each attribute needs a \"name\", a \"kind\" and \"dims\"")
            }
            let dims = try dimValues.map { value -> Int in
                guard case .number(let d) = value, d >= 0, d < 4096, d == d.rounded() else { throw fail("\(name): dims must be latent indices") }
                return Int(d)
            }
            let parsed: Attribute.Kind
            switch kind {
            case "colour": parsed = .colour(offset: try number(object, "offset"), scale: try number(object, "scale"))
            case "number": parsed = .number(offset: try number(object, "offset"), scale: try number(object, "scale"))
            case "flag": parsed = .flag(below: try number(object, "below"))
            case "palette":
                guard case .array(let values)? = object["palette"], values.count >= 2 else { throw fail("\(name): a palette needs two colours or more") }
                parsed = .palette(try values.map { value in
                    guard case .string(let text) = value, let colour = RGBColour(hex: text) else { throw fail("\(name): palette colours are #RRGGBB") }
                    return colour
                })
            case "choice":
                guard case .array(let values)? = object["choices"], !values.isEmpty else { throw fail("\(name): a choice needs \"choices\"") }
                parsed = .choice(try values.map { value in
                    guard case .string(let text) = value else { throw fail("\(name): choices are strings") }
                    return text
                })
            default:
                throw fail("\(name): unknown kind '\(kind)'")
            }
            guard dims.count == (kind == "colour" ? 3 : 1) else { throw fail("\(name): a \(kind) reads \(kind == "colour" ? 3 : 1) latent values") }
            attributes.append(Attribute(name: name, dims: dims, kind: parsed))
        }
        guard !attributes.isEmpty, Set(attributes.map(\.name)).count == attributes.count else { throw fail("attribute names must be distinct") }
        self.attributes = attributes
        lookDims = (attributes.flatMap(\.dims).max() ?? -1) + 1
    }

    /// `latent` with the values `look` names set from the schema (the rest as they are).
    ///
    /// - Throws: for an attribute the schema does not have (listing those it has), a value of the
    ///   wrong kind, or one the schema cannot reach (naming the attribute and its range).
    public func apply(_ look: Look, to latent: [Float], file: String) throws -> [Float] {
        var result = latent
        for (name, value) in look.values.sorted(by: { $0.key < $1.key }) {
            guard let attribute = attribute(name) else {
                throw PSGANError(.character, file: file, place: "look", "unknown attribute '\(name)' (this model's: "
                    + attributes.map(\.name).joined(separator: ", ") + ")")
            }
            guard attribute.dims.allSatisfy({ $0 < latent.count }) else {
                throw PSGANError(.character, file: file, place: "look", "\(name) reads latent values past the model's \(latent.count)")
            }
            let positions = try positions(of: attribute, value, file: file)
            for (dim, u) in zip(attribute.dims, positions) {
                result[dim] = Float(NormalDistribution.quantile(min(1 - Self.edge, max(Self.edge, u))))
            }
        }
        return result
    }

    /// How close to 0 or 1 a CDF position may come (the normal quantile is infinite there): a
    /// latent value within ±3.7.
    static let edge = 1e-4

    /// The CDF positions `u` (one per dim) that give `value`.
    private func positions(of attribute: Attribute, _ value: Look.Value, file: String) throws -> [Double] {
        func unreachable() -> PSGANError {
            PSGANError(.character, file: file, place: "look", "\(attribute.name): \(value) is out of reach (this model's \(attribute.name) is \(attribute.range))")
        }
        switch (attribute.kind, value) {
        case (.colour(let offset, let scale), .colour(let colour)):
            let u = [colour.red, colour.green, colour.blue].map { ($0 - offset) / scale }
            // Half a level of slack: the ends written as hex round.
            guard u.allSatisfy({ $0 > -0.5 / 255 / scale && $0 < 1 + 0.5 / 255 / scale }) else { throw unreachable() }
            return u
        case (.palette(let colours), .colour(let colour)):
            return [Self.nearestPosition(on: colours, to: colour)]
        case (.choice(let choices), .text(let text)):
            guard let index = choices.firstIndex(of: text) else { throw unreachable() }
            return [(Double(index) + 0.5) / Double(choices.count)]
        case (.flag(let below), .flag(let on)):
            return [on ? below / 2 : (1 + below) / 2]
        case (.number(let offset, let scale), .number(let number)):
            let u = (number - offset) / scale
            guard u >= -1e-9, u <= 1 + 1e-9 else { throw unreachable() }
            return [u]
        default:
            throw PSGANError(.character, file: file, place: "look", "\(attribute.name) takes \(attribute.range), not \(value)")
        }
    }

    /// The position `u` in [0, 1] along the palette's polyline nearest to `colour`.
    static func nearestPosition(on palette: [RGBColour], to colour: RGBColour) -> Double {
        var best = (distance: Double.infinity, u: 0.0)
        let segments = palette.count - 1
        for i in 0 ..< segments {
            let a = palette[i].channels, b = palette[i + 1].channels, c = colour.channels
            let ab = zip(b, a).map { $0 - $1 }, ac = zip(c, a).map { $0 - $1 }
            let length = ab.map { $0 * $0 }.reduce(0, +)
            let t = length > 0 ? min(1, max(0, zip(ab, ac).map { $0 * $1 }.reduce(0, +) / length)) : 0
            let distance = zip(ac, ab).map { ($0 - t * $1) * ($0 - t * $1) }.reduce(0, +)
            if distance < best.distance { best = (distance, (Double(i) + t) / Double(segments)) }
        }
        return best.u
    }

    /// The look `latent` names, every attribute's value read through the schema (the forward
    /// mapping, as the training renderer draws it).
    public func look(of latent: [Float]) -> Look {
        var values: [String: Look.Value] = [:]
        for attribute in attributes where attribute.dims.allSatisfy({ $0 < latent.count }) {
            let u = attribute.dims.map { NormalDistribution.cdf(Double(latent[$0])) }
            switch attribute.kind {
            case .colour(let offset, let scale):
                let c = u.map { offset + scale * min(1, max(0, $0)) }
                values[attribute.name] = .colour(RGBColour(red: c[0], green: c[1], blue: c[2]))
            case .palette(let colours):
                let t = min(1, max(0, u[0])) * Double(colours.count - 1)
                let i = min(colours.count - 2, Int(t.rounded(.down))), w = t - Double(i)
                let mixed = zip(colours[i].channels, colours[i + 1].channels).map { $0 * (1 - w) + $1 * w }
                values[attribute.name] = .colour(RGBColour(red: mixed[0], green: mixed[1], blue: mixed[2]))
            case .choice(let choices):
                values[attribute.name] = .text(choices[min(choices.count - 1, max(0, Int((u[0] * Double(choices.count)).rounded(.down))))])
            case .flag(let below):
                values[attribute.name] = .flag(u[0] < below)
            case .number(let offset, let scale):
                values[attribute.name] = .number(offset + scale * min(1, max(0, u[0])))
            }
        }
        return Look(values: values)
    }
}
