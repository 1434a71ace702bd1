import Foundation

/// A character's look by attribute: `{"hair": "#d03030", "hair_style": "twin-tails", "skirt": true,
/// "legs": 1.1}` in a character file. Which attributes there are, and what each takes, is the
/// model's ``LookSchema``; a look is checked against it when a render applies it.
public struct Look: Equatable, Sendable {
    /// One attribute's value as written.
    public enum Value: Equatable, Sendable, CustomStringConvertible {
        case colour(RGBColour)
        case text(String)
        case flag(Bool)
        case number(Double)

        public var description: String {
            switch self {
            case .colour(let colour): return colour.hex
            case .text(let text): return "'\(text)'"
            case .flag(let on): return on ? "true" : "false"
            case .number(let number): return number.displayed(decimals: 4)
            }
        }
    }

    /// The values by attribute name.
    public var values: [String: Value]

    /// A look with these values.
    public init(values: [String: Value]) {
        self.values = values
    }

    /// Reads a look object from JSON text (`{"hair": "#d03030", ...}`), as a character file's
    /// `look`; `file` names the source in errors.
    public init(jsonText: Data, file: String) throws {
        guard let json = try? PoseFileReader.JSONValue.parse(jsonText) else {
            throw PSGANError(.character, file: file, "the look is not valid JSON")
        }
        try self.init(json: json, file: file)
    }

    /// Reads a character file's `look` object: `#RRGGBB` strings are colours, other strings
    /// choices, booleans flags, numbers numbers.
    init(json: PoseFileReader.JSONValue, file: String) throws {
        guard case .object(let object) = json, !object.isEmpty else {
            throw PSGANError(.character, file: file, "'look' must be an object of attributes, e.g. {\"hair\": \"#d03030\"}")
        }
        var values: [String: Value] = [:]
        for (name, value) in object {
            switch value {
            case .string(let text) where text.hasPrefix("#"):
                guard let colour = RGBColour(hex: text) else {
                    throw PSGANError(.character, file: file, place: "look", "\(name): \(ErrorText.quoted(text)) is not a colour (#RRGGBB)")
                }
                values[name] = .colour(colour)
            case .string(let text): values[name] = .text(text)
            case .bool(let on): values[name] = .flag(on)
            case .number(let number) where number.isFinite: values[name] = .number(number)
            default:
                throw PSGANError(.character, file: file, place: "look", "\(name) must be a colour (#RRGGBB), a choice, true/false or a number, found \(value.kind)")
            }
        }
        self.values = values
    }

    /// The look as a character file's `look` object (keys sorted).
    public var json: String {
        "{" + values.sorted { $0.key < $1.key }.map { name, value -> String in
            let text: String
            switch value {
            case .colour(let colour): text = "\"\(colour.hex)\""
            case .text(let string): text = string.jsonQuoted
            case .flag(let on): text = on ? "true" : "false"
            case .number(let number): text = number.displayed(decimals: 4)
            }
            return "\(name.jsonQuoted): \(text)"
        }.joined(separator: ", ") + "}"
    }
}

/// A colour with channels from 0 to 1, read and written as `#RRGGBB`.
public struct RGBColour: Equatable, Sendable {
    public var red: Double, green: Double, blue: Double

    public init(red: Double, green: Double, blue: Double) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    /// `#RRGGBB` (or `RRGGBB`, any case); nil otherwise.
    public init?(hex text: String) {
        let digits = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
        guard digits.count == 6, digits.allSatisfy(\.isHexDigit), let value = UInt32(digits, radix: 16) else { return nil }
        self.init(red: Double(value >> 16) / 255, green: Double((value >> 8) & 0xFF) / 255, blue: Double(value & 0xFF) / 255)
    }

    /// A colour from 8-bit channels.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.init(red: Double(red) / 255, green: Double(green) / 255, blue: Double(blue) / 255)
    }

    /// The channels in order.
    public var channels: [Double] { [red, green, blue] }

    /// A channel in levels of 255, rounded.
    static func level(_ channel: Double) -> Int { Int((min(1, max(0, channel)) * 255).rounded()) }

    /// `#rrggbb`.
    public var hex: String { "#" + channels.map { String(format: "%02x", Self.level($0)) }.joined() }
}

/// The standard normal distribution's CDF and quantile, for the look schema's `u = Φ(z)`.
enum NormalDistribution {
    /// Φ(z).
    static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation, refined by one Halley step on `cdf`
    /// (error below 1e-13 over (1e-300, 1 - 1e-16)).
    static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "the normal quantile needs 0 < p < 1")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        return x - u / (1 + x * u / 2)
    }
}
