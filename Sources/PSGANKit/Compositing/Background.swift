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

    /// The colours `--background` knows by name.
    public static let namedColors: [String: (UInt8, UInt8, UInt8)] = [
        "white": (255, 255, 255), "black": (0, 0, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
        "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
        "chroma-green": (0, 177, 64), "chroma-blue": (0, 71, 187),
    ]

    /// Reads `--background`: `#RRGGBB` (or `RRGGBB`), a colour name, or a file (an image or video,
    /// told apart by opening it).
    public init(parsing text: String) throws {
        let lower = text.lowercased()
        if let (r, g, b) = Self.namedColors[lower] {
            self = .color(red: r, green: g, blue: b)
            return
        }
        let hex = lower.hasPrefix("#") ? String(lower.dropFirst()) : lower
        if hex.count == 6, hex.allSatisfy(\.isHexDigit), !FileManager.default.fileExists(atPath: text),
           let value = UInt32(hex, radix: 16) {
            self = .color(red: UInt8(value >> 16), green: UInt8((value >> 8) & 0xFF), blue: UInt8(value & 0xFF))
            return
        }
        let url = URL(fileURLWithPath: text)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PSGANError(.input, file: text, "not a colour (#RRGGBB or \(Self.namedColors.keys.sorted().joined(separator: ", "))) and no such file")
        }
        let reader = try FrameReader(url: url)
        self = reader.frameRate == nil && reader.frameCount == 1 && reader.frameFiles.isEmpty ? .image(url) : .video(url)
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

    /// Reads `X,Y,SCALE` (`--place 640,360,2`); nil unless all three are finite and the scale is positive.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let x = parts[0], let y = parts[1], let s = parts[2],
              x.isFinite, y.isFinite, s.isFinite, s > 0 else { return nil }
        self.init(x: x, y: y, scale: s)
    }

    /// A `side`-pixel character fitted into `canvas`: as large as fits, centred.
    public static func fitted(side: Int, in canvas: CanvasSize) -> Placement {
        Placement(x: Double(canvas.width) / 2, y: Double(canvas.height) / 2,
                  scale: Double(min(canvas.width, canvas.height)) / Double(side))
    }
}
