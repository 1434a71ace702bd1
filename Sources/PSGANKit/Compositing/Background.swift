import Foundation

/// What a character is composited over: a plain colour, a still image, or a video plate.
public enum Background: Equatable, Sendable {
    /// A plain colour (red, green, blue).
    case color(red: UInt8, green: UInt8, blue: UInt8)
    /// A still image (PNG, JPEG, ... anything FFmpeg decodes); its size sets the output's.
    case image(URL)
    /// A video plate, taken frame by frame in step with the clip (its last frame is held when it is
    /// shorter); its size sets the output's.
    case video(URL)
    /// An image or a video plate, told apart when the render opens it (a batch manifest names its
    /// files before they are read).
    case file(URL)

    /// The colours `--background` knows by name.
    public static let namedColors: [String: (UInt8, UInt8, UInt8)] = [
        "white": (255, 255, 255), "black": (0, 0, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
        "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
        "chroma-green": (0, 177, 64), "chroma-blue": (0, 71, 187),
    ]

    /// A colour: `#RRGGBB`, `RRGGBB` or a name from ``namedColors``; nil for anything else.
    public static func color(parsing text: String) -> Background? {
        let lower = text.lowercased()
        if let (r, g, b) = namedColors[lower] { return .color(red: r, green: g, blue: b) }
        let hex = lower.hasPrefix("#") ? String(lower.dropFirst()) : lower
        guard hex.count == 6, hex.allSatisfy(\.isHexDigit), let value = UInt32(hex, radix: 16) else { return nil }
        return .color(red: UInt8(value >> 16), green: UInt8((value >> 8) & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// Reads `--background`: `#RRGGBB` (or `RRGGBB`), a colour name, or a file (an image or video,
    /// told apart by opening it).
    public init(parsing text: String) throws {
        guard !text.isEmpty else {
            throw PSGANError(.input, "--background is empty: give #RRGGBB, a colour name (\(Self.namedColors.keys.sorted().joined(separator: ", "))) or an image or video file")
        }
        let lower = text.lowercased()
        if let (r, g, b) = Self.namedColors[lower] {
            self = .color(red: r, green: g, blue: b)
            return
        }
        if !FileManager.default.fileExists(atPath: text), let color = Self.color(parsing: text) {
            self = color
            return
        }
        let url = URL(fileURLWithPath: text)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PSGANError(.input, file: text, "not a colour (#RRGGBB or \(Self.namedColors.keys.sorted().joined(separator: ", "))) and no such file")
        }
        self = try Self.opening(url)
    }

    /// The file at `url` as an ``image(_:)`` (a single picture) or a ``video(_:)`` plate, told
    /// apart by opening it.
    static func opening(_ url: URL) throws -> Background {
        let reader = try FrameReader(url: url)
        return reader.frameRate == nil && reader.frameCount == 1 && reader.frameFiles.isEmpty ? .image(url) : .video(url)
    }
}

/// Where a character goes on the output canvas: its frame's centre and a scale.
public struct Placement: Equatable, Sendable {
    /// The centre of the character's frame on the output, in output pixels from the left.
    public var x: Double
    /// The centre of the character's frame on the output, in output pixels from the top.
    public var y: Double
    /// Output pixels per character pixel.
    public var scale: Double

    /// A placement at (`x`, `y`) with `scale`.
    public init(x: Double, y: Double, scale: Double) {
        self.x = x
        self.y = y
        self.scale = scale
    }

    /// The farthest a character's centre may be from the output's corner, either way, in pixels.
    public static let coordinateLimit = 100_000.0
    /// The scales a character may be drawn at.
    public static let scaleRange = 0.001 ... 1000.0
    /// What a placement must be, for messages.
    public static let rule = "X,Y,SCALE: decimal numbers, X and Y within ±100000 pixels, SCALE from 0.001 to 1000"

    /// Whether the placement is within ``coordinateLimit`` and ``scaleRange`` (and finite).
    public var isValid: Bool {
        abs(x) <= Self.coordinateLimit && abs(y) <= Self.coordinateLimit && Self.scaleRange.contains(scale)
    }

    /// Reads `X,Y,SCALE` (`--place 640,360,2`): decimal numbers (see ``Swift/Double/decimal(_:)``);
    /// nil unless the placement ``isValid``.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double.decimal($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let x = parts[0], let y = parts[1], let s = parts[2] else { return nil }
        self.init(x: x, y: y, scale: s)
        guard isValid else { return nil }
    }

    /// Reads `--place`'s value, or throws a ``PSGANError`` saying what a placement must be.
    public static func parse(_ text: String, option: String = "--place") throws -> Placement {
        guard let placement = Placement(parsing: text) else {
            throw PSGANError(.render, "\(option) \(ErrorText.quoted(text)): not a placement (\(rule))")
        }
        return placement
    }

    /// A `side`-pixel character fitted into `canvas`: as large as fits, centred.
    public static func fitted(side: Int, in canvas: CanvasSize) -> Placement {
        Placement(x: Double(canvas.width) / 2, y: Double(canvas.height) / 2,
                  scale: Double(min(canvas.width, canvas.height)) / Double(side))
    }
}
